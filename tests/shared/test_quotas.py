"""Abuse quotas (OWASP API4): runs per day, webhook calls per minute, memories per workflow. Each is a
setting; past it the caller gets a 429 naming the limit and nothing is created."""

import json
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from shared.config import settings
from shared.executions.lifecycle import create_scheduled
from shared.executions.models import AgentExecution
from shared.memory.models import AgentMemory
from shared.webhooks.service import sign
from tests.accounts import bearer, signup
from tests.factories import make_user, make_workflow


def runs_of(db, user_id) -> int:  # type: ignore[no-untyped-def]
    return db.scalar(select(func.count()).where(AgentExecution.user_id == user_id))


@pytest.fixture
def member(client):  # type: ignore[no-untyped-def]
    tokens = signup(client)
    workflow = client.post("/v1/workflows", headers=bearer(tokens), json={"name": "Quota"}).json()
    return {"tokens": tokens, "workflow": workflow, "runs": f"/v1/workflows/{workflow['id']}/runs"}


def test_runs_past_the_daily_quota_are_429_with_when_to_retry(client, db, aws, member, monkeypatch):
    monkeypatch.setattr(settings, "MAX_RUNS_PER_DAY", 2)
    for _ in range(2):
        assert (
            client.post(member["runs"], headers=bearer(member["tokens"]), json={"input": {}}).status_code
            == 202
        )
    refused = client.post(member["runs"], headers=bearer(member["tokens"]), json={"input": {}})
    assert refused.status_code == 429
    assert refused.json() == {"detail": "Daily run quota reached: 2 runs in 24 hours"}
    assert 0 < int(refused.headers["Retry-After"]) <= 86_400
    assert runs_of(db, member["tokens"]["user"]["id"]) == 2


def test_runs_older_than_a_day_no_longer_count(client, db, aws, member, monkeypatch):
    monkeypatch.setattr(settings, "MAX_RUNS_PER_DAY", 1)
    assert (
        client.post(member["runs"], headers=bearer(member["tokens"]), json={"input": {}}).status_code == 202
    )
    db.execute(update(AgentExecution).values(created_at=datetime.now(UTC) - timedelta(days=1, seconds=1)))
    assert (
        client.post(member["runs"], headers=bearer(member["tokens"]), json={"input": {}}).status_code == 202
    )


def test_the_quota_is_per_user(client, aws, member, monkeypatch):
    monkeypatch.setattr(settings, "MAX_RUNS_PER_DAY", 1)
    assert (
        client.post(member["runs"], headers=bearer(member["tokens"]), json={"input": {}}).status_code == 202
    )
    other = signup(client)
    theirs = client.post("/v1/workflows", headers=bearer(other), json={"name": "Theirs"}).json()
    response = client.post(f"/v1/workflows/{theirs['id']}/runs", headers=bearer(other), json={"input": {}})
    assert response.status_code == 202


def test_a_scheduled_fire_past_the_quota_is_recorded_failed_and_not_run(db, monkeypatch):
    monkeypatch.setattr(settings, "MAX_RUNS_PER_DAY", 1)
    workflow = make_workflow(db, make_user(db), trigger_type="schedule", trigger_config={"cron": "* * * * *"})
    first = create_scheduled(
        session=db, workflow_id=workflow.id, scheduled_at=datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
    )
    second = create_scheduled(
        session=db, workflow_id=workflow.id, scheduled_at=datetime(2026, 11, 23, 8, 1, tzinfo=UTC)
    )
    assert db.get(AgentExecution, first).status == "pending"
    skipped = db.get(AgentExecution, second)
    assert skipped.status == "failed"
    assert skipped.error_message == "Not run: Daily run quota reached: 1 runs in 24 hours"
    assert skipped.finished_at is not None


def test_webhook_calls_past_the_minute_quota_are_429_and_the_signature_stays_usable(
    client, db, aws, monkeypatch
):
    monkeypatch.setattr(settings, "MAX_WEBHOOK_CALLS_PER_MINUTE", 1)
    tokens = signup(client)
    workflow = client.post(
        "/v1/workflows", headers=bearer(tokens), json={"name": "Hook", "trigger_type": "webhook"}
    ).json()

    def call(payload: dict):  # type: ignore[no-untyped-def]
        body = json.dumps(payload).encode()
        signature = sign(workflow["webhook_secret"], int(time.time()), body)
        headers = {"Content-Type": "application/json", "X-Ainav-Signature": signature}
        return client.post(f"/v1/hooks/{workflow['id']}", content=body, headers=headers)

    assert call({"n": 1}).status_code == 202
    refused = call({"n": 2})
    assert refused.status_code == 429
    assert refused.json()["detail"] == "Too many webhook calls: 1 per minute"
    assert 0 < int(refused.headers["Retry-After"]) <= 60
    assert runs_of(db, tokens["user"]["id"]) == 1


def test_memories_past_the_workflow_quota_are_refused_whole(client, db, member, monkeypatch):
    monkeypatch.setattr(settings, "MAX_MEMORIES_PER_WORKFLOW", 3)
    url = f"/v1/workflows/{member['workflow']['id']}/memories"
    headers = bearer(member["tokens"])
    assert (
        client.post(
            url, headers=headers, json={"items": [{"content": "one"}, {"content": "two"}]}
        ).status_code
        == 201
    )
    refused = client.post(url, headers=headers, json={"items": [{"content": "three"}, {"content": "four"}]})
    assert refused.status_code == 429
    assert "holds 2 memories; adding 2 would pass the limit of 3" in refused.json()["detail"]
    assert "Retry-After" not in refused.headers  # waiting does not help; deleting does
    held = db.scalar(select(func.count()).where(AgentMemory.workflow_id == member["workflow"]["id"]))
    assert held == 2
    assert client.post(url, headers=headers, json={"content": "three"}).status_code == 201
