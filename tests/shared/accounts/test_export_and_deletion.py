"""A user exports everything they own (no secret, hash or ciphertext in it) and deletes their account:
its EventBridge schedules first, then every row it owns; the operation log keeps the request."""

import json
import os

import boto3
import pytest
from sqlalchemy import func, select, update

from shared.audit.models import OperationLog
from shared.auth.models import LoginLog
from shared.executions.models import AgentExecution
from shared.memory.models import EMBEDDING_DIMENSIONS, AgentMemory
from shared.users.models import User
from shared.workflows.models import AgentWorkflow
from tests.accounts import PASSWORD, bearer, signup
from tests.admins import set_account
from tests.factories import make_execution
from tests.graphs import NAME_SCHEMA, greeting_graph

SCHEDULE = {"cron": "0 3 * * *", "timezone": "UTC", "input": {"name": "x"}}


def schedule_names(aws) -> set[str]:  # type: ignore[no-untyped-def]
    scheduler = boto3.client("scheduler", region_name=os.environ["AWS_REGION"])
    return {s["Name"] for s in scheduler.list_schedules(GroupName=aws.schedule_group)["Schedules"]}


@pytest.fixture
def owner(client, db, aws):  # type: ignore[no-untyped-def]
    """A member with a scheduled workflow (a run and a memory of it), a webhook workflow, an API key, a
    secret and a personal model key."""
    tokens = signup(client)
    headers = bearer(tokens)
    body = {"graph_json": greeting_graph(), "input_schema": NAME_SCHEMA}
    scheduled = client.post(
        "/v1/workflows",
        headers=headers,
        json={"name": "Nightly", "trigger_type": "schedule", "trigger_config": SCHEDULE, **body},
    ).json()
    hooked = client.post(
        "/v1/workflows", headers=headers, json={"name": "Hook", "trigger_type": "webhook"}
    ).json()
    workflow = db.get(AgentWorkflow, scheduled["id"])
    make_execution(db, workflow, status="completed", execution_log=[{"node_id": "input", "output": "x" * 50}])
    db.add(
        AgentMemory(workflow_id=workflow.id, content="Ada likes tea.", embedding=[0.1] * EMBEDDING_DIMENSIONS)
    )
    db.flush()
    key = client.post("/v1/users/me/api-keys", headers=headers, json={"name": "ci"}).json()
    client.put("/v1/users/me/secrets/OPENAI_KEY", headers=headers, json={"value": "sk-secret-value-123"})
    client.put("/v1/users/me/llm-keys/openai", headers=headers, json={"api_key": "sk-model-key-456"})
    return {**tokens, "scheduled": scheduled, "hooked": hooked, "api_key": key}


def test_an_export_holds_everything_owned_and_no_secret(client, owner):
    # WHEN the owner exports their account
    response = client.get("/v1/users/me/export", headers=bearer(owner))
    # THEN it holds their profile, workflows, runs, memories, keys, secrets' names, ledger ...
    assert response.status_code == 200, response.text
    export = response.json()
    assert export["profile"]["email"] == owner["user"]["email"]
    assert {w["name"] for w in export["workflows"]} == {"Nightly", "Hook"}
    hook = next(w for w in export["workflows"] if w["name"] == "Hook")
    assert hook["has_webhook_secret"] is True
    assert len(export["workflow_versions"]) == 2
    assert [e["status"] for e in export["executions"]] == ["completed"]
    assert [m["content"] for m in export["memories"]] == ["Ada likes tea."]
    assert [(k["name"], k["prefix"]) for k in export["api_keys"]] == [("ci", owner["api_key"]["prefix"])]
    assert [s["name"] for s in export["secrets"]] == ["OPENAI_KEY"]
    assert [k["provider"] for k in export["llm_keys"]] == ["openai"]
    assert [t["kind"] for t in export["credit_transactions"]] == ["bonus_grant"]
    assert export["login_history"][0]["method"] == "register"
    assert export["truncated"] == {}
    # AND nothing secret: no key, secret value, hash, ciphertext, embedding or per-node log
    text = json.dumps(export)
    for secret in (
        owner["api_key"]["key"],
        "sk-secret-value-123",
        "sk-model-key-456",
        owner["hooked"]["webhook_secret"],
    ):
        assert secret not in text
    for column in ("hashed_password", "key_hash", "token_hash", "value_encrypted", "api_key_encrypted"):
        assert column not in text
    assert "webhook_secret_encrypted" not in text and "embedding" not in export["memories"][0]
    assert "execution_log" not in export["executions"][0]


def test_an_export_says_which_kinds_it_cut(client, owner, monkeypatch):
    from shared.config import settings

    monkeypatch.setattr(settings, "ACCOUNT_EXPORT_MAX_ROWS", 1)
    export = client.get("/v1/users/me/export", headers=bearer(owner)).json()
    assert len(export["workflows"]) == 1
    assert export["truncated"]["workflows"] == 2


def test_an_account_is_exported_then_deleted_with_its_schedules_gone_from_eventbridge(client, db, aws, owner):
    # GIVEN the owner's scheduled workflow has its schedule in the emulated EventBridge Scheduler, and
    # the owner has exported their account
    user_id = owner["user"]["id"]
    assert f"wf-{owner['scheduled']['id']}" in schedule_names(aws)
    exported = client.get("/v1/users/me/export", headers=bearer(owner))
    assert exported.status_code == 200
    assert owner["scheduled"]["id"] in {w["id"] for w in exported.json()["workflows"]}
    # WHEN they delete their account with their password
    response = client.request("DELETE", "/v1/users/me", headers=bearer(owner), json={"password": PASSWORD})
    # THEN it is gone with everything it owned, its schedule first
    assert response.status_code == 204, response.text
    assert f"wf-{owner['scheduled']['id']}" not in schedule_names(aws)
    assert db.get(User, user_id) is None
    for model, column in ((AgentWorkflow, AgentWorkflow.user_id), (AgentExecution, AgentExecution.user_id)):
        assert db.scalar(select(func.count()).select_from(model).where(column == user_id)) == 0
    assert db.scalar(select(func.count()).select_from(LoginLog).where(LoginLog.user_id == user_id)) == 0
    memories = select(func.count()).select_from(AgentMemory)
    assert db.scalar(memories.where(AgentMemory.workflow_id == owner["scheduled"]["id"])) == 0
    # AND its credentials are dead, and the operation log kept the request by name
    assert client.get("/v1/users/me", headers=bearer(owner)).status_code == 401
    assert client.get("/v1/users/me", headers={"X-API-Key": owner["api_key"]["key"]}).status_code == 401
    audited = db.scalar(select(OperationLog).where(OperationLog.title == "delete_my_account"))
    assert audited is not None
    assert (audited.username, audited.user_id, audited.status) == (owner["user"]["username"], None, 204)


def test_a_wrong_password_deletes_nothing(client, db, owner, aws):
    for body in ({"password": "not the password"}, {}):
        response = client.request("DELETE", "/v1/users/me", headers=bearer(owner), json=body)
        assert response.status_code == 400
    assert db.get(User, owner["user"]["id"]) is not None
    assert f"wf-{owner['scheduled']['id']}" in schedule_names(aws)


def test_a_scheduler_that_refuses_to_drop_a_schedule_deletes_nothing(client, db, owner, monkeypatch):
    from shared.errors import ServiceUnavailableError
    from shared.scheduling import service as scheduling_service

    def refuse(workflow_id):  # type: ignore[no-untyped-def]
        raise ServiceUnavailableError("The scheduler did not remove the schedule; try again")

    monkeypatch.setattr(scheduling_service, "delete_schedule", refuse)
    response = client.request("DELETE", "/v1/users/me", headers=bearer(owner), json={"password": PASSWORD})
    assert response.status_code == 503
    assert db.get(User, owner["user"]["id"]) is not None


def test_a_password_less_account_confirms_with_a_fresh_magic_link(client, db, mailbox):
    # GIVEN an account without a password (a magic-link or provider account)
    member = signup(client)
    set_account(db, member, hashed_password=None)
    email = member["user"]["email"]
    # WHEN it deletes without a token, then with the token of a magic link it just asked for
    without = client.request("DELETE", "/v1/users/me", headers=bearer(member), json={})
    assert client.post("/v1/auth/magic-link", json={"email": email}).status_code == 202
    token = mailbox.token_sent_to(email)
    confirmed = client.request("DELETE", "/v1/users/me", headers=bearer(member), json={"token": token})
    # THEN the first is refused, the second deletes the account
    assert without.status_code == 400
    assert confirmed.status_code == 204
    assert db.get(User, member["user"]["id"]) is None


def test_another_accounts_magic_link_does_not_confirm(client, db, mailbox):
    member, other = signup(client), signup(client)
    set_account(db, member, hashed_password=None)
    client.post("/v1/auth/magic-link", json={"email": other["user"]["email"]})
    token = mailbox.token_sent_to(other["user"]["email"])
    response = client.request("DELETE", "/v1/users/me", headers=bearer(member), json={"token": token})
    assert response.status_code == 400
    assert db.get(User, member["user"]["id"]) is not None


def test_an_account_with_neither_password_nor_mailbox_confirms_with_a_fresh_sign_in(client, db):
    from datetime import timedelta

    from shared.auth.models import UserSession
    from shared.config import get_utc_now

    member = signup(client)
    user_id = member["user"]["id"]
    set_account(db, member, hashed_password=None, wechat_id="wx-9", email="wechat-wx-9@users.ainav.invalid")
    stale = get_utc_now() - timedelta(hours=1)
    db.execute(update(UserSession).where(UserSession.user_id == user_id).values(signed_in_at=stale))
    assert client.request("DELETE", "/v1/users/me", headers=bearer(member), json={}).status_code == 400
    db.execute(update(UserSession).where(UserSession.user_id == user_id).values(signed_in_at=get_utc_now()))
    assert client.request("DELETE", "/v1/users/me", headers=bearer(member), json={}).status_code == 204


def test_the_last_active_superuser_cannot_delete_their_account(client, superuser):
    response = client.request(
        "DELETE", "/v1/users/me", headers=bearer(superuser), json={"password": PASSWORD}
    )
    assert response.status_code == 409


def test_exports_are_rate_limited(client, db, monkeypatch):
    from shared import quotas
    from shared.config import get_utc_now, settings

    frozen = get_utc_now().replace(minute=30, second=0, microsecond=0)
    monkeypatch.setattr(quotas, "get_utc_now", lambda: frozen)
    monkeypatch.setattr(settings, "MAX_ACCOUNT_EXPORTS_PER_HOUR", 1)
    member = signup(client)
    assert client.get("/v1/users/me/export", headers=bearer(member)).status_code == 200
    limited = client.get("/v1/users/me/export", headers=bearer(member))
    assert limited.status_code == 429
    assert limited.headers["Retry-After"] == "1801"
