"""/v1/hooks/{workflow_id}: start a run from a signed webhook call."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Request, status

from shared.api.responses import error_responses
from shared.auth.dependencies import Client
from shared.db import SessionDep
from shared.executions.schemas import ExecutionPublic
from shared.webhooks import service as webhook_service

router = APIRouter(prefix="/hooks", tags=["webhooks"])


async def raw_body(request: Request) -> bytes:
    """The exact bytes that were signed (the route itself stays sync for its database work)."""
    return await request.body()


@router.post(
    "/{workflow_id}",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=ExecutionPublic,
    responses=error_responses(401, 402, 403, 404, 413, 422, 429, 503),
)
def receive_webhook(
    workflow_id: uuid.UUID,
    body: Annotated[bytes, Depends(raw_body)],
    session: SessionDep,
    client: Client,
    x_ainav_signature: Annotated[
        str | None, Header(description="t=<unix>,v1=<hex hmac-sha256 of 't.' + body>")
    ] = None,
) -> ExecutionPublic:
    execution = webhook_service.receive(
        session=session, workflow_id=workflow_id, signature=x_ainav_signature, body=body, source_ip=client.ip
    )
    return ExecutionPublic.model_validate(execution)
