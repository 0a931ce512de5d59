"""Every message our code sends is a tracked job: recorded before it is sent, with its message id and a
redacted copy of its body; superusers list, read and redrive them (409 unless dead); maintenance drains
the dead-letter queues into dead jobs and purges old ones."""

import json
import uuid
from datetime import timedelta

import boto3
import pytest
from sqlalchemy import func, select, update

from shared.config import get_utc_now, settings
from shared.executions.models import AgentExecution
from shared.queue import dead_letters, jobs, messages
from shared.queue import service as queue_service
from shared.queue.models import QueueJob, QueueName
from tests.accounts import bearer, signup
from tests.graphs import greeting_graph
from tests.queues import take


@pytest.fixture
def owner(client):  # type: ignore[no-untyped-def]
    return signup(client)


def started_run(client, owner) -> dict:  # type: ignore[no-untyped-def]
    workflow = client.post(
        "/v1/workflows", headers=bearer(owner), json={"name": "Greeter", "graph_json": greeting_graph()}
    ).json()
    response = client.post(
        f"/v1/workflows/{workflow['id']}/runs", headers=bearer(owner), json={"input": {"name": "Ada", "n": 5}}
    )
    assert response.status_code == 202, response.text
    return response.json()


def job_of(db, reference: str) -> QueueJob:  # type: ignore[no-untyped-def]
    return db.scalar(select(QueueJob).where(QueueJob.reference == reference))


def test_a_sent_message_is_a_job_with_its_message_id_and_the_message_names_its_job(client, db, aws, owner):
    execution = started_run(client, owner)
    job = job_of(db, f"execution:{execution['id']}")
    assert (job.queue, job.type, job.status, job.attempts, job.max_attempts) == (
        "executions",
        "execution.run",
        "queued",
        0,
        settings.QUEUE_MAX_RECEIVES,
    )
    assert job.data == {"type": "execution.run", "execution_id": execution["id"]}
    [message] = take(aws.queue_url)
    assert message["MessageId"] == job.message_id
    assert message["MessageAttributes"]["job_id"]["StringValue"] == str(job.id)


def test_a_message_the_queue_refuses_leaves_a_failed_job_saying_so(db, aws, monkeypatch):
    monkeypatch.setattr(settings, "EXECUTIONS_QUEUE_URL", aws.queue_url + "-gone")
    message = messages.ExecutionRun(execution_id=uuid.uuid4())
    with pytest.raises(queue_service.QueueUnavailableError):
        queue_service.send(db, message)
    job = job_of(db, f"execution:{message.execution_id}")
    assert job.status == "failed" and job.error.startswith("not sent: ") and job.message_id is None


def test_a_mails_template_values_are_not_kept_in_its_job(db, aws):
    message = messages.MailSend(
        to="ada@example.com",
        subject="Reset",
        template="password_reset",
        context={"reset_url": "https://x?token=s3cret"},
    )
    job = queue_service.send(db, message, queue=QueueName.MAIL)
    assert job.data["context"] == {"reset_url": "[redacted]"} and "s3cret" not in json.dumps(job.data)
    assert messages.parse(jobs.body_of(job)) == message  # the sent body itself is kept, encrypted


def test_superusers_list_filter_and_read_jobs(client, db, aws, owner, superuser):
    execution = started_run(client, owner)
    mail = queue_service.send(
        db, messages.MailSend(to="a@example.com", subject="Hi", template="welcome"), queue=QueueName.MAIL
    )
    headers = bearer(superuser)
    listed = client.get(
        "/v1/admin/jobs", headers=headers, params={"queue": "mail", "type": "mail.send"}
    ).json()
    assert str(mail.id) in {item["id"] for item in listed["items"]}
    assert all(item["queue"] == "mail" for item in listed["items"])
    runs = client.get(
        "/v1/admin/jobs", headers=headers, params={"type": "execution.run", "status": "queued"}
    ).json()
    assert f"execution:{execution['id']}" in {item["reference"] for item in runs["items"]}
    one = client.get(f"/v1/admin/jobs/{mail.id}", headers=headers).json()
    assert one["data"]["to"] == "a@example.com" and "body_encrypted" not in one
    assert client.get(f"/v1/admin/jobs/{uuid.uuid4()}", headers=headers).status_code == 404
    assert client.get("/v1/admin/jobs", headers=headers, params={"status": "lost"}).status_code == 422
    assert client.get("/v1/admin/jobs", headers=bearer(owner)).status_code == 403


def test_only_a_dead_job_is_redriven_and_a_run_it_gave_up_on_is_pending_again(
    client, db, aws, owner, superuser
):
    execution = started_run(client, owner)
    job = job_of(db, f"execution:{execution['id']}")
    first_message_id = job.message_id
    take(aws.queue_url)
    url = f"/v1/admin/jobs/{job.id}/redrive"
    refused = client.post(url, headers=bearer(superuser))
    assert (
        refused.status_code == 409
        and refused.json()["detail"] == "Only a dead job can be redriven; this one is queued"
    )
    # GIVEN its fifth delivery failed: the run was given up, the job is dead
    db.execute(
        update(AgentExecution)
        .where(AgentExecution.id == execution["id"])
        .values(status="failed", error_message="gave up after 5 deliveries: RuntimeError: boom")
    )
    jobs.failed(db, job.id, "RuntimeError: boom", dead=True)
    # WHEN a superuser redrives it
    response = client.post(url, headers=bearer(superuser))
    # THEN the message is sent again, naming the same job, and the run waits for it
    assert response.status_code == 202, response.text
    assert (response.json()["status"], response.json()["redrives"], response.json()["error"]) == (
        "queued",
        1,
        None,
    )
    [message] = take(aws.queue_url)
    assert message["MessageAttributes"]["job_id"]["StringValue"] == str(job.id)
    assert message["MessageId"] == response.json()["message_id"] != first_message_id
    db.expire_all()
    assert db.get(AgentExecution, uuid.UUID(execution["id"])).status == "pending"


def test_maintenance_drains_the_dead_letter_queues_into_dead_jobs(db, aws):
    job = queue_service.send(db, messages.ExecutionRun(execution_id=uuid.uuid4()))
    sqs = boto3.client("sqs", region_name=settings.AWS_REGION)
    attributes = {"job_id": {"DataType": "String", "StringValue": str(job.id)}}
    sqs.send_message(QueueUrl=aws.dlq_url, MessageBody="{}", MessageAttributes=attributes)
    sqs.send_message(QueueUrl=aws.dlq_url, MessageBody="not one of ours")
    assert dead_letters.drain(db) == 1
    db.refresh(job)
    assert job.status == "dead" and job.error == "dead-lettered after its last delivery"
    assert dead_letters.drain(db) == 0  # the known message was deleted; the unknown one stays


def test_maintenance_purges_jobs_untouched_for_the_retention(db, aws):
    old = queue_service.send(db, messages.ExecutionRun(execution_id=uuid.uuid4()))
    recent = queue_service.send(db, messages.ExecutionRun(execution_id=uuid.uuid4()))
    long_ago = get_utc_now() - timedelta(days=settings.QUEUE_JOB_RETENTION_DAYS + 1)
    db.execute(update(QueueJob).where(QueueJob.id == old.id).values(updated_at=long_ago))
    assert jobs.purge_old(db) >= 1
    assert (
        db.scalar(select(func.count()).select_from(QueueJob).where(QueueJob.id.in_([old.id, recent.id]))) == 1
    )
