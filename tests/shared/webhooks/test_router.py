"""POST /v1/hooks/{workflow_id}: signed, fresh, never replayed; every failure starts nothing."""

import json
import time

import boto3
import pytest
from sqlalchemy import func, select

from shared.executions.models import AgentExecution
from shared.webhooks.service import sign
from tests.accounts import bearer, signup
from tests.graphs import NAME_SCHEMA


def queued(aws) -> list[dict]:  # type: ignore[no-untyped-def]
    sqs = boto3.client("sqs", region_name="us-east-1")
    response = sqs.receive_message(QueueUrl=aws.queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=0)
    return [json.loads(m["Body"]) for m in response.get("Messages", [])]


def executions(db) -> int:  # type: ignore[no-untyped-def]
    return db.scalar(select(func.count()).select_from(AgentExecution))


@pytest.fixture
def hook(client, aws):  # type: ignore[no-untyped-def]
    tokens = signup(client)
    response = client.post(
        "/v1/workflows",
        headers=bearer(tokens),
        json={"name": "Inbox", "input_schema": NAME_SCHEMA, "trigger_type": "webhook"},
    )
    assert response.status_code == 201
    workflow = response.json()
    return {"tokens": tokens, "workflow": workflow, "secret": workflow["webhook_secret"]}


def post(client, workflow_id: str, body: bytes, signature: str | None):  # type: ignore[no-untyped-def]
    headers = {"Content-Type": "application/json"}
    if signature is not None:
        headers["X-Ainav-Signature"] = signature
    return client.post(f"/v1/hooks/{workflow_id}", content=body, headers=headers)


def test_the_secret_is_shown_once_and_stored_encrypted(client, hook, db):
    from shared.workflows.models import AgentWorkflow

    workflow = hook["workflow"]
    assert hook["secret"].startswith("whsec_")
    assert workflow["webhook_url"] == f"/v1/hooks/{workflow['id']}"
    again = client.get(f"/v1/workflows/{workflow['id']}", headers=bearer(hook["tokens"])).json()
    assert again["webhook_secret"] is None
    stored = db.scalar(
        select(AgentWorkflow.webhook_secret_encrypted).where(AgentWorkflow.id == workflow["id"])
    )
    assert stored and hook["secret"] not in stored


def test_a_signed_call_leaves_a_pending_execution_and_a_queue_message(client, hook, aws):
    body = json.dumps({"name": "from a webhook"}).encode()
    response = post(client, hook["workflow"]["id"], body, sign(hook["secret"], int(time.time()), body))
    assert response.status_code == 202, response.text
    execution = response.json()
    assert (execution["status"], execution["trigger_type"]) == ("pending", "webhook")
    assert execution["input_data"] == {"name": "from a webhook"}
    assert execution["trigger_metadata"]["source_ip"] == "testclient"
    assert queued(aws) == [{"type": "execution.run", "execution_id": execution["id"]}]


def failure_cases(hook):  # type: ignore[no-untyped-def]
    workflow_id, secret = hook["workflow"]["id"], hook["secret"]
    body = json.dumps({"name": "x"}).encode()
    now = int(time.time())
    return {
        "missing header": (workflow_id, body, None, 401),
        "malformed header": (workflow_id, body, "sha256=abc", 401),
        "bad signature": (workflow_id, body, sign("whsec_wrong", now, body), 401),
        "body changed after signing": (workflow_id, body + b" ", sign(secret, now, body), 401),
        # a minute past the 300 s tolerance either way: `now` is truncated and the request takes time
        "stale timestamp": (workflow_id, body, sign(secret, now - 360, body), 401),
        "future timestamp": (workflow_id, body, sign(secret, now + 360, body), 401),
        "unknown workflow": ("00000000-0000-0000-0000-000000000000", body, sign(secret, now, body), 404),
        "invalid input": (workflow_id, b'{"n": 1}', sign(secret, now, b'{"n": 1}'), 422),
        "not json": (workflow_id, b"name=x", sign(secret, now, b"name=x"), 422),
    }


@pytest.mark.parametrize(
    "case",
    [
        "missing header",
        "malformed header",
        "bad signature",
        "body changed after signing",
        "stale timestamp",
        "future timestamp",
        "unknown workflow",
        "invalid input",
        "not json",
    ],
)
def test_every_failure_creates_no_execution(client, hook, aws, db, case):
    workflow_id, body, signature, status = failure_cases(hook)[case]
    before = executions(db)
    response = post(client, workflow_id, body, signature)
    assert response.status_code == status, response.text
    assert executions(db) == before
    assert queued(aws) == []


def test_a_replayed_signature_is_refused(client, hook, aws, db):
    body = json.dumps({"name": "once"}).encode()
    signature = sign(hook["secret"], int(time.time()), body)
    assert post(client, hook["workflow"]["id"], body, signature).status_code == 202
    replay = post(client, hook["workflow"]["id"], body, signature)
    assert replay.status_code == 401
    assert replay.json() == {"detail": "This signature was already used"}
    assert executions(db) == 1


def test_another_workflows_secret_does_not_open_this_one(client, hook, aws, db):
    other = client.post(
        "/v1/workflows", headers=bearer(hook["tokens"]), json={"name": "Other", "trigger_type": "webhook"}
    ).json()
    body = b'{"name": "x"}'
    response = post(
        client, hook["workflow"]["id"], body, sign(other["webhook_secret"], int(time.time()), body)
    )
    assert response.status_code == 401
    assert executions(db) == 0


def test_a_workflow_without_the_webhook_trigger_has_no_webhook(client, hook, aws, db):
    workflow_id = hook["workflow"]["id"]
    client.patch(
        f"/v1/workflows/{workflow_id}", headers=bearer(hook["tokens"]), json={"trigger_type": "manual"}
    )
    body = b'{"name": "x"}'
    assert post(client, workflow_id, body, sign(hook["secret"], int(time.time()), body)).status_code == 404
    assert executions(db) == 0


def test_regenerating_the_secret_retires_the_old_one(client, hook, aws):
    workflow_id = hook["workflow"]["id"]
    regenerated = client.patch(
        f"/v1/workflows/{workflow_id}",
        headers=bearer(hook["tokens"]),
        json={"regenerate_webhook_secret": True},
    ).json()
    body = b'{"name": "x"}'
    now = int(time.time())
    assert post(client, workflow_id, body, sign(hook["secret"], now, body)).status_code == 401
    assert post(client, workflow_id, body, sign(regenerated["webhook_secret"], now, body)).status_code == 202


def test_an_oversized_body_is_413(client, hook, aws, monkeypatch):
    from shared.config import settings

    monkeypatch.setattr(settings, "MAX_WEBHOOK_BODY_BYTES", 100)
    body = json.dumps({"name": "x" * 200}).encode()
    assert (
        post(client, hook["workflow"]["id"], body, sign(hook["secret"], int(time.time()), body)).status_code
        == 413
    )


def test_a_call_that_could_not_be_queued_can_be_retried_with_the_same_signature(
    client, hook, aws, monkeypatch
):
    from shared.config import settings

    body = b'{"name": "retry me"}'
    signature = sign(hook["secret"], int(time.time()), body)
    real_queue = settings.EXECUTIONS_QUEUE_URL
    monkeypatch.setattr(settings, "EXECUTIONS_QUEUE_URL", real_queue + "-gone")
    assert post(client, hook["workflow"]["id"], body, signature).status_code == 503
    monkeypatch.setattr(settings, "EXECUTIONS_QUEUE_URL", real_queue)
    assert post(client, hook["workflow"]["id"], body, signature).status_code == 202
