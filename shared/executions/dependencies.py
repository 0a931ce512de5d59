"""Route dependencies that hand routes one of the caller's executions."""

import uuid
from typing import Annotated

from fastapi import Depends

from shared.auth.dependencies import CurrentUser
from shared.db import SessionDep
from shared.executions import service as execution_service
from shared.executions.models import AgentExecution


def owned_execution(execution_id: uuid.UUID, session: SessionDep, user: CurrentUser) -> AgentExecution:
    return execution_service.get_owned(session=session, execution_id=execution_id, user_id=user.id)


OwnedExecution = Annotated[AgentExecution, Depends(owned_execution)]
