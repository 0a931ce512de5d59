"""Redriving a dead job: its body is sent again to its queue, and what its last delivery gave up on is
reopened first (a run or a task failed because its message died goes back to pending), so the
redriven message does the work instead of finding it ended."""

from sqlalchemy.orm import Session

from shared.errors import ConflictError, ServiceUnavailableError
from shared.executions import lifecycle
from shared.queue import jobs, messages, service
from shared.queue.models import JobStatus, QueueJob, QueueName
from shared.tasks import planning


def redrive(session: Session, job: QueueJob) -> QueueJob:
    """Send a dead job's message again (409 for any other job; 503 when the queue refuses)."""
    session.refresh(job, with_for_update=True)
    if job.status != JobStatus.DEAD:
        raise ConflictError(f"Only a dead job can be redriven; this one is {job.status}")
    body = jobs.body_of(job)
    try:
        message = messages.parse(body)
    except messages.MalformedMessage:
        raise ConflictError(
            "This job's message is not a message the worker reads; it cannot be redriven"
        ) from None
    url = service.queue_url(QueueName(job.queue))
    if not url:
        raise ServiceUnavailableError(f"The {job.queue} queue is not configured")
    reopen(session, message)
    job.status, job.attempts, job.progress, job.redrives = JobStatus.QUEUED, 0, 0, job.redrives + 1
    job.error = job.result = job.started_at = job.completed_at = job.failed_at = job.message_id = None
    session.commit()
    try:
        return service.transmit(session, job, url, body)
    except service.QueueUnavailableError:
        job.status = JobStatus.DEAD
        session.commit()
        raise ServiceUnavailableError("The message could not be sent again; try shortly") from None


def reopen(session: Session, message: messages.AnyMessage) -> None:
    """What the message's last delivery gave up on is made pending again (the caller commits)."""
    if isinstance(message, messages.ExecutionRun):
        lifecycle.reopen_given_up(session, message.execution_id)
    elif isinstance(message, messages.TaskPlan):
        planning.reopen_given_up(session, message.task_id)
