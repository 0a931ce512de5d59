"""The worker's work per SQS record: `execution.run` and `workflow.scheduled` messages (architecture §4)."""

import json
import uuid
from datetime import datetime

from aws_lambda_powertools import Logger
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from shared import quotas
from shared.config import get_utc_now, settings
from shared.db import session_scope
from shared.engine.runner import run_execution
from shared.executions.models import AgentExecution
from shared.queue.service import EXECUTION_RUN, WORKFLOW_SCHEDULED
from shared.workflows.models import AgentWorkflow

logger = Logger(child=True)


class MalformedMessage(ValueError):
    """A body that is not one of the two message types; retrying cannot help, the DLQ keeps it."""


def parse_message(body: str) -> dict:
    try:
        message = json.loads(body)
    except ValueError as exc:
        raise MalformedMessage("body is not JSON") from exc
    if not isinstance(message, dict) or message.get("type") not in (EXECUTION_RUN, WORKFLOW_SCHEDULED):
        raise MalformedMessage("unknown message type")
    return message


def parse_scheduled_at(value: str) -> datetime:
    """EventBridge Scheduler writes `2026-11-22T06:15:00Z`."""
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        raise MalformedMessage("scheduled_at needs a timezone")
    return moment


def scheduled_execution(
    *, session: Session, workflow_id: uuid.UUID, scheduled_at: datetime
) -> uuid.UUID | None:
    """The execution of one scheduled fire, created once per (workflow, scheduled_at)."""
    workflow = session.get(AgentWorkflow, workflow_id)
    if (
        workflow is None
        or workflow.trigger_type != "schedule"
        or not workflow.trigger_config.get("enabled", True)
    ):
        logger.info(
            "scheduled fire ignored: the workflow is gone or no longer scheduled",
            extra={"workflow_id": str(workflow_id)},
        )
        return None
    # Past the owner's daily quota the fire is recorded as failed, so the owner sees why it did not run.
    exceeded = quotas.daily_runs_exceeded(session, workflow.user_id)
    inserted = session.execute(
        pg_insert(AgentExecution)
        .values(
            id=uuid.uuid4(),
            workflow_id=workflow.id,
            user_id=workflow.user_id,
            workflow_version=workflow.version,
            status="pending" if exceeded is None else "failed",
            error_message=None if exceeded is None else f"Not run: {exceeded.message}",
            finished_at=None if exceeded is None else get_utc_now(),
            input_data=workflow.trigger_config.get("input", {}),
            trigger_type="schedule",
            trigger_metadata={"scheduled_at": scheduled_at.isoformat()},
            scheduled_at=scheduled_at,
            execution_log=[],
            created_at=get_utc_now(),
            updated_at=get_utc_now(),
        )
        .on_conflict_do_nothing(index_elements=["workflow_id", "scheduled_at"])
        .returning(AgentExecution.id)
    ).scalar()
    session.commit()
    if inserted is not None:
        return inserted
    # a duplicate delivery: the existing row decides (claiming makes a second run a no-op)
    return session.scalar(
        select(AgentExecution.id).where(
            AgentExecution.workflow_id == workflow_id, AgentExecution.scheduled_at == scheduled_at
        )
    )


def execution_of(message: dict) -> uuid.UUID | None:
    if message["type"] == EXECUTION_RUN:
        try:
            return uuid.UUID(str(message["execution_id"]))
        except (KeyError, ValueError) as exc:
            raise MalformedMessage("execution_id is missing or not a UUID") from exc
    return None


def handle_message(body: str, receive_count: int = 1) -> str | None:
    """Process one message; raising leaves it on the queue for another delivery (then the DLQ)."""
    message = parse_message(body)
    execution_id = execution_of(message)
    try:
        with session_scope() as session:
            if message["type"] == WORKFLOW_SCHEDULED:
                try:
                    workflow_id = uuid.UUID(str(message["workflow_id"]))
                    scheduled_at = parse_scheduled_at(str(message["scheduled_at"]))
                except (KeyError, ValueError) as exc:
                    raise MalformedMessage("workflow_id or scheduled_at is malformed") from exc
                execution_id = scheduled_execution(
                    session=session, workflow_id=workflow_id, scheduled_at=scheduled_at
                )
                if execution_id is None:
                    return None
            assert execution_id is not None
            return run_execution(session=session, execution_id=execution_id)
    except Exception as exc:
        if execution_id is not None and receive_count >= settings.QUEUE_MAX_RECEIVES:
            give_up(execution_id, f"gave up after {receive_count} deliveries: {type(exc).__name__}: {exc}")
        raise


def give_up(execution_id: uuid.UUID, reason: str) -> None:
    """The message is going to the DLQ: its execution must not stay pending or running."""
    with session_scope() as session:
        execution = session.get(AgentExecution, execution_id)
        if execution is not None and execution.status in ("pending", "running"):
            execution.status = "failed"
            execution.error_message = reason[:1000]
            execution.finished_at = get_utc_now()
    logger.error("execution failed: message sent to the DLQ", extra={"execution_id": str(execution_id)})
