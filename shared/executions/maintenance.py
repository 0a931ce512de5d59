"""Every 5 minutes: nothing stays pending or running forever, each domain purges its expired rows, and
database connections are analysed again when their analysis is old (or failed, or was lost)."""

from datetime import timedelta

from aws_lambda_powertools import Logger
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from shared import quotas
from shared.artifacts import service as artifact_service
from shared.audit import service as audit_service
from shared.auth import login_history
from shared.auth import purge as auth_purge
from shared.config import get_utc_now, settings
from shared.connections import analysis as connection_analysis
from shared.executions import lifecycle, tool_calls
from shared.executions.models import AgentExecution, ExecutionStatus
from shared.llm import credits
from shared.mcp import checks as mcp_checks
from shared.queue import dead_letters, jobs
from shared.queue import service as queue_service
from shared.tasks import steps
from shared.webhooks import service as webhook_service

logger = Logger(child=True)

REQUEUE_BATCH = 100


def recover_lost_runs(session: Session) -> tuple[int, int]:
    """Fail the runs whose worker died, then resume each once at the node it died in."""
    lost = lifecycle.fail_stuck_running(session)
    resumed = sum(
        lifecycle.resume_after_worker_loss(session=session, lost=execution) is not None for execution in lost
    )
    return len(lost), resumed


def requeue_lost_pending(session: Session) -> int:
    """Pending long after creation means its message was lost: send it again (a duplicate is a no-op)."""
    cutoff = get_utc_now() - timedelta(seconds=settings.PENDING_REQUEUE_AFTER_SECONDS)
    stale = session.scalars(
        select(AgentExecution)
        .where(AgentExecution.status == ExecutionStatus.PENDING, AgentExecution.updated_at < cutoff)
        .order_by(AgentExecution.created_at)
        .limit(REQUEUE_BATCH)
    ).all()
    requeued = 0
    for execution in stale:
        try:
            queue_service.enqueue_execution(session, execution)
        except queue_service.QueueUnavailableError:
            break
        session.execute(
            update(AgentExecution).where(AgentExecution.id == execution.id).values(updated_at=get_utc_now())
        )
        requeued += 1
    session.commit()
    return requeued


def purge_expired(session: Session) -> int:
    """Each domain's expired rows: webhook signatures, sign-in tokens and sessions, old audit and login
    log rows, spent rate-limit windows, old queue jobs and tool calls, and the rows of artifacts the
    bucket has expired."""
    removed = (
        webhook_service.purge_spent_signatures(session)
        + auth_purge.purge_expired(session)
        + audit_service.purge_old_entries(session)
        + login_history.purge_old_entries(session)
        + quotas.purge_old_windows(session)
        + jobs.purge_old(session)
        + tool_calls.purge_old(session)
        + artifact_service.purge_expired(session)
    )
    session.commit()
    return removed


def release_lost_holds(session: Session) -> int:
    """Credits held by model calls whose worker died go back to their owners once no call can still be
    running (the execution timeout plus grace)."""
    cutoff = get_utc_now() - timedelta(
        seconds=settings.EXECUTION_TIMEOUT_SECONDS + settings.STUCK_RUNNING_GRACE_SECONDS
    )
    released = credits.release_stale_holds(session, older_than=cutoff)
    session.commit()
    return released


def reconcile_tasks(session: Session) -> int:
    """Tasks whose run ended where the worker could not tell them (a cancel of a queued run, a run
    failed by maintenance) take its outcome."""
    stale = steps.unfinished_runs(session)
    for task in stale:
        steps.sync(session, task)
    return len(stale)


def run_maintenance(session: Session) -> dict[str, int]:
    failed_stuck, resumed = recover_lost_runs(session)
    report = {
        "failed_stuck": failed_stuck,
        "resumed_lost": resumed,
        "requeued_pending": requeue_lost_pending(session),
        "released_holds": release_lost_holds(session),
        "queued_mcp_checks": mcp_checks.enqueue_due_checks(session),
        "analyses_failed_stuck": connection_analysis.fail_stuck(session),
        "analyses_queued": connection_analysis.queue_due(session),
        "reconciled_tasks": reconcile_tasks(session),
        "dead_letters": dead_letters.drain(session),
        "purged_rows": purge_expired(session),
    }
    logger.info("maintenance done", extra=report)
    return report
