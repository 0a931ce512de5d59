"""`make dev` end to end: the embedded stack in a subprocess, probed over loopback only."""

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import boto3
import httpx
import pytest

from infra.local.postgres import crash_lines
from shared.config import Settings
from shared.email.service import EmailService
from shared.webhooks.service import sign
from tests.conftest import REPO_ROOT

pytestmark = pytest.mark.e2e

STARTUP_TIMEOUT_SECONDS = 90
MAIL_TIMEOUT_SECONDS = 20


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def embedded_stack(local_dir: Path, port: int, aws_port: int) -> Iterator[tuple[subprocess.Popen, Path]]:
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("AWS_", "DATABASE_URL", "TEST_", "MAIL_", "SES_", "EXECUTIONS_"))
    }
    environment.update(
        AINAV_LOCAL_DIR=str(local_dir),
        PORT=str(port),
        AINAV_LOCAL_AWS_PORT=str(aws_port),
        ENVIRONMENT="development",
        PYTHONUNBUFFERED="1",
    )
    log_path = local_dir.parent / f"stack-{port}.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "infra.local"],
            cwd=REPO_ROOT,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_until_healthy(process, f"http://127.0.0.1:{port}/v1/health", log_path)
            yield process, log_path
        finally:
            if process.poll() is None:
                process.kill()
                process.wait(10)
                stop_postgres_left_running(local_dir / "pg")


def stop_postgres_left_running(data_dir: Path) -> None:
    """The stack stops its PostgreSQL when it exits cleanly (the test checks it); a stack that had to
    be killed (a failed test) leaves it running, so it is stopped here."""
    pid_file = data_dir / "postmaster.pid"
    if pid_file.exists():
        with contextlib.suppress(ProcessLookupError, ValueError):
            os.kill(int(pid_file.read_text().split()[0]), signal.SIGQUIT)  # PostgreSQL's immediate stop


def wait_until_healthy(process: subprocess.Popen, url: str, log_path: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the stack exited with {process.returncode}:\n{log_path.read_text()}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    pytest.fail(f"the stack did not become healthy:\n{log_path.read_text()}")


def stop(process: subprocess.Popen) -> int:
    process.send_signal(signal.SIGINT)
    return process.wait(60)


def token_in_last_mail(base: str, to: str, subject: str) -> str:
    """The token of the newest such mail, waiting for it: mail goes through the mail queue, so the worker
    loop sends it a moment after the request."""
    deadline = time.monotonic() + MAIL_TIMEOUT_SECONDS
    while True:
        mails = [
            m
            for m in httpx.get(f"{base}/_local/outbox").json()
            if m["to"] == [to] and m["subject"] == subject
        ]
        if mails or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert mails, f"no mail {subject!r} to {to} within {MAIL_TIMEOUT_SECONDS} s"
    mail = mails[-1]
    link = next(word for word in mail["text"].split() if "?token=" in word)
    return parse_qs(urlparse(link).query)["token"][0]


def account_lifecycle(base: str) -> None:
    """Register, forget the password, reset it from the mailed link, sign in by magic link, log out."""
    api = httpx.Client(base_url=f"{base}/v1", timeout=10)
    email, first, second = "lifecycle@example.com", "first strong passphrase", "second strong passphrase"
    registered = api.post("/auth/register", json={"email": email, "username": "lifecycle", "password": first})
    assert registered.status_code == 201
    assert api.post("/auth/password/forgot", json={"email": email}).status_code == 202
    reset_token = token_in_last_mail(base, email, "重置您的密码 - AI导航")
    assert (
        api.post("/auth/password/reset", json={"token": reset_token, "new_password": second}).status_code
        == 204
    )
    assert api.post("/auth/login", json={"email": email, "password": first}).status_code == 401
    assert api.post("/auth/login", json={"username": "lifecycle", "password": second}).status_code == 200
    assert api.post("/auth/magic-link", json={"email": email}).status_code == 202
    magic_token = token_in_last_mail(base, email, "您的 AI导航 登录链接")
    signed_in = api.post("/auth/magic-link/verify", json={"token": magic_token}).json()
    headers = {"Authorization": f"Bearer {signed_in['access_token']}"}
    assert api.get("/users/me", headers=headers).json()["email"] == email
    assert api.post("/auth/logout", headers=headers).status_code == 204
    assert api.get("/users/me", headers=headers).status_code == 401


def workflow_lifecycle(base: str, sqs, scheduler, queue_url: str) -> None:  # type: ignore[no-untyped-def]
    """Create, version, publish, fork and star workflows; schedule one; call a signed webhook."""
    api = httpx.Client(base_url=f"{base}/v1", timeout=10)

    def member(name: str) -> dict[str, str]:
        body = {"email": f"{name}@example.com", "username": name, "password": "a strong passphrase"}
        return {"Authorization": f"Bearer {api.post('/auth/register', json=body).json()['access_token']}"}

    author, reader = member("author"), member("reader")
    schema = {"type": "object", "properties": {"topic": {"type": "string"}}, "required": ["topic"]}
    created = api.post("/workflows", headers=author, json={"name": "每日简报", "input_schema": schema}).json()
    assert created["slug"] == "mei-ri-jian-bao"
    url = f"/workflows/{created['id']}"
    scheduled = api.patch(
        url,
        headers=author,
        json={
            "is_public": True,
            "trigger_type": "schedule",
            "trigger_config": {"cron": "0 8 * * *", "timezone": "Asia/Shanghai", "input": {"topic": "AI"}},
        },
    ).json()
    assert scheduled["version"] == 2 and len(scheduled["next_fire_times"]) == 5
    schedule = scheduler.get_schedule(Name=f"wf-{created['id']}", GroupName="ainav")
    assert schedule["ScheduleExpression"] == "cron(0 8 * * ? *)"
    assert api.get(f"{url}/versions", headers=author).json()["total"] == 2
    fork = api.post(f"{url}/fork", headers=reader)
    assert fork.status_code == 201 and fork.json()["forked_from_id"] == created["id"]
    assert api.put(f"{url}/star", headers=reader).json() == {"starred": True, "star_count": 1}
    assert api.get("/workflows/public?sort=stars").json()["items"][0]["fork_count"] == 1

    hooked = api.post(
        "/workflows",
        headers=author,
        json={"name": "Inbox", "input_schema": schema, "trigger_type": "webhook"},
    ).json()
    body = json.dumps({"topic": "webhooks"}).encode()
    signature = sign(hooked["webhook_secret"], int(time.time()), body)
    call = api.post(
        f"/hooks/{hooked['id']}",
        content=body,
        headers={"X-Ainav-Signature": signature, "Content-Type": "application/json"},
    )
    assert call.status_code == 202 and call.json()["status"] == "pending"
    hooked_run = wait_for_execution(api, author, call.json()["id"])
    assert hooked_run["trigger_type"] == "webhook" and hooked_run["input_data"] == {"topic": "webhooks"}

    # a run started by hand executes in the worker loop, node by node
    greeter = api.post("/workflows", headers=author, json={"name": "Greeter", "graph_json": GREETER}).json()
    started = api.post(f"/workflows/{greeter['id']}/runs", headers=author, json={"input": {"name": "dev"}})
    finished = wait_for_execution(api, author, started.json()["id"])
    assert finished["output_data"] == {"greeting": "Hello dev!"}
    assert [entry["node_id"] for entry in finished["execution_log"]] == ["in", "greet", "out"]

    # memories are found by a paraphrased question, through the API and inside a run
    recaller = api.post(
        "/workflows", headers=author, json={"name": "Recaller", "graph_json": RECALLER}
    ).json()
    memories = f"/workflows/{recaller['id']}/memories"
    facts = ["The office wifi password is on the fridge.", "Lunch is served at noon in the cafeteria."]
    assert (
        api.post(memories, headers=author, json={"items": [{"content": f} for f in facts]}).status_code == 201
    )
    found = api.get(f"{memories}/search", headers=author, params={"q": "what time do we eat?", "k": 1}).json()
    assert found["items"][0]["content"] == facts[1]
    asked = api.post(
        f"/workflows/{recaller['id']}/runs", headers=author, json={"input": {"q": "Where is the wifi code?"}}
    )
    assert wait_for_execution(api, author, asked.json()["id"])["output_data"] == {"answer": facts[0]}

    # an email node mails the workflow's owner: the mail is in the outbox when the run completes
    mailer = api.post("/workflows", headers=author, json={"name": "Mailer", "graph_json": MAILER}).json()
    mailed = api.post(f"/workflows/{mailer['id']}/runs", headers=author, json={"input": {}})
    assert wait_for_execution(api, author, mailed.json()["id"])["output_data"] == {"sent": "True"}
    assert any(
        m["to"] == ["author@example.com"] and m["subject"] == "Daily report"
        for m in httpx.get(f"{base}/_local/outbox").json()
    )


GREETER = {
    "nodes": [
        {"id": "in", "type": "input", "data": {}, "position": {"x": 0, "y": 0}},
        {
            "id": "greet",
            "type": "template",
            "data": {"template": "Hello {{ input.name }}!"},
            "position": {"x": 0, "y": 1},
        },
        {
            "id": "out",
            "type": "output",
            "data": {"values": {"greeting": "{{ nodes.greet.text }}"}},
            "position": {"x": 0, "y": 2},
        },
    ],
    "edges": [
        {"id": "a", "source": "in", "target": "greet"},
        {"id": "b", "source": "greet", "target": "out"},
    ],
}


MAILER = {
    "nodes": [
        {"id": "in", "type": "input", "data": {}, "position": {"x": 0, "y": 0}},
        {
            "id": "mail",
            "type": "email",
            "data": {"subject": "Daily report", "body": "All done."},
            "position": {"x": 0, "y": 1},
        },
        {
            "id": "out",
            "type": "output",
            "data": {"values": {"sent": "{{ nodes.mail.sent }}"}},
            "position": {"x": 0, "y": 2},
        },
    ],
    "edges": [
        {"id": "a", "source": "in", "target": "mail"},
        {"id": "b", "source": "mail", "target": "out"},
    ],
}


RECALLER = {
    "nodes": [
        {"id": "in", "type": "input", "data": {}, "position": {"x": 0, "y": 0}},
        {
            "id": "recall",
            "type": "memory_search",
            "data": {"query": "{{ input.q }}", "k": 1},
            "position": {"x": 0, "y": 1},
        },
        {
            "id": "out",
            "type": "output",
            "data": {"values": {"answer": "{{ nodes.recall.results[0].content }}"}},
            "position": {"x": 0, "y": 2},
        },
    ],
    "edges": [
        {"id": "a", "source": "in", "target": "recall"},
        {"id": "b", "source": "recall", "target": "out"},
    ],
}


def wait_for_execution(
    api: httpx.Client, headers: dict[str, str], execution_id: str, timeout: float = 30
) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        execution = api.get(f"/executions/{execution_id}", headers=headers).json()
        if execution["status"] in ("completed", "failed", "cancelled"):
            assert execution["status"] == "completed", execution
            return execution
        time.sleep(0.2)
    pytest.fail(f"execution {execution_id} did not finish: {execution}")


def navigator_lifecycle(base: str) -> None:
    """A new user sees trending tools; after liking image tools, recommendations follow, with reasons."""
    api = httpx.Client(base_url=f"{base}/v1", timeout=10)
    body = {"email": "navigator@example.com", "username": "navigator", "password": "a strong passphrase"}
    headers = {"Authorization": f"Bearer {api.post('/auth/register', json=body).json()['access_token']}"}
    fresh = api.get("/interactions/recommendations", headers=headers).json()["items"]
    assert len(fresh) == 20 and all(item["reason"] for item in fresh)
    for slug in ("midjourney", "leonardo-ai", "ideogram"):
        tool = api.get(f"/catalog/tools/{slug}").json()
        posted = api.post(
            "/interactions",
            headers=headers,
            json={"item_type": "tool", "item_id": tool["id"], "action": "like"},
        )
        assert posted.status_code == 201
    top = api.get("/interactions/recommendations?page_size=10", headers=headers).json()["items"]
    image_like = [
        t
        for t in top
        if t["category"] in ("image-generation", "design") or "image-creation" in t["scenarios"]
    ]
    assert len(image_like) >= 6 and any(t["reason"].startswith("Because you liked") for t in top)
    assert api.get("/interactions/trending").json()["items"][0]["slug"] in (
        "midjourney",
        "leonardo-ai",
        "ideogram",
    )


def start_minutely_schedule(base: str) -> tuple[httpx.Client, dict[str, str], str]:
    """A workflow on `* * * * *`: the scheduler loop fires it at the next minute."""
    api = httpx.Client(base_url=f"{base}/v1", timeout=10)
    body = {"email": "cron@example.com", "username": "cron_user", "password": "a strong passphrase"}
    headers = {"Authorization": f"Bearer {api.post('/auth/register', json=body).json()['access_token']}"}
    workflow = api.post(
        "/workflows",
        headers=headers,
        json={"name": "Every minute", "trigger_type": "schedule", "trigger_config": {"cron": "* * * * *"}},
    ).json()
    return api, headers, workflow["id"]


def wait_for_scheduled_run(api: httpx.Client, headers: dict[str, str], workflow_id: str) -> dict:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        runs = api.get(f"/executions?workflow_id={workflow_id}&status=completed", headers=headers).json()[
            "items"
        ]
        if runs:
            return runs[0]
        time.sleep(1)
    pytest.fail("the minutely schedule produced no completed execution within 90 s")


def test_make_dev_serves_health_docs_and_the_outbox_and_stops_cleanly(tmp_path):
    local_dir = tmp_path / "local"
    port, aws_port = free_port(), free_port()
    base = f"http://127.0.0.1:{port}"
    aws = f"http://127.0.0.1:{aws_port}"

    with embedded_stack(local_dir, port, aws_port) as (process, log_path):
        # health reports the embedded PostgreSQL
        health = httpx.get(f"{base}/v1/health").json()
        assert health["status"] == "ok"
        assert int(health["database"]["server_version"].split(".")[0]) >= 16
        assert httpx.get(f"{base}/docs").status_code == 200

        # the executions queue dead-letters after 5 receives; the schedule group exists
        sqs = boto3.client("sqs", region_name="us-east-1", endpoint_url=aws)
        queue_url = sqs.get_queue_url(QueueName="ainav-executions")["QueueUrl"]
        attributes = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["RedrivePolicy"])
        assert json.loads(attributes["Attributes"]["RedrivePolicy"])["maxReceiveCount"] == 5
        scheduler = boto3.client("scheduler", region_name="us-east-1", endpoint_url=aws)
        assert "ainav" in {g["Name"] for g in scheduler.list_schedule_groups()["ScheduleGroups"]}

        # a mail sent through the emulated SES shows up in the outbox, as JSON and as an .eml file
        assert httpx.get(f"{base}/_local/outbox").json() == []
        mailer = EmailService(
            Settings(_env_file=None, MAIL_FROM_EMAIL="noreply@ainav.local", AWS_ENDPOINT_URL=aws),
            client=boto3.client("sesv2", region_name="us-east-1", endpoint_url=aws),
            suppressed=lambda session, recipients: set(),  # the stack's database is not this test's
        )
        assert mailer.send_welcome_email(None, "newcomer@example.com", "newcomer") is True
        [mail] = httpx.get(f"{base}/_local/outbox").json()
        assert mail["to"] == ["newcomer@example.com"]
        assert mail["subject"] == "欢迎加入 AI导航！"
        assert "newcomer" in mail["text"] and "newcomer" in mail["html"]
        assert len(list((local_dir / "outbox").glob("*.eml"))) == 1

        # the catalog seed was loaded on this first start: browsable and searchable in both languages
        assert httpx.get(f"{base}/v1/catalog/tools").json()["total"] >= 60
        assert (
            httpx.get(f"{base}/v1/catalog/search", params={"q": "chatgtp"}).json()["items"][0]["slug"]
            == "chatgpt"
        )
        assert httpx.get(f"{base}/v1/catalog/search", params={"q": "视频剪辑"}).json()["items"]
        similar = httpx.get(f"{base}/v1/catalog/tools/midjourney/similar", params={"k": 5}).json()["items"]
        assert len(similar) == 5 and "midjourney" not in {tool["slug"] for tool in similar}
        navigator_lifecycle(base)
        cron_api, cron_headers, minutely = start_minutely_schedule(base)
        account_lifecycle(base)
        workflow_lifecycle(base, sqs, scheduler, queue_url)
        scheduled_run = wait_for_scheduled_run(cron_api, cron_headers, minutely)
        assert scheduled_run["trigger_type"] == "schedule" and scheduled_run["scheduled_at"].endswith(":00Z")

        # Ctrl-C stops every part and the process exits 0
        assert stop(process) == 0
        log = log_path.read_text()
        assert "Traceback" not in log
        assert "ainav is running" in log
    assert not (local_dir / "pg" / "postmaster.pid").exists()
    assert crash_lines(local_dir / "pg" / "log") == [], "no PostgreSQL server process crashed"

    # a second start reuses the data: the schema is there, no migration runs again
    with embedded_stack(local_dir, port, aws_port) as (process, log_path):
        assert httpx.get(f"{base}/v1/health").json()["status"] == "ok"
        assert stop(process) == 0
        assert "Running upgrade" not in log_path.read_text()
