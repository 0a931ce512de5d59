"""User management: finding accounts, and changing them within the guard rails. Disabling an account
takes effect on its very next request, everywhere: tokens, refresh tokens, API keys, schedules,
webhooks."""

import os
import time
import uuid

import boto3
import pytest
from sqlalchemy import select

from shared.admin import users as admin_users
from shared.admin.schemas import AdminUserUpdate
from shared.config import get_utc_now
from shared.errors import ConflictError
from shared.executions.lifecycle import create_scheduled
from shared.executions.models import AgentExecution
from shared.users.models import User
from shared.webhooks.service import sign
from tests.accounts import bearer, login, signup
from tests.admins import admin_with, grant, set_account
from tests.graphs import NAME_SCHEMA, greeting_graph

SCHEDULE = {"cron": "0 3 * * *", "timezone": "UTC", "input": {"name": "x"}}


def schedule_names(aws) -> set[str]:  # type: ignore[no-untyped-def]
    scheduler = boto3.client("scheduler", region_name=os.environ["AWS_REGION"])
    return {s["Name"] for s in scheduler.list_schedules(GroupName=aws.schedule_group)["Schedules"]}


def patch_user(client, admin, user_id, **body):  # type: ignore[no-untyped-def]
    return client.patch(f"/v1/admin/users/{user_id}", headers=bearer(admin), json=body)


def create_workflow(client, tokens, **body):  # type: ignore[no-untyped-def]
    response = client.post(
        "/v1/workflows",
        headers=bearer(tokens),
        json={"name": "Nightly", "graph_json": greeting_graph(), "input_schema": NAME_SCHEMA, **body},
    )
    assert response.status_code == 201, response.text
    return response.json()


def test_a_disabled_users_token_refresh_token_api_key_schedules_and_webhooks_stop_at_once(client, db, aws):
    # GIVEN a member signed in, with an API key, a scheduled workflow and a webhook workflow
    admin = admin_with(client, db, "users:manage")
    member = signup(client)
    key = client.post("/v1/users/me/api-keys", headers=bearer(member), json={"name": "ci"}).json()["key"]
    scheduled = create_workflow(client, member, trigger_type="schedule", trigger_config=SCHEDULE)
    hooked = create_workflow(client, member, name="Hook", trigger_type="webhook")
    assert f"wf-{scheduled['id']}" in schedule_names(aws)
    # WHEN an administrator disables the account
    disabled = patch_user(client, admin, member["user"]["id"], is_active=False)
    assert disabled.status_code == 200, disabled.text
    assert disabled.json()["is_active"] is False
    # THEN the very next request with each credential is refused
    assert client.get("/v1/users/me", headers=bearer(member)).status_code == 401
    assert client.post("/v1/auth/refresh", json={"refresh_token": member["refresh_token"]}).status_code == 401
    assert client.get("/v1/users/me", headers={"X-API-Key": key}).status_code == 401
    assert login(client, member["user"]["email"]).status_code == 403
    # AND its schedule is gone from EventBridge, and a fire already on its way runs nothing
    assert f"wf-{scheduled['id']}" not in schedule_names(aws)
    assert (
        create_scheduled(session=db, workflow_id=uuid.UUID(scheduled["id"]), scheduled_at=get_utc_now())
        is None
    )
    # AND its webhook is refused though correctly signed
    body = b'{"name": "Ada"}'
    headers = {"X-Ainav-Signature": sign(hooked["webhook_secret"], int(time.time()), body)}
    refused = client.post(f"/v1/hooks/{hooked['id']}", content=body, headers=headers)
    assert refused.status_code == 403
    assert refused.json()["detail"] == "The owner of this workflow is disabled"
    assert db.scalar(select(AgentExecution.id).where(AgentExecution.workflow_id == hooked["id"])) is None


def test_re_enabling_gives_the_schedules_back_but_not_the_sign_ins_or_keys(client, db, aws):
    admin = admin_with(client, db, "users:manage")
    member = signup(client)
    key = client.post("/v1/users/me/api-keys", headers=bearer(member), json={"name": "ci"}).json()["key"]
    scheduled = create_workflow(client, member, trigger_type="schedule", trigger_config=SCHEDULE)
    patch_user(client, admin, member["user"]["id"], is_active=False)
    # WHEN the account is enabled again
    enabled = patch_user(client, admin, member["user"]["id"], is_active=True)
    # THEN its schedule is back, it signs in again, and what was revoked stays revoked
    assert enabled.status_code == 200
    assert f"wf-{scheduled['id']}" in schedule_names(aws)
    assert login(client, member["user"]["email"]).status_code == 200
    assert client.get("/v1/users/me", headers=bearer(member)).status_code == 401
    assert client.get("/v1/users/me", headers={"X-API-Key": key}).status_code == 401


def test_a_scheduler_that_refuses_to_drop_a_schedule_leaves_the_account_enabled(client, db, aws, monkeypatch):
    from shared.errors import ServiceUnavailableError
    from shared.scheduling import service as scheduling_service

    admin = admin_with(client, db, "users:manage")
    member = signup(client)
    create_workflow(client, member, trigger_type="schedule", trigger_config=SCHEDULE)

    def refuse(workflow_id):  # type: ignore[no-untyped-def]
        raise ServiceUnavailableError("The scheduler did not remove the schedule; try again")

    monkeypatch.setattr(scheduling_service, "delete_schedule", refuse)
    response = patch_user(client, admin, member["user"]["id"], is_active=False)
    assert response.status_code == 503
    assert client.get("/v1/users/me", headers=bearer(member)).status_code == 200


def test_nobody_disables_or_demotes_themselves(client, db, superuser):
    second = signup(client)
    set_account(db, second, is_superuser=True)
    me = superuser["user"]["id"]
    assert patch_user(client, superuser, me, is_active=False).status_code == 409
    assert patch_user(client, superuser, me, is_superuser=False).status_code == 409
    assert client.get("/v1/users/me", headers=bearer(superuser)).json()["is_superuser"] is True


def test_the_last_active_superuser_is_neither_disabled_nor_demoted(client, db, superuser):
    # GIVEN two superusers, A (the fixture's) and B; B is disabled by A while B's own request, already
    # past authentication, goes on to demote A (the race two admins demoting each other would be)
    b = signup(client)
    set_account(db, b, is_superuser=True)
    assert patch_user(client, superuser, b["user"]["id"], is_active=False).status_code == 200
    a_user, b_user = db.get(User, superuser["user"]["id"]), db.get(User, b["user"]["id"])
    # WHEN B's change lands, demoting or disabling A, the last active superuser
    for change in (AdminUserUpdate(is_superuser=False), AdminUserUpdate(is_active=False)):
        with pytest.raises(ConflictError, match="last active superuser"):
            admin_users.update_user(db, user=a_user, changes=change, actor=b_user)
    # THEN A keeps both
    db.refresh(a_user)
    assert a_user.is_superuser and a_user.is_active


def test_a_disabled_superuser_may_be_demoted_while_another_is_active(client, db, superuser):
    other = signup(client)
    set_account(db, other, is_superuser=True)
    assert patch_user(client, superuser, other["user"]["id"], is_active=False).status_code == 200
    assert patch_user(client, superuser, other["user"]["id"], is_superuser=False).status_code == 200


def test_only_a_superuser_makes_a_superuser_or_changes_one(client, db, superuser):
    manager = admin_with(client, db, "users:manage")
    member = signup(client)
    assert patch_user(client, manager, member["user"]["id"], is_superuser=True).status_code == 403
    assert patch_user(client, manager, superuser["user"]["id"], is_active=False).status_code == 403
    assert patch_user(client, manager, superuser["user"]["id"], nickname="Boss").status_code == 403
    assert patch_user(client, manager, member["user"]["id"], nickname="Ada").json()["nickname"] == "Ada"
    promoted = patch_user(client, superuser, member["user"]["id"], is_superuser=True)
    assert promoted.json()["is_superuser"] is True


def test_users_are_found_by_text_status_and_role(client, db):
    reader = admin_with(client, db, "users:read")
    ada = signup(client, username="ada_lovelace")
    grace = signup(client, username="grace_hopper")
    grant(db, grace["user"]["id"], "audit:read").name = "Auditors"
    set_account(db, ada, is_active=False, nickname="Countess")
    db.flush()

    def found(**params):  # type: ignore[no-untyped-def]
        response = client.get("/v1/admin/users", headers=bearer(reader), params=params)
        assert response.status_code == 200, response.text
        return {item["username"] for item in response.json()["items"]}

    assert found(q="lovelace") == {"ada_lovelace"}
    assert found(q="countess") == {"ada_lovelace"}
    assert found(q=grace["user"]["email"]) == {"grace_hopper"}
    assert "ada_lovelace" in found(is_active=False)
    assert "ada_lovelace" not in found(is_active=True)
    assert found(role="auditors") == {"grace_hopper"}
    one = client.get(f"/v1/admin/users/{grace['user']['id']}", headers=bearer(reader)).json()
    assert one["roles"][0]["name"] == "Auditors"
    assert {"last_login_at", "password_changed_at", "credits", "bonus_credits", "nickname"} <= set(one)
    assert "hashed_password" not in one


def test_an_unknown_user_is_404(client, db):
    reader = admin_with(client, db, "users:read", "users:manage")
    missing = "00000000-0000-4000-8000-000000000000"
    assert client.get(f"/v1/admin/users/{missing}", headers=bearer(reader)).status_code == 404
    assert patch_user(client, reader, missing, nickname="x").status_code == 404


@pytest.mark.parametrize("body", [{"is_active": "maybe"}, {"roles": ["not-a-uuid"]}, {"email": "x@y.z"}])
def test_bad_changes_are_422(client, db, body):
    manager = admin_with(client, db, "users:manage", "roles:manage")
    member = signup(client)
    assert patch_user(client, manager, member["user"]["id"], **body).status_code == 422
