"""An unverified account claimed by its mailbox owner (pre-account takeover): besides the squatter's
credentials, everything they made that could run with the owner's `{{ secrets.* }}` is gone."""

import json
import os
import time

import boto3
import pytest
from sqlalchemy import func, select

from shared.config import get_utc_now
from shared.executions.lifecycle import create_scheduled
from shared.executions.models import AgentExecution
from shared.webhooks.service import sign
from shared.workflows.models import AgentWorkflow, WorkflowVersion
from tests.accounts import bearer, login, signup
from tests.conftest import Mailbox
from tests.graphs import NAME_SCHEMA, greeting_graph

NEW_PASSWORD = "the owner's own passphrase"


@pytest.fixture
def mailbox(aws, monkeypatch):  # type: ignore[no-untyped-def]
    """The SES of the `aws` fixture, read back (one moto for mail, queue and scheduler). Mail is sent in
    the request, as without a mail queue, so the claim's link is there at once (queued mail is
    tests/shared/email/test_queued_mail.py's subject)."""
    from shared.config import settings

    monkeypatch.setattr(settings, "MAIL_QUEUE_URL", None)
    return Mailbox(os.environ["AWS_REGION"])


def create(client, tokens, **body):  # type: ignore[no-untyped-def]
    response = client.post(
        "/v1/workflows", headers=bearer(tokens), json={"input_schema": NAME_SCHEMA, **body}
    )
    assert response.status_code == 201, response.text
    return response.json()


def schedule_names(aws) -> set[str]:  # type: ignore[no-untyped-def]
    scheduler = boto3.client("scheduler", region_name=os.environ["AWS_REGION"])
    return {s["Name"] for s in scheduler.list_schedules(GroupName=aws.schedule_group)["Schedules"]}


def claim_by_magic_link(client, mailbox, email: str) -> dict:  # type: ignore[no-untyped-def]
    assert client.post("/v1/auth/magic-link", json={"email": email}).status_code == 202
    response = client.post("/v1/auth/magic-link/verify", json={"token": mailbox.token_sent_to(email)})
    assert response.status_code == 200, response.text
    return response.json()


def claim_by_password_reset(client, mailbox, email: str) -> dict:  # type: ignore[no-untyped-def]
    assert client.post("/v1/auth/password/forgot", json={"email": email}).status_code == 202
    token = mailbox.token_sent_to(email)
    reset = client.post("/v1/auth/password/reset", json={"token": token, "new_password": NEW_PASSWORD})
    assert reset.status_code == 204, reset.text
    return login(client, email, NEW_PASSWORD).json()


@pytest.mark.parametrize("claim", [claim_by_magic_link, claim_by_password_reset])
def test_the_squatters_workflows_schedules_webhooks_secrets_and_runs_die_with_the_claim(
    client, db, aws, mailbox, claim
):
    # GIVEN a squatter who registered the victim's address and set up a scheduled workflow, a webhook
    # workflow with a queued run, and a vault secret; and someone else's public workflow
    squatter = signup(client, email="victim@example.com")
    scheduled = create(
        client,
        squatter,
        name="Nightly exfiltration",
        graph_json=greeting_graph(),
        trigger_type="schedule",
        trigger_config={"cron": "0 3 * * *", "timezone": "UTC", "input": {"name": "x"}},
    )
    hooked = create(client, squatter, name="Remote trigger", trigger_type="webhook")
    secret = client.put(
        "/v1/users/me/secrets/OPENAI_KEY", headers=bearer(squatter), json={"value": "sk-squatter-own"}
    )
    assert secret.status_code == 201, secret.text
    own_endpoint = client.put(
        "/v1/users/me/llm-keys/openai", headers=bearer(squatter), json={"api_key": "sk-squatter-model"}
    )
    assert own_endpoint.status_code == 201, own_endpoint.text
    run = client.post(
        f"/v1/workflows/{hooked['id']}/runs", headers=bearer(squatter), json={"input": {"name": "x"}}
    )
    assert run.status_code == 202, run.text
    public = create(client, signup(client), name="Shared tool", graph_json=greeting_graph(), is_public=True)
    assert f"wf-{scheduled['id']}" in schedule_names(aws)

    # WHEN the real owner proves the mailbox
    owner = claim(client, mailbox, "victim@example.com")

    # THEN the workflows are gone with their versions and runs, and so is the schedule in EventBridge
    squatter_ids = [scheduled["id"], hooked["id"]]
    assert db.scalar(select(func.count()).where(AgentWorkflow.id.in_(squatter_ids))) == 0
    assert db.scalar(select(func.count()).where(WorkflowVersion.workflow_id.in_(squatter_ids))) == 0
    assert db.scalar(select(func.count()).where(AgentExecution.workflow_id.in_(squatter_ids))) == 0
    assert f"wf-{scheduled['id']}" not in schedule_names(aws)
    assert client.get("/v1/workflows", headers=bearer(owner)).json()["total"] == 0
    assert db.get(AgentExecution, run.json()["id"]) is None
    # ... and the vault is empty, and no model key of the squatter's would receive the owner's prompts
    assert client.get("/v1/users/me/secrets", headers=bearer(owner)).json()["total"] == 0
    assert client.get("/v1/users/me/llm-keys", headers=bearer(owner)).json() == []
    # ... and nothing of the squatter can run: not the webhook with its secret, not a scheduled fire
    body = json.dumps({"name": "x"}).encode()
    signature = sign(hooked["webhook_secret"], int(time.time()), body)
    fired = client.post(
        f"/v1/hooks/{hooked['id']}",
        content=body,
        headers={"Content-Type": "application/json", "X-Ainav-Signature": signature},
    )
    assert fired.status_code == 404
    assert create_scheduled(session=db, workflow_id=scheduled["id"], scheduled_at=get_utc_now()) is None
    assert db.scalar(select(func.count()).where(AgentExecution.user_id == squatter["user"]["id"])) == 0
    # ... while the third party's workflow is untouched
    assert db.get(AgentWorkflow, public["id"]) is not None


def test_the_squatters_profile_settings_projects_nickname_and_avatar_are_reset_by_the_claim(
    client, aws, mailbox
):
    # GIVEN a squatter who set the victim's account up: run mail off, a nickname and avatar, settings,
    # an extra project, and the default project renamed
    squatter = signup(client, email="prefs-victim@example.com")
    headers = bearer(squatter)
    client.patch(
        "/v1/users/me", headers=headers, json={"nickname": "Mallory", "avatar_url": "https://m.example/a.png"}
    )
    client.patch(
        "/v1/users/me/profile", headers=headers, json={"email_notifications": False, "timezone": "Asia/Tokyo"}
    )
    client.patch(
        "/v1/users/me/settings", headers=headers, json={"default_llm_provider": "custom", "theme": "dark"}
    )
    client.post("/v1/projects", headers=headers, json={"name": "Loot"})
    [default] = client.get("/v1/projects", headers=headers).json()["items"][:1]
    client.patch(
        f"/v1/projects/{default['id']}", headers=headers, json={"name": "Mallory's", "color": "#000000"}
    )
    # WHEN the real owner proves the mailbox
    owner = bearer(claim_by_magic_link(client, mailbox, "prefs-victim@example.com"))
    # THEN the account is as if new: defaults everywhere, one default project
    me = client.get("/v1/users/me", headers=owner).json()
    assert (me["nickname"], me["avatar_url"]) == (None, None)
    profile = client.get("/v1/users/me/profile", headers=owner).json()
    assert (profile["email_notifications"], profile["timezone"]) == (True, "UTC")
    settings = client.get("/v1/users/me/settings", headers=owner).json()
    assert (settings["default_llm_provider"], settings["theme"]) == (None, "system")
    projects = client.get("/v1/projects", headers=owner, params={"include_archived": True}).json()["items"]
    assert [(p["id"], p["name"], p["color"], p["is_default"]) for p in projects] == [
        (default["id"], "默认项目", "#f97316", True)
    ]


def test_a_verified_accounts_workflows_survive_a_magic_link_sign_in(client, db, aws, mailbox):
    # GIVEN an account whose address is verified, with a scheduled workflow
    account = signup(client, email="settled-owner@example.com")
    verified = client.post(
        "/v1/auth/email/verify", json={"token": mailbox.token_sent_to("settled-owner@example.com")}
    )
    assert verified.status_code == 200
    scheduled = create(
        client,
        account,
        name="Morning report",
        graph_json=greeting_graph(),
        trigger_type="schedule",
        trigger_config={"cron": "0 9 * * *", "timezone": "UTC", "input": {"name": "x"}},
    )
    # WHEN its owner signs in by magic link
    owner = claim_by_magic_link(client, mailbox, "settled-owner@example.com")
    # THEN the workflow and its schedule are still there
    assert client.get(f"/v1/workflows/{scheduled['id']}", headers=bearer(owner)).status_code == 200
    assert f"wf-{scheduled['id']}" in schedule_names(aws)


def test_a_scheduler_that_refuses_to_drop_a_schedule_fails_the_claim_and_keeps_the_link(
    client, db, aws, mailbox, monkeypatch
):
    from shared.auth import service as auth_service
    from shared.auth.sessions import ClientInfo
    from shared.errors import ServiceUnavailableError
    from shared.scheduling import service as scheduling_service

    # GIVEN a squatter's scheduled workflow, the owner's magic link, and a scheduler that is down
    squatter = signup(client, email="retry-victim@example.com")
    scheduled = create(
        client,
        squatter,
        name="Nightly",
        graph_json=greeting_graph(),
        trigger_type="schedule",
        trigger_config={"cron": "0 3 * * *", "timezone": "UTC", "input": {"name": "x"}},
    )
    client.post("/v1/auth/magic-link", json={"email": "retry-victim@example.com"})
    token = mailbox.token_sent_to("retry-victim@example.com")

    def scheduler_down(workflow_id):  # type: ignore[no-untyped-def]
        raise ServiceUnavailableError("The scheduler did not remove the schedule; try again")

    # WHEN the owner follows the link, it fails (503) before anything is committed
    with monkeypatch.context() as outage, pytest.raises(ServiceUnavailableError):
        outage.setattr(scheduling_service, "delete_schedule", scheduler_down)
        auth_service.verify_magic_link(session=db, token=token, client=ClientInfo())
    db.rollback()  # what closing the request's session does
    assert db.get(AgentWorkflow, scheduled["id"]) is not None
    # THEN, the scheduler back, the same link claims the account and the schedule goes
    signed_in = auth_service.verify_magic_link(session=db, token=token, client=ClientInfo())
    assert signed_in.user.email_verified
    assert db.get(AgentWorkflow, scheduled["id"]) is None
    assert f"wf-{scheduled['id']}" not in schedule_names(aws)
