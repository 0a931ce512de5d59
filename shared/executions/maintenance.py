"""Every 5 minutes: nothing stays pending or running forever, and expired rows are cleared."""

from datetime import timedelta

from aws_lambda_powertools import Logger
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from shared.audit.models import OperationLog
from shared.auth.models import OAuthState, OneTimeToken, UserSession
from shared.config import get_utc_now, settings
from shared.executions import service as execution_service
from shared.executions.models import AgentExecution
from shared.queue import service as queue_service
from shared.workflows.models import WebhookDelivery

logger = Logger(child=True)

REQUEUE_BATCH = 100
EXPIRED_ROW_RETENTION = timedelta(days=1)
STUCK_MESSAGE = (
    "The run stopped making progress (worker lost); it is resumed once automatically at the node it "
    "stopped in, and can be retried."
)


def fail_stuck_running(session: Session) -> list[AgentExecution]:
    """Running past the execution timeout (plus grace) means the worker died: fail with the reason."""
    cutoff = get_utc_now() - timedelta(
        seconds=settings.EXECUTION_TIMEOUT_SECONDS + settings.STUCK_RUNNING_GRACE_SECONDS
    )
    failed = session.scalars(
        update(AgentExecution)
        .where(AgentExecution.status == "running", AgentExecution.started_at < cutoff)
        .values(status="failed", error_message=STUCK_MESSAGE, finished_at=get_utc_now())
        .returning(AgentExecution),
        execution_options={"populate_existing": True},
    ).all()
    session.commit()
    return list(failed)


def recover_lost_runs(session: Session) -> tuple[int, int]:
    """Fail the runs whose worker died, then resume each once at the node it died in."""
    lost = fail_stuck_running(session)
    resumed = sum(
        execution_service.resume_after_worker_loss(session=session, lost=execution) is not None
        for execution in lost
    )
    return len(lost), resumed


def requeue_lost_pending(session: Session) -> int:
    """Pending long after creation means its message was lost: send it again (a duplicate is a no-op)."""
    cutoff = get_utc_now() - timedelta(seconds=settings.PENDING_REQUEUE_AFTER_SECONDS)
    stale = session.scalars(
        select(AgentExecution.id)
        .where(AgentExecution.status == "pending", AgentExecution.updated_at < cutoff)
        .order_by(AgentExecution.created_at)
        .limit(REQUEUE_BATCH)
    ).all()
    requeued = 0
    for execution_id in stale:
        try:
            queue_service.enqueue_execution(execution_id)
        except queue_service.QueueUnavailableError:
            break
        session.execute(
            update(AgentExecution).where(AgentExecution.id == execution_id).values(updated_at=get_utc_now())
        )
        requeued += 1
    session.commit()
    return requeued


def purge_expired(session: Session) -> int:
    """Webhook signatures past their window, spent or expired tokens and states, dead sessions, and
    operation-log rows past AUDIT_LOG_RETENTION_DAYS."""
    now = get_utc_now()
    statements = [
        delete(WebhookDelivery).where(
            WebhookDelivery.received_at < now - timedelta(seconds=2 * settings.WEBHOOK_TOLERANCE_SECONDS)
        ),
        delete(OneTimeToken).where(OneTimeToken.expires_at < now - EXPIRED_ROW_RETENTION),
        delete(OAuthState).where(OAuthState.expires_at < now - EXPIRED_ROW_RETENTION),
        delete(UserSession).where(UserSession.expires_at < now - EXPIRED_ROW_RETENTION),
        delete(OperationLog).where(
            OperationLog.opera_time < now - timedelta(days=settings.AUDIT_LOG_RETENTION_DAYS)
        ),
    ]
    removed = sum(session.execute(statement).rowcount for statement in statements)
    session.commit()
    return removed


def run_maintenance(session: Session) -> dict[str, int]:
    failed_stuck, resumed = recover_lost_runs(session)
    report = {
        "failed_stuck": failed_stuck,
        "resumed_lost": resumed,
        "requeued_pending": requeue_lost_pending(session),
        "purged_rows": purge_expired(session),
    }
    logger.info("maintenance done", extra=report)
    return report
