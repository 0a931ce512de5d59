"""/v1/tasks: bad input is 422 without echoing it, moves the status does not allow are 409, priorities
pick the queue, and a task is changed, cancelled, retried and deleted by its owner."""

import json
import uuid

import boto3
import pytest
from sqlalchemy import func, select

from shared.artifacts.models import Artifact
from shared.config import settings
from shared.executions import maintenance, worker
from shared.queue import messages
from shared.tasks.models import Task
from shared.workflows.models import AgentWorkflow
from tests.accounts import bearer, signup
from tests.fakes.http_server import Reply
from tests.fakes.llm_provider import Completion
from tests.queues import bodies, work_off

ONE_STEP = {
    "steps": [{"title": "Answer", "type": "template", "data": {"template": "Done: {{ input.intent }}"}}]
}


@pytest.fixture
def owner(client):  # type: ignore[no-untyped-def]
    return signup(client)


def post(client, owner, **body):  # type: ignore[no-untyped-def]
    return client.post("/v1/tasks", headers=bearer(owner), json={"intent": "Tidy my notes", **body})


def move(client, owner, task_id: str, name: str):  # type: ignore[no-untyped-def]
    return client.post(f"/v1/tasks/{task_id}/{name}", headers=bearer(owner))


@pytest.mark.parametrize(
    "body",
    [
        {"intent": ""},
        {"intent": "   \n "},
        {"intent": "x" * 4001},
        {"intent": "fine", "priority": "asap"},
        {"intent": "fine", "title": ""},
        {"intent": "fine", "surprise": True},
        {"intent": 42},
    ],
)
def test_bad_input_is_422_and_never_echoed(client, owner, aws, body):
    response = client.post("/v1/tasks", headers=bearer(owner), json=body)
    assert response.status_code == 422
    assert "x" * 100 not in response.text and "asap" not in response.text


def test_an_intent_of_4000_characters_is_accepted_and_the_title_is_its_start(client, owner, aws):
    response = post(client, owner, intent="Plan   a trip " + "y" * 3986)
    assert response.status_code == 202
    assert response.json()["title"].startswith("Plan a trip yyy") and len(response.json()["title"]) == 80


def test_urgent_and_high_tasks_go_to_the_priority_queue_the_others_to_the_executions_queue(
    client, owner, aws
):
    ids = {
        priority: post(client, owner, priority=priority).json()["id"]
        for priority in ("low", "urgent", "high")
    }
    priority_queue = bodies(aws.priority_queue_url)
    assert {body["task_id"] for body in priority_queue} == {ids["urgent"], ids["high"]}
    assert [body["task_id"] for body in bodies(aws.queue_url)] == [ids["low"]]


def test_an_urgent_tasks_run_goes_to_the_priority_queue_too(client, db, llm, aws, owner):
    llm.script(Completion(text=json.dumps(ONE_STEP)))
    task_id = post(client, owner, priority="urgent").json()["id"]
    [plan] = bodies(aws.priority_queue_url)
    worker.process(db, messages.TaskPlan(task_id=uuid.UUID(plan["task_id"])))
    [run] = bodies(aws.priority_queue_url)
    assert run["type"] == "execution.run" and bodies(aws.queue_url) == []
    assert (
        run["execution_id"]
        == client.get(f"/v1/tasks/{task_id}", headers=bearer(owner)).json()["execution_id"]
    )


def test_a_task_that_cannot_be_queued_is_503_and_failed_not_left_pending(client, db, owner, aws, monkeypatch):
    monkeypatch.setattr(settings, "EXECUTIONS_QUEUE_URL", aws.queue_url + "-gone")
    response = post(client, owner)
    assert response.status_code == 503
    [task] = db.scalars(select(Task).where(Task.user_id == owner["user"]["id"])).all()
    assert task.status == "failed"


def test_moves_the_status_does_not_allow_are_409(client, db, llm, aws, owner):
    task_id = post(client, owner).json()["id"]
    # pending, not planned yet: nothing to pause, resume or retry
    for name in ("pause", "resume", "retry"):
        response = move(client, owner, task_id, name)
        assert response.status_code == 409, name
        assert response.json()["detail"].startswith("A pending task cannot")
    llm.script(Completion(text=json.dumps(ONE_STEP)))
    work_off(db, aws)
    assert client.get(f"/v1/tasks/{task_id}", headers=bearer(owner)).json()["status"] == "succeeded"
    for name in ("start", "pause", "resume", "cancel", "retry"):
        assert move(client, owner, task_id, name).status_code == 409, name


def test_starting_a_task_still_being_planned_starts_it_once_planned(client, db, llm, aws, owner):
    task_id = post(client, owner, auto_start=False).json()["id"]
    started = move(client, owner, task_id, "start")
    assert started.status_code == 200 and started.json()["auto_start"] is True
    llm.script(Completion(text=json.dumps(ONE_STEP)))
    work_off(db, aws)
    task = client.get(f"/v1/tasks/{task_id}", headers=bearer(owner)).json()
    assert task["result"] == {"result": "Done: Tidy my notes"}


def test_a_pending_task_is_cancelled_at_once_and_its_plan_message_then_does_nothing(
    client, db, llm, aws, owner
):
    task_id = post(client, owner).json()["id"]
    cancelled = move(client, owner, task_id, "cancel")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    work_off(db, aws)
    assert llm.requests == []


def test_a_paused_task_is_cancelled_at_once(client, db, llm, aws, owner):
    llm.script(Completion(text=json.dumps(ONE_STEP)))
    task_id = post(client, owner, auto_start=False).json()["id"]
    work_off(db, aws)
    move(client, owner, task_id, "start")
    paused = move(client, owner, task_id, "pause")  # its run is still queued: paused at once
    assert paused.json()["status"] == "paused"
    assert move(client, owner, task_id, "pause").status_code == 409
    cancelled = move(client, owner, task_id, "cancel")
    assert cancelled.json()["status"] == "cancelled"
    work_off(db, aws)  # the queued run finds nothing to run
    assert client.get(f"/v1/tasks/{task_id}", headers=bearer(owner)).json()["status"] == "cancelled"


def test_a_failed_run_is_retried_from_its_failed_step(client, db, llm, aws, owner, loopback):
    plan = {
        "steps": [
            {"title": "Think", "type": "llm", "data": {"prompt": "Think"}},
            {"title": "Post", "type": "http", "data": {"url": f"{loopback.url}/hook", "method": "POST"}},
        ]
    }
    llm.script(Completion(text=json.dumps(plan)), Completion(text="thought"))
    loopback.script("/hook", Reply(503, {"error": "down"}), Reply(200, {"ok": True}))
    task_id = post(client, owner).json()["id"]
    work_off(db, aws)
    failed = client.get(f"/v1/tasks/{task_id}", headers=bearer(owner)).json()
    assert failed["status"] == "failed" and "step_2" in failed["error"] and failed["current_step"] == 1
    retried = move(client, owner, task_id, "retry")
    assert retried.status_code == 200 and retried.json()["status"] == "running"
    work_off(db, aws)
    task = client.get(f"/v1/tasks/{task_id}", headers=bearer(owner)).json()
    assert task["status"] == "succeeded" and task["error"] is None
    assert len(llm.requests) == 2  # the plan and step 1, which the retry reused
    assert task["execution_id"] != failed["execution_id"]


def test_a_task_is_listed_filtered_and_changed_by_its_owner(client, db, aws, owner):
    first = post(client, owner, priority="low").json()
    post(client, owner, priority="urgent")
    listed = client.get("/v1/tasks", headers=bearer(owner), params={"priority": "low"}).json()
    assert [item["id"] for item in listed["items"]] == [first["id"]] and listed["total"] == 1
    assert client.get("/v1/tasks", headers=bearer(owner), params={"status": "done"}).status_code == 422
    changed = client.patch(
        f"/v1/tasks/{first['id']}", headers=bearer(owner), json={"title": "Notes", "priority": "high"}
    )
    assert changed.status_code == 200
    assert (changed.json()["title"], changed.json()["priority"]) == ("Notes", "high")
    assert (
        client.patch(f"/v1/tasks/{first['id']}", headers=bearer(owner), json={"intent": "x"}).status_code
        == 422
    )


def test_another_users_task_is_404(client, aws, owner):
    task_id = post(client, owner).json()["id"]
    other = signup(client)
    for method, url in [
        ("GET", f"/v1/tasks/{task_id}"),
        ("GET", f"/v1/tasks/{task_id}/logs"),
        ("GET", f"/v1/tasks/{task_id}/artifacts"),
        ("POST", f"/v1/tasks/{task_id}/cancel"),
        ("DELETE", f"/v1/tasks/{task_id}"),
    ]:
        assert client.request(method, url, headers=bearer(other)).status_code == 404, url


def test_deleting_a_task_deletes_its_workflow_runs_and_artifact_objects(client, db, llm, aws_server, owner):
    plan = {"steps": [{"title": "File", "type": "artifact", "data": {"name": "a.txt", "content": "abc"}}]}
    llm.script(Completion(text=json.dumps(plan)))
    task_id = post(client, owner).json()["id"]
    work_off(db, aws_server)
    task = client.get(f"/v1/tasks/{task_id}", headers=bearer(owner)).json()
    s3 = boto3.client("s3", region_name=settings.AWS_REGION, endpoint_url=settings.AWS_ENDPOINT_URL)
    assert s3.list_objects_v2(Bucket=aws_server.artifacts_bucket).get("KeyCount") == 1
    assert client.delete(f"/v1/tasks/{task_id}", headers=bearer(owner)).status_code == 204
    assert s3.list_objects_v2(Bucket=aws_server.artifacts_bucket).get("KeyCount") == 0
    assert db.get(AgentWorkflow, uuid.UUID(task["workflow_id"])) is None
    assert db.scalar(select(func.count()).select_from(Artifact)) == 0
    assert client.get(f"/v1/tasks/{task_id}", headers=bearer(owner)).status_code == 404


def test_a_running_task_is_not_deleted(client, db, llm, aws, owner):
    llm.script(Completion(text=json.dumps(ONE_STEP)))
    task_id = post(client, owner).json()["id"]
    worker.process(db, messages.TaskPlan(task_id=uuid.UUID(task_id)))  # planned, its run queued
    assert client.delete(f"/v1/tasks/{task_id}", headers=bearer(owner)).status_code == 409


def test_a_task_follows_its_run_ended_elsewhere(client, db, llm, aws, owner):
    # GIVEN a planned task whose run is queued
    llm.script(Completion(text=json.dumps(ONE_STEP)))
    task_id = post(client, owner).json()["id"]
    worker.process(db, messages.TaskPlan(task_id=uuid.UUID(task_id)))
    execution_id = db.get(Task, uuid.UUID(task_id)).execution_id
    # WHEN the owner cancels the run itself, through the executions API
    assert client.post(f"/v1/executions/{execution_id}/cancel", headers=bearer(owner)).status_code == 200
    # THEN maintenance (or the next read) brings the task in line
    assert maintenance.reconcile_tasks(db) == 1
    task = client.get(f"/v1/tasks/{task_id}", headers=bearer(owner)).json()
    assert task["status"] == "cancelled" and task["error"] == "Cancelled by the owner"
    assert maintenance.reconcile_tasks(db) == 0
