"""An execution's lifecycle, the one place that writes its status: create (pending, or as scheduled
fires), queue, claim (pending → running), finish with the engine's outcome, fail with a reason, cancel,
pause and resume between nodes (a task's run), resume after a failure, and notify the owner.

pending → running → completed | failed | cancelled; running → paused → pending. Light on purpose: the
API functions that start runs import it; the engine is the worker's (shared.executions.worker)."""

import uuid
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools import Logger
from sqlalchemy import bindparam, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from shared import quotas
from shared.catalog import usage as catalog_usage
from shared.config import get_utc_now, settings
from shared.db import commit_result, commit_result_with, commit_without_waiting_for_the_disk
from shared.errors import NotFoundError, PaymentRequiredError, RateLimitedError, ServiceUnavailableError
from shared.executions import notifications, tool_calls
from shared.executions.models import FINISHED_STATUSES, AgentExecution, ExecutionStatus
from shared.llm import credits, offers
from shared.orm import as_loaded
from shared.queue import service as queue_service
from shared.workflows import service as workflow_service
from shared.workflows.models import AgentWorkflow

if TYPE_CHECKING:
    from shared.engine.runner import Outcome

logger = Logger(child=True)

MAX_ERROR_LENGTH = 1000
CANCELLED_BY_OWNER = "Cancelled by the owner"
# How the worker's last delivery of a message fails its execution (shared.executions.worker); a redrive
# of that message reopens only executions failed this way.
GAVE_UP = "gave up after"
NOT_QUEUED = "The run could not be queued; nothing was executed."
WORKER_LOST = (
    "The run stopped making progress (worker lost); it is resumed once automatically at the node it "
    "stopped in, and can be retried."
)


# --- creating -----------------------------------------------------------------------------------


def pending_fields(
    *,
    workflow_id: uuid.UUID,
    user_id: uuid.UUID,
    workflow_version: int,
    input_data: dict[str, Any],
    trigger_type: str,
    trigger_metadata: dict[str, Any] | None = None,
    retry_of_id: uuid.UUID | None = None,
) -> dict[str, Any]:
    """The columns of a pending execution, pinned to a version of its workflow."""
    return {
        "workflow_id": workflow_id,
        "user_id": user_id,
        "workflow_version": workflow_version,
        "status": ExecutionStatus.PENDING,
        "input_data": input_data,
        "trigger_type": trigger_type,
        "trigger_metadata": trigger_metadata or {},
        "retry_of_id": retry_of_id,
    }


def failed_fields(reason: str) -> dict[str, Any]:
    return {
        "status": ExecutionStatus.FAILED,
        "error_message": reason[:MAX_ERROR_LENGTH],
        "finished_at": get_utc_now(),
    }


def new_execution(**fields: Any) -> AgentExecution:
    """A pending execution (the fields of `pending_fields`)."""
    return AgentExecution(**pending_fields(**fields))


def admit(session: Session, execution: AgentExecution) -> AgentExecution:
    """Commit a new pending execution, within the owner's daily run quota (429) and credits (402). A
    caller that runs it itself (an agent's workflow tool, a chat with a workflow) then calls
    shared.executions.worker.run_execution; `queue` sends it to the worker."""
    refused = quotas.daily_runs_exceeded(session, execution.user_id) or unaffordable(
        session,
        workflow_id=execution.workflow_id,
        version=execution.workflow_version,
        user_id=execution.user_id,
    )
    if refused is not None:
        raise refused
    session.add(execution)
    session.commit()
    return execution


def queue(session: Session, execution: AgentExecution) -> AgentExecution:
    """Admit a new pending execution and send its `execution.run` message. If the queue refuses the
    message, the row is failed (never left pending forever) and the caller gets a 503 to retry."""
    admit(session, execution)
    try:
        queue_service.enqueue_execution(session, execution)
    except queue_service.QueueUnavailableError as exc:
        fail(execution, NOT_QUEUED)
        session.commit()
        logger.error("execution not queued", extra={"execution_id": str(execution.id)})
        raise ServiceUnavailableError("The run could not be queued; try again shortly") from exc
    return execution


def create_scheduled(*, session: Session, workflow_id: uuid.UUID, scheduled_at: datetime) -> uuid.UUID | None:
    """The execution of one scheduled fire, created once per (workflow, scheduled_at); None when the
    workflow is gone or no longer scheduled, or its owner is disabled. Past the owner's daily quota the
    fire is recorded as failed, so the owner sees why it did not run."""
    workflow = session.get(AgentWorkflow, workflow_id)
    # a disabled owner's schedules are removed from the scheduler; a fire already on its way is dropped
    if workflow is None or not workflow.active_schedule or not workflow.user.is_active:
        logger.info(
            "scheduled fire ignored: the workflow is gone, no longer scheduled, or its owner disabled",
            extra={"workflow_id": str(workflow_id)},
        )
        return None
    values = pending_fields(
        workflow_id=workflow.id,
        user_id=workflow.user_id,
        workflow_version=workflow.version,
        input_data=workflow.trigger_config.get("input", {}),
        trigger_type="schedule",
        trigger_metadata={"scheduled_at": scheduled_at.isoformat()},
    )
    refused = quotas.daily_runs_exceeded(session, workflow.user_id) or unaffordable(
        session, workflow_id=workflow.id, version=workflow.version, user_id=workflow.user_id
    )
    if refused is not None:
        values.update(failed_fields(f"Not run: {refused.message}"))
    now = get_utc_now()
    inserted = session.execute(
        pg_insert(AgentExecution)
        .values(
            **values,
            id=uuid.uuid4(),
            scheduled_at=scheduled_at,
            execution_log=[],
            created_at=now,
            updated_at=now,
        )
        .on_conflict_do_nothing(index_elements=["workflow_id", "scheduled_at"])
        .returning(AgentExecution.id)
    ).scalar()
    session.commit()
    if inserted is not None:
        return inserted
    # a duplicate delivery: the existing row decides (claiming makes a second run a no-op)
    return scheduled_execution(session, workflow_id, scheduled_at)


def scheduled_execution(session: Session, workflow_id: uuid.UUID, scheduled_at: datetime) -> uuid.UUID | None:
    """The execution of one scheduled fire, if it was created."""
    return session.scalar(
        select(AgentExecution.id).where(
            AgentExecution.workflow_id == workflow_id, AgentExecution.scheduled_at == scheduled_at
        )
    )


def unaffordable(
    session: Session, *, workflow_id: uuid.UUID, version: int, user_id: uuid.UUID
) -> PaymentRequiredError | None:
    """A 402 when the owner's balances cannot cover even one of the version's charged llm calls (each
    call holds its own maximum cost again when it runs; this only refuses runs that cannot get far)."""
    try:
        snapshot = workflow_service.get_version_snapshot(
            session=session, workflow_id=workflow_id, version=version
        )
    except NotFoundError:
        return None  # nothing to price: the worker fails such a run with the reason
    required = offers.largest_call_cost(
        snapshot["graph_json"],
        model=snapshot["llm_model"],
        provider=snapshot.get("llm_provider"),
        system_prompt=snapshot.get("system_prompt"),
    )
    if required == 0:
        return None
    available = credits.balances(session, user_id).total
    if available >= required:
        return None
    return PaymentRequiredError(
        f"Not enough credits to run this workflow: an LLM call of it may cost up to {required} credits "
        f"and {available} are available"
    )


def resumption(previous: AgentExecution, version: int, **metadata: str) -> AgentExecution:
    """A pending execution that reuses `previous`'s successful nodes and resumes at its failure."""
    return new_execution(
        workflow_id=previous.workflow_id,
        user_id=previous.user_id,
        workflow_version=version,
        input_data=previous.input_data,
        trigger_type=previous.trigger_type,
        # a retry by the owner starts afresh: it may be resumed once again if its worker dies
        trigger_metadata={
            **{key: value for key, value in previous.trigger_metadata.items() if key != "recovery_of"},
            **metadata,
        },
        retry_of_id=previous.id,
    )


# --- running ------------------------------------------------------------------------------------


_executions, _workflows = AgentExecution.__table__, AgentWorkflow.__table__

# The worker's most frequent statement, built once, and in Core: building it, and an ORM-enabled
# statement's bookkeeping, cost more than running it.
CLAIM = (
    update(_executions)
    .where(
        _executions.c.id == bindparam("claimed_execution_id"), _executions.c.status == ExecutionStatus.PENDING
    )
    .values(
        status=ExecutionStatus.RUNNING, started_at=bindparam("claimed_at"), updated_at=bindparam("claimed_at")
    )
    .returning(*_executions.c)
)


def claim(session: Session, execution_id: uuid.UUID) -> AgentExecution | None:
    """pending → running in one conditional UPDATE: a duplicate delivery finds nothing to claim. The
    returned row replaces what the session held of it.

    The claim is left to the run's first commit (`commit_claim`): before the run waits on the outside
    world or looks at the row again for its owner's cancel or pause, or else with its result. Until
    then its row lock keeps a cancel waiting, which the run could not have seen any sooner: in-process
    nodes look for one at most every CANCEL_CHECK_INTERVAL_SECONDS. So a run of in-process nodes is one
    transaction, its claim and its result. A claim lost to a crash leaves the run pending, and its
    message's next delivery runs it."""
    now = get_utc_now()
    row = session.execute(CLAIM, {"claimed_execution_id": execution_id, "claimed_at": now}).first()
    return None if row is None else as_loaded(session, AgentExecution, row._mapping)


def commit_claim(session: Session) -> None:
    """Commit the claim, and what the run wrote since, without waiting for the disk: the owner sees the
    run running and can ask it to stop. The result's commit flushes it to the disk."""
    commit_without_waiting_for_the_disk(session)


def save_progress(session: Session, execution: AgentExecution, log: list[dict[str, Any]]) -> None:
    """Commit the log so far: a resumption after a worker's death reuses what it holds."""
    execution.execution_log = list(log)
    session.commit()


def stop_requested(session: Session, execution_id: uuid.UUID) -> str | None:
    """ "cancel" or "pause" when the owner asked the run to stop before its next node (cancel wins)."""
    row = session.execute(
        select(AgentExecution.cancel_requested_at, AgentExecution.pause_requested_at).where(
            AgentExecution.id == execution_id
        )
    ).first()
    return "cancel" if row is None else stop_request_of(row)


def stop_request_of(row: Any) -> str | None:
    """ "cancel" or "pause" as a row read just now says (an execution, or its two request columns)."""
    if row.cancel_requested_at is not None:
        return "cancel"
    return "pause" if row.pause_requested_at is not None else None


def finish(session: Session, execution: AgentExecution, outcome: "Outcome") -> None:
    """Record the engine's outcome, count the run (skill statistics from its recorded tool calls, the
    workflow's run count), and mail the owner what the outcome calls for."""
    ended = {
        **_work_done(execution, outcome),
        **_ended_fields(execution, ExecutionStatus(outcome.status), outcome.error),
        "output_data": execution.output_data if outcome.output is None else outcome.output,
    }
    if any(entry.get("type") == "skill" for entry in outcome.log):  # else no skill call was recorded
        catalog_usage.record_skill_calls(session, tool_calls.skill_latencies(session, execution.id))
    _end_count_and_notify(session, execution, ended)


def _work_done(execution: AgentExecution, outcome: "Outcome") -> dict[str, Any]:
    """The log and what the work cost; counters add up over the parts of a run handed to the worker."""
    return {
        "execution_log": list(outcome.log),
        "token_usage": execution.token_usage + outcome.token_usage,
        "credits_used": execution.credits_used + outcome.credits_used,
        "total_api_calls": execution.total_api_calls + outcome.api_calls,
    }


def _record_work(execution: AgentExecution, outcome: "Outcome") -> None:
    for key, value in _work_done(execution, outcome).items():
        setattr(execution, key, value)


def hand_over(session: Session, execution: AgentExecution, outcome: "Outcome") -> None:
    """An in-process run (a chat's) reached its hand-over time: back to pending with what it has done,
    and onto the queue, where the worker goes on from the next node (a queue that refuses fails it)."""
    _record_work(execution, outcome)
    execution.status = ExecutionStatus.PENDING
    session.commit()
    _requeue(session, execution)


def _requeue(session: Session, execution: AgentExecution) -> None:
    try:
        queue_service.enqueue_execution(session, execution)
    except queue_service.QueueUnavailableError:
        fail(execution, NOT_QUEUED)
        session.commit()


def pause(session: Session, execution: AgentExecution, outcome: "Outcome") -> None:
    """The engine stopped before a node because the owner asked to pause: paused with what it has done,
    until `resume`."""
    _record_work(execution, outcome)
    execution.status = ExecutionStatus.PAUSED
    execution.pause_requested_at = None
    session.commit()


def request_pause(execution: AgentExecution) -> None:
    """Pending: paused at once. Running: asked to stop before its next node (the caller commits)."""
    if execution.status == ExecutionStatus.PENDING:
        execution.status = ExecutionStatus.PAUSED
    else:
        execution.pause_requested_at = execution.pause_requested_at or get_utc_now()


def resume(session: Session, execution: AgentExecution) -> None:
    """Running with a pause asked for: the request is withdrawn. Paused: pending again and queued; the
    worker goes on from the next node, reusing what is done (a queue that refuses fails it)."""
    execution.pause_requested_at = None
    if execution.status != ExecutionStatus.PAUSED:
        session.commit()
        return
    execution.status = ExecutionStatus.PENDING
    session.commit()
    _requeue(session, execution)


def reopen_given_up(session: Session, execution_id: uuid.UUID) -> None:
    """An execution failed because its message was dead-lettered is pending again, for the redriven
    message to run (the caller commits). Any other execution stays as it is."""
    execution = session.get(AgentExecution, execution_id, with_for_update=True)
    if (
        execution is not None
        and execution.status == ExecutionStatus.FAILED
        and (execution.error_message or "").startswith(GAVE_UP)
    ):
        execution.status = ExecutionStatus.PENDING
        execution.error_message = execution.finished_at = execution.duration_ms = None


def crashed(
    session: Session, execution_id: uuid.UUID, error: BaseException, started_at: datetime | None = None
) -> AgentExecution:
    """A run the engine could not finish (a bug, a lost database) is failed, never left running.
    `started_at`: when its claim started it, which the rollback undoes if the claim was not committed."""
    session.rollback()
    execution = session.get(AgentExecution, execution_id)
    assert execution is not None
    reason = f"internal error: {type(error).__name__}"
    ended = _ended_fields(execution, ExecutionStatus.FAILED, reason, started_at=started_at)
    _end_count_and_notify(session, execution, ended)
    return execution


# The worker's last statement of a run, built once: the execution's end (the SET clause is the
# parameters', see _end_count_and_notify) and, in a data-modifying CTE of the same statement, its
# workflow's run count, whose row lock it takes; returns the new count and whether the owner wants mail
# on success.
_COUNTED = (
    update(_workflows)
    .where(_workflows.c.id == bindparam("counted_workflow_id"))
    .values(run_count=_workflows.c.run_count + 1, updated_at=bindparam("counted_at"))
    .returning(_workflows.c.run_count, _workflows.c.notify_on_success)
    .cte("counted")
)
END_AND_COUNT = (
    update(_executions)
    .where(_executions.c.id == bindparam("ended_execution_id"))
    .add_cte(_COUNTED)
    .returning(
        select(_COUNTED.c.run_count).scalar_subquery(), select(_COUNTED.c.notify_on_success).scalar_subquery()
    )
)


def _end_count_and_notify(session: Session, execution: AgentExecution, ended: dict[str, Any]) -> None:
    """Write the execution's end and count the run in one statement, decide its mail, and commit; send
    after the commit. A failure's mail is decided before the commit: it is counted against the
    workflow's cooldown under the row lock the run count's update took, so concurrent failures take
    turns. Any other end commits with the statement, in one round trip (shared.db.commit_with), and its
    mail (a success's, when the workflow asks for one) only reads. In a worker's SQS batch the commit
    does not wait for the disk (shared.db.commit_result). `execution` takes `ended` as its committed
    state."""
    now = get_utc_now()
    ended = {**ended, "updated_at": now}
    params = {
        **ended,
        "ended_execution_id": execution.id,
        "counted_workflow_id": execution.workflow_id,
        "counted_at": now,
    }
    failed = ended["status"] == ExecutionStatus.FAILED
    if failed:
        rows = session.execute(END_AND_COUNT, params).all()
    else:
        rows = commit_result_with(session, END_AND_COUNT, params)
    run_count, notify_on_success = rows[0] if rows else (None, False)
    for key, value in ended.items():
        set_committed_value(execution, key, value)
    workflow = session.identity_map.get(identity_key(AgentWorkflow, execution.workflow_id))
    if workflow is not None and run_count is not None:  # what the session holds of the row stays true
        set_committed_value(workflow, "run_count", run_count)
        set_committed_value(workflow, "updated_at", now)
    mail = notifications.mail_for(
        session=session, execution=execution, notify_on_success=bool(notify_on_success)
    )
    if failed:
        commit_result(session)
    if mail is not None:
        notifications.send(session=session, mail=mail)


# --- ending otherwise ----------------------------------------------------------------------------


def _ended_fields(
    execution: AgentExecution, status: ExecutionStatus, error: str | None, started_at: datetime | None = None
) -> dict[str, Any]:
    """The columns of an execution that ends now with `status` (and `error`); `started_at` if the row
    lost when it started."""
    now = get_utc_now()
    ended: dict[str, Any] = {
        "status": status,
        "error_message": error[:MAX_ERROR_LENGTH] if error else None,
        "finished_at": now,
        "pause_requested_at": None,
    }
    if execution.started_at is None and started_at is not None:
        ended["started_at"] = started_at
    started = execution.started_at or started_at
    ended["duration_ms"] = (
        execution.duration_ms if started is None else int((now - started).total_seconds() * 1000)
    )
    return ended


def _end(execution: AgentExecution, status: ExecutionStatus, error: str | None) -> None:
    for key, value in _ended_fields(execution, status, error).items():
        setattr(execution, key, value)


def fail(execution: AgentExecution, reason: str) -> None:
    """The execution failed for `reason` (the caller commits)."""
    _end(execution, ExecutionStatus.FAILED, reason)


def cancel(execution: AgentExecution) -> None:
    """Pending or paused: cancelled at once. Running: asked to stop before its next node (the caller
    commits)."""
    now = get_utc_now()
    if execution.status in (ExecutionStatus.PENDING, ExecutionStatus.PAUSED):
        _end(execution, ExecutionStatus.CANCELLED, CANCELLED_BY_OWNER)
    execution.cancel_requested_at = execution.cancel_requested_at or now


def give_up(session: Session, execution_id: uuid.UUID, reason: str) -> None:
    """Its message is going to the dead-letter queue: the execution must not stay pending or running."""
    execution = session.get(AgentExecution, execution_id)
    if execution is not None and execution.status not in FINISHED_STATUSES:
        fail(execution, reason)
    session.commit()
    logger.error("execution failed: message sent to the DLQ", extra={"execution_id": str(execution_id)})


def fail_stuck_running(session: Session) -> list[AgentExecution]:
    """Running past the execution timeout (plus grace) means the worker died: fail with the reason."""
    cutoff = get_utc_now() - timedelta(
        seconds=settings.EXECUTION_TIMEOUT_SECONDS + settings.STUCK_RUNNING_GRACE_SECONDS
    )
    failed = session.scalars(
        update(AgentExecution)
        .where(AgentExecution.status == ExecutionStatus.RUNNING, AgentExecution.started_at < cutoff)
        .values(**failed_fields(WORKER_LOST))
        .returning(AgentExecution),
        execution_options={"populate_existing": True},
    ).all()
    session.commit()
    return list(failed)


def resume_after_worker_loss(*, session: Session, lost: AgentExecution) -> AgentExecution | None:
    """Maintenance's recovery of a run whose worker died (timeout, crash, out of memory): one automatic
    resumption at the node it died in. A run that was itself such a resumption stays failed, so a node
    that kills its worker every time cannot loop; so does one the quota or the queue refuses."""
    if lost.trigger_metadata.get("recovery_of") or session.get(AgentWorkflow, lost.workflow_id) is None:
        return None
    try:
        return queue(
            session, resumption(lost, lost.workflow_version, recovery_of=str(lost.id), retry_of=str(lost.id))
        )
    except (RateLimitedError, PaymentRequiredError, ServiceUnavailableError) as exc:
        session.rollback()
        logger.warning("lost run not resumed", extra={"execution_id": str(lost.id), "reason": exc.message})
        return None
