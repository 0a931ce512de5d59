"""Route dependencies that hand routes one of the caller's projects."""

import uuid
from typing import Annotated

from fastapi import Depends

from shared.auth.dependencies import CurrentUser
from shared.db import SessionDep
from shared.projects import service as project_service
from shared.projects.models import Project


def owned_project(project_id: uuid.UUID, session: SessionDep, user: CurrentUser) -> Project:
    return project_service.get_owned(session=session, project_id=project_id, user_id=user.id)


OwnedProject = Annotated[Project, Depends(owned_project)]
