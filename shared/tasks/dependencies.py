"""Route dependencies that hand routes one of the caller's tasks."""

import uuid
from typing import Annotated

from fastapi import Depends

from shared.auth.dependencies import CurrentUser
from shared.db import SessionDep
from shared.tasks import service as task_service
from shared.tasks.models import Task


def owned_task(task_id: uuid.UUID, session: SessionDep, user: CurrentUser) -> Task:
    return task_service.get_owned(session, task_id=task_id, user_id=user.id)


OwnedTask = Annotated[Task, Depends(owned_task)]
