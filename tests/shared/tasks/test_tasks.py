"""Tasks from an intent, end to end against a fake model that returns a plan: planned, run step by step
with logs, paused between steps and resumed, ended with a result and an artifact in the emulated S3."""

import hashlib
import json

import httpx
import pytest

from shared.engine.registry import EXECUTORS
from shared.executions import worker  # noqa: F401  (registers the node executors)
from tests.accounts import bearer, signup
from tests.fakes.http_server import Reply
from tests.fakes.llm_provider import Completion
from tests.queues import work_off

REPORT = "A sunny day at 21°C."


def weather_plan(base_url: str) -> dict:
    return {
        "steps": [
            {"title": "Fetch the weather", "type": "http", "data": {"url": f"{base_url}/weather"}},
            {
                "title": "Summarise it",
                "type": "llm",
                "data": {"prompt": "Summarise: {{ nodes.step_1.body.summary }}"},
            },
            {
                "title": "Write the report",
                "type": "artifact",
                "data": {
                    "name": "report.md",
                    "content": "# Weather\n{{ nodes.step_2.text }}",
                    "mime_type": "text/markdown",
                },
            },
        ],
        "result": "{{ nodes.step_2.text }}",
    }


@pytest.fixture
def owner(client):  # type: ignore[no-untyped-def]
    return signup(client)


def after_node(monkeypatch, node_type: str, then) -> None:  # type: ignore[no-untyped-def]
    """`then()` runs once, right after the first node of this type has run (while its run goes on)."""
    original = EXECUTORS[node_type]
    pending = [then]

    def wrapped(data, ctx, session, timeout):  # type: ignore[no-untyped-def]
        result = original(data, ctx, session, timeout)
        if pending:
            pending.pop()()
        return result

    monkeypatch.setitem(EXECUTORS, node_type, wrapped)


def test_a_task_is_planned_run_paused_between_steps_resumed_and_ends_with_its_result_and_artifact(
    client, db, llm, loopback, aws_server, owner, monkeypatch
):
    # GIVEN a model that plans three steps (fetch, summarise, write a report) and then summarises
    loopback.script("/weather", Reply(body={"summary": "Sunny, 21°C"}))
    llm.script(Completion(text=json.dumps(weather_plan(loopback.url))), Completion(text=REPORT))
    headers = bearer(owner)
    # WHEN the owner posts an intent, and asks to pause while the first step runs
    created = client.post("/v1/tasks", headers=headers, json={"intent": "Write me a weather report"})
    assert created.status_code == 202, created.text
    task_id = created.json()["id"]
    assert created.json()["status"] == "pending"
    after_node(monkeypatch, "http", lambda: client.post(f"/v1/tasks/{task_id}/pause", headers=headers))
    assert work_off(db, aws_server) == ["task.plan", "execution.run"]
    # THEN the task stopped after step 1, before step 2
    task = client.get(f"/v1/tasks/{task_id}", headers=headers).json()
    assert (task["status"], task["current_step"], task["total_steps"]) == ("paused", 1, 3)
    assert [step["title"] for step in task["plan"]["steps"]] == [
        "Fetch the weather",
        "Summarise it",
        "Write the report",
    ]
    assert len(llm.requests) == 1  # the plan; step 2 has not run
    # WHEN the owner resumes it
    resumed = client.post(f"/v1/tasks/{task_id}/resume", headers=headers)
    assert resumed.status_code == 200 and resumed.json()["status"] == "running"
    assert work_off(db, aws_server) == ["execution.run"]
    # THEN it ends with its result, step 1 not run again
    task = client.get(f"/v1/tasks/{task_id}", headers=headers).json()
    assert task["status"] == "succeeded", task["error"]
    assert task["result"] == {"result": REPORT}
    assert task["current_step"] == 3 and task["completed_at"] is not None
    assert len(loopback.calls("/weather")) == 1
    # AND its log tells each step
    logs = client.get(f"/v1/tasks/{task_id}/logs", headers=headers, params={"level": "info"}).json()["items"]
    messages = [entry["message"] for entry in logs]
    assert messages[0] == "Task created" and "Planned 3 steps" in messages
    assert "Paused after step 1" in messages and "Resumed" in messages
    assert [entry["step"] for entry in logs if entry["message"].startswith("Step ")] == [1, 2, 3]
    assert messages[-1] == "Task succeeded"
    # AND its artifact downloads, through its presigned URL, the bytes the run wrote
    [artifact] = client.get(f"/v1/tasks/{task_id}/artifacts", headers=headers).json()["items"]
    content = f"# Weather\n{REPORT}".encode()
    assert (artifact["name"], artifact["type"], artifact["mime_type"]) == (
        "report.md",
        "text",
        "text/markdown",
    )
    assert artifact["size"] == len(content) and artifact["checksum"] == hashlib.sha256(content).hexdigest()
    download = httpx.get(artifact["download_url"])
    assert download.status_code == 200 and download.content == content


def test_the_step_logs_filter_by_level_and_step(client, db, llm, loopback, aws_server, owner):
    loopback.script("/weather", Reply(body={"summary": "Rain"}))
    llm.script(Completion(text=json.dumps(weather_plan(loopback.url))), Completion(text="Wet."))
    headers = bearer(owner)
    task_id = client.post("/v1/tasks", headers=headers, json={"intent": "Weather"}).json()["id"]
    work_off(db, aws_server)
    url = f"/v1/tasks/{task_id}/logs"
    step_2 = client.get(url, headers=headers, params={"step": 2}).json()["items"]
    assert {entry["step"] for entry in step_2} == {2}
    assert {entry["level"] for entry in step_2} == {"info", "debug"}
    output = next(entry for entry in step_2 if entry["level"] == "debug")
    assert output["metadata"]["output"]["text"] == "Wet."
    errors = client.get(url, headers=headers, params={"level": "error"}).json()
    assert errors["total"] == 0
    assert client.get(url, headers=headers, params={"level": "loud"}).status_code == 422
