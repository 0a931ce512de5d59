"""The worker and scheduler loops of `make dev`, against moto's SQS and EventBridge Scheduler."""

import json
import uuid
from datetime import UTC, datetime

import boto3
import pytest
from sqlalchemy import delete

from infra.local import worker_loop
from infra.local.scheduler_loop import SchedulerLoop, fire_times_between
from infra.local.worker_loop import WorkerLoop, to_sqs_event
from shared.db import session_scope
from shared.executions import service as execution_service
from shared.executions.models import AgentExecution
from shared.scheduling import service as scheduling_service
from shared.users.models import User
from shared.workflows import service as workflow_service
from shared.workflows.schemas import WorkflowCreate
from tests.graphs import greeting_graph


def test_sqs_messages_become_lambda_event_records():
    message = {
        "MessageId": "m1",
        "ReceiptHandle": "r1",
        "Body": "{}",
        "Attributes": {"ApproximateReceiveCount": 2},
    }
    [record] = to_sqs_event([message], "arn:aws:sqs:us-east-1:123456789012:q", "us-east-1")["Records"]
    assert record["eventSource"] == "aws:sqs"
    assert record["attributes"]["ApproximateReceiveCount"] == "2"
    assert (record["messageId"], record["receiptHandle"], record["body"]) == ("m1", "r1", "{}")


def test_a_poison_message_ends_in_the_dlq_after_five_receives(aws, monkeypatch):
    monkeypatch.setattr(worker_loop, "RETRY_DELAY_SECONDS", 0)
    sqs = boto3.client("sqs", region_name="us-east-1")
    sqs.send_message(QueueUrl=aws.queue_url, MessageBody="this is not a message")
    loop = WorkerLoop(aws.queue_url, aws.queue_arn, "us-east-1", None)
    outcomes = [loop.poll_once(wait_seconds=0) for _ in range(6)]
    assert outcomes[:5] == [(0, 1)] * 5
    assert outcomes[5] == (0, 0)
    [dead] = sqs.receive_message(QueueUrl=aws.dlq_url, MaxNumberOfMessages=10)["Messages"]
    assert dead["Body"] == "this is not a message"


def test_the_worker_loop_runs_a_queued_execution_and_deletes_its_message(aws):
    with session_scope() as session:
        user = User(email=f"loop-{uuid.uuid4().hex[:8]}@example.com", username=f"loop_{uuid.uuid4().hex[:8]}")
        session.add(user)
        session.flush()
        workflow, _ = workflow_service.create_workflow(
            session=session, user=user, request=WorkflowCreate(name="Loop", graph_json=greeting_graph())
        )
        execution = execution_service.start_run(
            session=session, workflow=workflow, user=user, input_data={"name": "Loop", "n": 4}
        )
        user_id, execution_id = user.id, execution.id
    try:
        loop = WorkerLoop(aws.queue_url, aws.queue_arn, "us-east-1", None)
        assert loop.poll_once(wait_seconds=0) == (1, 0)
        with session_scope() as session:
            assert session.get(AgentExecution, execution_id).status == "completed"
        assert loop.poll_once(wait_seconds=0) == (0, 0)  # deleted, not redelivered
    finally:
        with session_scope() as session:
            session.execute(delete(User).where(User.id == user_id))


def test_fire_times_between_is_half_open_and_honours_the_timezone():
    after = datetime(2026, 11, 22, 0, 59, 30, tzinfo=UTC)
    until = datetime(2026, 11, 22, 1, 2, 0, tzinfo=UTC)
    assert fire_times_between("cron(* * * * ? *)", "UTC", after, until) == [
        datetime(2026, 11, 22, 1, 0, tzinfo=UTC),
        datetime(2026, 11, 22, 1, 1, tzinfo=UTC),
        datetime(2026, 11, 22, 1, 2, tzinfo=UTC),
    ]
    # 09:00 in Shanghai is 01:00 UTC
    assert fire_times_between("cron(0 9 * * ? *)", "Asia/Shanghai", after, until) == [
        datetime(2026, 11, 22, 1, 0, tzinfo=UTC)
    ]


def test_the_scheduler_loop_sends_each_due_fire_once_with_its_scheduled_time(aws):
    workflow_id = uuid.uuid4()
    scheduling_service.put_schedule(workflow_id, "* * * * *", "UTC")
    loop = SchedulerLoop(aws.schedule_group, "us-east-1", None)
    loop.checked_until = datetime(2026, 11, 22, 6, 0, 30, tzinfo=UTC)
    sent = loop.fire_due(datetime(2026, 11, 22, 6, 1, 10, tzinfo=UTC))
    assert sent == [
        {
            "type": "workflow.scheduled",
            "workflow_id": str(workflow_id),
            "scheduled_at": "2026-11-22T06:01:00Z",
        }
    ]
    assert loop.fire_due(datetime(2026, 11, 22, 6, 1, 50, tzinfo=UTC)) == []
    sqs = boto3.client("sqs", region_name="us-east-1")
    [message] = sqs.receive_message(QueueUrl=aws.queue_url, MaxNumberOfMessages=10)["Messages"]
    assert json.loads(message["Body"])["scheduled_at"] == "2026-11-22T06:01:00Z"


@pytest.mark.parametrize("state", ["DISABLED"])
def test_disabled_schedules_do_not_fire(aws, state):
    workflow_id = uuid.uuid4()
    scheduling_service.put_schedule(workflow_id, "* * * * *", "UTC")
    scheduler = boto3.client("scheduler", region_name="us-east-1")
    request = scheduling_service.schedule_request(
        workflow_id, scheduling_service.parse_cron("* * * * *"), "UTC"
    )
    scheduler.update_schedule(**{**request, "State": state})
    loop = SchedulerLoop(aws.schedule_group, "us-east-1", None)
    loop.checked_until = datetime(2026, 11, 22, 6, 0, 30, tzinfo=UTC)
    assert loop.fire_due(datetime(2026, 11, 22, 6, 3, 0, tzinfo=UTC)) == []
