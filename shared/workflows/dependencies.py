"""Route dependencies that hand routes a workflow the caller may read, may change, or owns privately."""

import uuid
from typing import Annotated

from fastapi import Depends

from shared.auth.dependencies import CurrentUser, OptionalPrincipal
from shared.db import SessionDep
from shared.workflows import service as workflow_service
from shared.workflows.models import AgentWorkflow


def visible_workflow(
    workflow_id: uuid.UUID, session: SessionDep, principal: OptionalPrincipal
) -> AgentWorkflow:
    user = principal.user if principal else None
    return workflow_service.get_visible(session=session, workflow_id=workflow_id, user=user)


def readable_by_member(workflow_id: uuid.UUID, session: SessionDep, user: CurrentUser) -> AgentWorkflow:
    return workflow_service.get_visible(session=session, workflow_id=workflow_id, user=user)


def owned_workflow(workflow_id: uuid.UUID, session: SessionDep, user: CurrentUser) -> AgentWorkflow:
    return workflow_service.get_owned(session=session, workflow_id=workflow_id, user=user)


def my_workflow(workflow_id: uuid.UUID, session: SessionDep, user: CurrentUser) -> AgentWorkflow:
    return workflow_service.get_mine(session=session, workflow_id=workflow_id, user=user)


VisibleWorkflow = Annotated[AgentWorkflow, Depends(visible_workflow)]
MemberVisibleWorkflow = Annotated[AgentWorkflow, Depends(readable_by_member)]
OwnedWorkflow = Annotated[AgentWorkflow, Depends(owned_workflow)]
# the caller's own workflow; someone else's is a 404 even when public (its memories are private)
MyWorkflow = Annotated[AgentWorkflow, Depends(my_workflow)]
