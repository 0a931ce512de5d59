"""Tracked queue jobs through the WorkerFunction handler, against committed rows: a job runs and
completes with its attempts; a poison message ends as a dead job, and once its cause is fixed a redrive
sends it again and it completes."""

import uuid

import boto3
import pytest
from sqlalchemy import delete, select

from infra.local import worker_loop
from infra.local.worker_loop import WorkerLoop
from shared.config import settings
from shared.db import session_scope
from shared.email import service as email_service_module
from shared.errors import ConflictError
from shared.executions import maintenance
from shared.queue import redrive
from shared.queue.models import QueueJob
from shared.users.models import User
from shared.workflows import service as workflow_service
from shared.workflows.schemas import WorkflowCreate
from tests.graphs import greeting_graph
from tests.lambda_support import FakeLambdaContext, load_event, load_function


@pytest.fixture
def mail_job(aws):  # type: ignore[no-untyped-def]
    """A welcome mail queued as a committed `mail.send` job; its row is deleted afterwards."""
    address = f"new-{uuid.uuid4().hex[:8]}@example.com"
    with session_scope() as session:
        assert email_service_module.email_service.send_welcome_email(session, address, "newcomer")
        job_id = session.scalar(select(QueueJob.id).where(QueueJob.data["to"].astext == address))
    yield job_id, address
    with session_scope() as session:
        session.execute(delete(QueueJob).where(QueueJob.id == job_id))


@pytest.fixture
def committed_workflow(aws):  # type: ignore[no-untyped-def]
    with session_scope() as session:
        user = User(email=f"jobs-{uuid.uuid4().hex[:8]}@example.com", username=f"jobs_{uuid.uuid4().hex[:8]}")
        session.add(user)
        session.flush()
        workflow, _ = workflow_service.create_workflow(
            session=session, user=user, request=WorkflowCreate(name="Greeter", graph_json=greeting_graph())
        )
        user_id, workflow_id = user.id, workflow.id
    yield workflow_id
    with session_scope() as session:
        session.execute(delete(User).where(User.id == user_id))


def job(job_id: uuid.UUID) -> QueueJob:
    with session_scope() as session:
        return session.get(QueueJob, job_id)


def sent_to(address: str) -> int:
    from moto.ses.models import ses_backends

    backend = ses_backends["123456789012"][settings.AWS_REGION]
    return sum(address in message.raw_data for message in backend.sent_messages)


def test_a_job_is_running_then_completed_with_the_receive_count_as_its_attempts(aws, mail_job):
    job_id, address = mail_job
    queued = job(job_id)
    assert (queued.status, queued.queue, queued.attempts) == ("queued", "mail", 0)
    assert (
        queued.data["context"]["verify_url"] == "[redacted]"
        or queued.data["context"]["username"] == "[redacted]"
    )
    sqs = boto3.client("sqs", region_name=settings.AWS_REGION)
    [message] = sqs.receive_message(
        QueueUrl=aws.mail_queue_url, AttributeNames=["All"], MessageAttributeNames=["All"]
    )["Messages"]
    assert message["MessageAttributes"]["job_id"]["StringValue"] == str(job_id)
    event = worker_loop.to_sqs_event([message], aws.mail_queue_arn, settings.AWS_REGION)
    response = load_function("functions/worker").handler(event, FakeLambdaContext())
    assert response == {"batchItemFailures": []}
    done = job(job_id)
    assert (done.status, done.attempts, done.progress, done.result) == ("completed", 1, 100, {"sent": True})
    assert done.message_id == message["MessageId"] and done.completed_at is not None
    assert sent_to(address) == 1


def test_a_poison_message_ends_as_a_dead_job_and_is_redriven_once_its_cause_is_fixed(
    aws, mail_job, monkeypatch
):
    job_id, address = mail_job
    # GIVEN a sender SES does not know: every delivery of the mail fails
    monkeypatch.setattr(worker_loop, "RETRY_DELAY_SECONDS", 0)
    monkeypatch.setattr(settings, "MAIL_FROM_EMAIL", "unverified@elsewhere.test")
    loop = WorkerLoop(aws.mail_queue_url, aws.mail_queue_arn, settings.AWS_REGION, None)
    # WHEN the worker receives it five times
    outcomes = [loop.poll_once(wait_seconds=0) for _ in range(6)]
    # THEN the job failed four times and died on the fifth; the queue moved the message to its DLQ
    assert outcomes[:5] == [(0, 1)] * 5 and outcomes[5] == (0, 0)
    dead = job(job_id)
    assert (dead.status, dead.attempts) == ("dead", 5)
    assert dead.error.startswith("MailNotSent") and dead.failed_at is not None
    # AND maintenance drains the DLQ into the job (already dead) and deletes the message there
    with session_scope() as session:
        assert maintenance.run_maintenance(session)["dead_letters"] == 1
    sqs = boto3.client("sqs", region_name=settings.AWS_REGION)
    assert sqs.receive_message(QueueUrl=aws.mail_dlq_url).get("Messages", []) == []
    # WHEN the cause is fixed and an operator redrives it
    monkeypatch.setattr(settings, "MAIL_FROM_EMAIL", "noreply@ainav.test")
    with session_scope() as session:
        redriven = redrive.redrive(session, session.get(QueueJob, job_id))
        assert (redriven.status, redriven.attempts, redriven.redrives) == ("queued", 0, 1)
        with pytest.raises(ConflictError):  # only a dead job is redriven
            redrive.redrive(session, redriven)
    assert loop.poll_once(wait_seconds=0) == (1, 0)
    # THEN the mail goes out and the job completes
    done = job(job_id)
    assert (done.status, done.attempts, done.error) == ("completed", 1, None)
    assert sent_to(address) == 1


def test_a_message_our_code_did_not_send_is_tracked_from_its_first_delivery(committed_workflow):
    body = (
        '{"type": "workflow.scheduled", "workflow_id": "' + str(committed_workflow) + '", '
        '"scheduled_at": "2026-11-22T09:00:00Z"}'
    )
    event = load_event("sqs_execution_run.json")
    event["Records"][0].update(body=body, messageId=f"scheduler-{uuid.uuid4()}")
    assert load_function("functions/worker").handler(event, FakeLambdaContext()) == {"batchItemFailures": []}
    with session_scope() as session:
        tracked = session.scalar(
            select(QueueJob).where(QueueJob.message_id == event["Records"][0]["messageId"])
        )
        assert (tracked.type, tracked.status, tracked.queue) == (
            "workflow.scheduled",
            "completed",
            "executions",
        )
        assert tracked.reference == f"workflow:{committed_workflow}"
        session.delete(tracked)
