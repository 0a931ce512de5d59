"""Queue jobs: what became of each message sent to our queues. Created by shared.queue.service when it
sends, updated by the worker as it receives (attempts are SQS's ApproximateReceiveCount), runs, finishes
or fails a message; `dead` once the message went to a dead-letter queue (the worker's last attempt, or
maintenance draining the DLQ). The sent body is kept encrypted, so a dead job can be redriven."""

import uuid
from datetime import timedelta
from typing import Any

from aws_lambda_powertools import Logger
from sqlalchemy import Integer, String, bindparam, column, delete, func, select, update
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql import UUID as PG_UUID
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from shared import crypto
from shared.api.pagination import PageParams, paginate
from shared.config import get_utc_now, settings
from shared.db import commit_with
from shared.errors import NotFoundError
from shared.queue import messages
from shared.queue.models import JobStatus, QueueJob, QueueName

logger = Logger(child=True)

MAX_ERROR_LENGTH = 1000


def queue_of(message_type: str) -> QueueName:
    return QueueName.MAIL if message_type == "mail.send" else QueueName.EXECUTIONS


def new_job(message: messages.AnyMessage, *, queue: QueueName, task_id: uuid.UUID | None) -> QueueJob:
    """The job of a message about to be sent (the caller adds and commits it)."""
    if task_id is None and isinstance(message, messages.TaskPlan):
        task_id = message.task_id
    return QueueJob(
        id=uuid.uuid4(),
        queue=queue,
        type=message.type,
        reference=messages.reference_of(message),
        task_id=task_id,
        data=messages.redacted(message),
        body_encrypted=crypto.encrypt(messages.body_of(message)),
        status=JobStatus.QUEUED,
        max_attempts=settings.QUEUE_MAX_RECEIVES,
    )


def not_sent(job: QueueJob, reason: str) -> None:
    """The queue refused the message (the caller commits)."""
    job.status, job.error, job.failed_at = JobStatus.FAILED, reason[:MAX_ERROR_LENGTH], get_utc_now()


def _untracked(session: Session, message_id: str, body: str) -> uuid.UUID:
    """A message our code did not send (a schedule's fire, sent by EventBridge Scheduler) is tracked
    from its first delivery; a second delivery finds the row by its message id."""
    try:
        message: messages.AnyMessage | None = messages.parse(body)
    except messages.MalformedMessage:
        message = None
    message_type = message.type if message is not None else "unknown"
    session.execute(
        pg_insert(QueueJob)
        .values(
            id=uuid.uuid4(),
            queue=queue_of(message_type),
            message_id=message_id,
            type=message_type,
            reference=messages.reference_of(message) if message is not None else None,
            data=messages.redacted(message) if message is not None else {},
            body_encrypted=crypto.encrypt(body),
            status=JobStatus.QUEUED,
            max_attempts=settings.QUEUE_MAX_RECEIVES,
            created_at=get_utc_now(),
            updated_at=get_utc_now(),
        )
        .on_conflict_do_nothing(index_elements=["message_id"])
    )
    job_id = session.scalar(select(QueueJob.id).where(QueueJob.message_id == message_id))
    assert job_id is not None
    return job_id


def job_uuid(job_id: str | None) -> uuid.UUID | None:
    """The job a message's attribute names, if it is a job id at all."""
    try:
        return uuid.UUID(job_id) if job_id else None
    except ValueError:
        return None


def received(
    session: Session, *, job_id: str | None, message_id: str, body: str, receive_count: int
) -> uuid.UUID:
    """A delivery of a message starts: its job is running, at attempt `receive_count` (committed). A
    message we sent names its job; another is found by its message id, or tracked now."""
    named = job_uuid(job_id)
    if named is not None and received_together(session, [(named, message_id, receive_count)]):
        return named
    found = session.scalar(select(QueueJob.id).where(QueueJob.message_id == message_id))
    if found is None:
        found = _untracked(session, message_id, body)
    received_together(session, [(found, message_id, receive_count)])
    return found


def json_rows(parameter: str, name: str, *columns: Any) -> Any:
    """The objects of the JSON array bound as `parameter`, as the rows of a table `name` of `columns`."""
    rows = func.jsonb_to_recordset(bindparam(parameter, type_=JSONB)).table_valued(*columns)
    return rows.render_derived(name=name, with_types=True)


# A batch's jobs start and complete in one statement each, built once: the deliveries travel as one JSON
# array (the statement's text, and so its compiled form, is the same for any batch).
DELIVERED = json_rows(
    "deliveries",
    "delivered",
    column("id", PG_UUID(as_uuid=True)),
    column("message_id", String),
    column("attempts", Integer),
)
RECEIVED_TOGETHER = (
    update(QueueJob)
    .where(QueueJob.id == DELIVERED.c.id)
    .values(
        status=JobStatus.RUNNING,
        attempts=DELIVERED.c.attempts,
        message_id=DELIVERED.c.message_id,
        started_at=func.coalesce(QueueJob.started_at, bindparam("now")),
        updated_at=bindparam("now"),
    )
    .returning(QueueJob.id)
)
DONE = json_rows("results", "done", column("id", PG_UUID(as_uuid=True)), column("result", JSONB))
COMPLETED_TOGETHER = (
    update(QueueJob)
    .where(QueueJob.id == DONE.c.id)
    .values(
        status=JobStatus.COMPLETED,
        progress=100,
        result=DONE.c.result,
        error=None,
        completed_at=bindparam("now"),
    )
)


def received_together(session: Session, deliveries: list[tuple[uuid.UUID, str, int]]) -> set[uuid.UUID]:
    """The deliveries (job id, message id, receive count) of one SQS batch start together: their jobs
    are running, in one statement instead of one each, which carries its commit (one round trip;
    the commit does not wait for the disk, see shared.db.commit_with). Returns the jobs found."""
    if not deliveries:
        return set()
    found = commit_with(
        session,
        RECEIVED_TOGETHER,
        {
            "deliveries": [
                {"id": str(job), "message_id": message_id, "attempts": attempts}
                for job, message_id, attempts in deliveries
            ],
            "now": get_utc_now(),
        },
        wait_for_the_disk=False,
        execution_options={"synchronize_session": False},
    )
    return {job for (job,) in found}


def completed_together(session: Session, results: list[tuple[uuid.UUID, dict[str, Any] | None]]) -> None:
    """The jobs of one batch's handled records are completed, in one statement that carries an
    ordinary commit (one round trip), which waits for the disk: it makes the results the batch committed
    without waiting durable too (shared.db.commit_result), before SQS deletes the messages."""
    if not results:
        return
    commit_with(
        session,
        COMPLETED_TOGETHER,
        {"results": [{"id": str(job), "result": result} for job, result in results], "now": get_utc_now()},
        execution_options={"synchronize_session": False},
    )


def set_progress(session: Session, job_id: uuid.UUID, percent: int) -> None:
    """How far the job's work is, 0-100 (committed with the caller's next commit)."""
    session.execute(
        update(QueueJob).where(QueueJob.id == job_id).values(progress=max(0, min(100, int(percent))))
    )


def completed(session: Session, job_id: uuid.UUID, result: dict[str, Any] | None) -> None:
    completed_together(session, [(job_id, result)])


def failed(session: Session, job_id: uuid.UUID, error: str, *, dead: bool) -> None:
    """An attempt failed: SQS delivers the message again, or, after its last attempt, dead-letters it."""
    session.execute(
        update(QueueJob)
        .where(QueueJob.id == job_id)
        .values(
            status=JobStatus.DEAD if dead else JobStatus.FAILED,
            error=error[:MAX_ERROR_LENGTH],
            failed_at=get_utc_now(),
        )
    )
    session.commit()
    if dead:
        logger.error(
            "queue job dead: its message goes to the dead-letter queue", extra={"job_id": str(job_id)}
        )


def dead_lettered(session: Session, *, job_id: str | None, message_id: str) -> bool:
    """A message found in a dead-letter queue: its job is dead (if it was not already); False when no job
    of ours knows the message. The caller commits."""
    named = job_uuid(job_id)
    condition = QueueJob.id == named if named is not None else QueueJob.message_id == message_id
    job = session.scalar(select(QueueJob).where(condition))
    if job is None:
        return False
    if job.status != JobStatus.DEAD:
        job.status, job.failed_at = JobStatus.DEAD, get_utc_now()
        job.error = job.error or "dead-lettered after its last delivery"
    return True


def body_of(job: QueueJob) -> str:
    return crypto.decrypt(job.body_encrypted)


def get(session: Session, job_id: uuid.UUID) -> QueueJob:
    job = session.get(QueueJob, job_id)
    if job is None:
        raise NotFoundError("Job not found")
    return job


def list_jobs(
    session: Session,
    *,
    page: PageParams,
    queue: str | None = None,
    status: str | None = None,
    type: str | None = None,
) -> tuple[list[QueueJob], int]:
    """Jobs newest first, optionally of one queue, status or message type."""
    query = select(QueueJob).order_by(QueueJob.created_at.desc(), QueueJob.id)
    if queue is not None:
        query = query.where(QueueJob.queue == queue)
    if status is not None:
        query = query.where(QueueJob.status == status)
    if type is not None:
        query = query.where(QueueJob.type == type)
    return paginate(session, query, page)


def purge_old(session: Session) -> int:
    """Jobs untouched for QUEUE_JOB_RETENTION_DAYS, whatever became of them; the caller commits."""
    cutoff = get_utc_now() - timedelta(days=settings.QUEUE_JOB_RETENTION_DAYS)
    return session.execute(delete(QueueJob).where(QueueJob.updated_at < cutoff)).rowcount
