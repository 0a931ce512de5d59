"""POST /v1/workflows/{id}/runs: a pending execution pinned to the version, and its queue message."""

import json

import boto3
from sqlalchemy import select

from shared.config import settings
from shared.executions.models import AgentExecution
from tests.accounts import bearer, signup
from tests.graphs import NAME_SCHEMA, greeting_graph


def queued_messages(aws) -> list[dict]:  # type: ignore[no-untyped-def]
    sqs = boto3.client("sqs", region_name="us-east-1")
    response = sqs.receive_message(QueueUrl=aws.queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=0)
    return [json.loads(m["Body"]) for m in response.get("Messages", [])]


def create(client, tokens, **body):  # type: ignore[no-untyped-def]
    payload = {"name": "Runner", "graph_json": greeting_graph(), "input_schema": NAME_SCHEMA, **body}
    response = client.post("/v1/workflows", headers=bearer(tokens), json=payload)
    assert response.status_code == 201, response.text
    return response.json()


def test_a_run_is_pending_pinned_and_queued(client, aws):
    tokens = signup(client)
    workflow = create(client, tokens)
    client.patch(f"/v1/workflows/{workflow['id']}", headers=bearer(tokens), json={"temperature": 0.1})
    response = client.post(
        f"/v1/workflows/{workflow['id']}/runs",
        headers=bearer(tokens),
        json={"input": {"name": "Ada", "n": 5}},
    )
    assert response.status_code == 202
    execution = response.json()
    assert execution["status"] == "pending"
    assert execution["workflow_version"] == 2
    assert execution["trigger_type"] == "manual"
    assert execution["input_data"] == {"name": "Ada", "n": 5}
    for field in (
        "output_data",
        "execution_log",
        "duration_ms",
        "token_usage",
        "retry_of_id",
        "total_api_calls",
    ):
        assert field in execution
    assert queued_messages(aws) == [{"type": "execution.run", "execution_id": execution["id"]}]


def test_input_is_checked_against_the_input_schema(client, aws, db):
    tokens = signup(client)
    workflow = create(client, tokens)
    response = client.post(
        f"/v1/workflows/{workflow['id']}/runs", headers=bearer(tokens), json={"input": {"n": "five"}}
    )
    assert response.status_code == 422
    assert "input: 'name' is a required property" in response.json()["detail"]
    assert "input.n: 'five' is not of type 'integer'" in response.json()["detail"]
    assert db.scalar(select(AgentExecution)) is None
    assert queued_messages(aws) == []


def test_only_the_owner_runs_a_workflow(client, aws):
    owner, other = signup(client), signup(client)
    public = create(client, owner, is_public=True)
    private = create(client, owner)
    body = {"input": {"name": "x"}}
    assert (
        client.post(f"/v1/workflows/{public['id']}/runs", headers=bearer(other), json=body).status_code == 403
    )
    assert (
        client.post(f"/v1/workflows/{private['id']}/runs", headers=bearer(other), json=body).status_code
        == 404
    )
    assert client.post(f"/v1/workflows/{public['id']}/runs", json=body).status_code == 401
    assert queued_messages(aws) == []


def test_a_run_that_cannot_be_queued_is_failed_not_left_pending(client, aws, db, monkeypatch):
    tokens = signup(client)
    workflow = create(client, tokens)
    monkeypatch.setattr(settings, "EXECUTIONS_QUEUE_URL", aws.queue_url + "-missing")
    response = client.post(
        f"/v1/workflows/{workflow['id']}/runs", headers=bearer(tokens), json={"input": {"name": "x"}}
    )
    assert response.status_code == 503
    assert response.headers["retry-after"]
    [execution] = db.scalars(select(AgentExecution)).all()
    assert execution.status == "failed"
    assert "could not be queued" in execution.error_message


def test_a_run_started_with_an_api_key_is_an_api_run(client, aws):
    tokens = signup(client)
    workflow = create(client, tokens)
    key = client.post("/v1/users/me/api-keys", headers=bearer(tokens), json={"name": "ci"}).json()["key"]
    response = client.post(
        f"/v1/workflows/{workflow['id']}/runs", headers={"X-API-Key": key}, json={"input": {"name": "x"}}
    )
    assert response.status_code == 202
    assert response.json()["trigger_type"] == "api"
