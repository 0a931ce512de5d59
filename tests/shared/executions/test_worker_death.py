"""Fault test: a worker process killed (SIGKILL) in the middle of a run leaves it `running`; maintenance
fails it with the reason and resumes it once, at the node it died in, reusing what was already done."""

import os
import subprocess
import sys
import time
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import delete, select, update

from shared.config import get_utc_now
from shared.db import session_scope
from shared.executions.maintenance import run_maintenance
from shared.executions.models import AgentExecution
from shared.executions.worker import run_execution
from shared.users.models import User
from shared.workflows import service as workflow_service
from shared.workflows.schemas import WorkflowCreate
from tests.factories import make_execution, make_user, make_workflow
from tests.fakes.http_server import Reply
from tests.graphs import edge, graph, node

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))


@pytest.fixture
def committed_run(aws, loopback):  # type: ignore[no-untyped-def]
    """A committed user, a workflow prepare → call (loopback) → out, and a pending execution of it."""
    suffix = uuid.uuid4().hex[:8]
    with session_scope() as session:
        user = User(email=f"death-{suffix}@example.com", username=f"death_{suffix}")
        session.add(user)
        session.flush()
        workflow, _ = workflow_service.create_workflow(
            session=session,
            user=user,
            request=WorkflowCreate(
                name="Dies midway",
                graph_json=graph(
                    [
                        node("in", "input"),
                        node("prepare", "template", template="prepared {{ input.id }}"),
                        node("call", "http", url=f"{loopback.url}/slow"),
                        node("out", "output", values={"prepared": "{{ nodes.prepare.text }}"}),
                    ],
                    [edge("in", "prepare"), edge("prepare", "call"), edge("call", "out")],
                ),
            ),
        )
        execution = AgentExecution(
            workflow_id=workflow.id, user_id=user.id, workflow_version=1, input_data={"id": 7}
        )
        session.add(execution)
        session.flush()
        ids = {"user_id": user.id, "execution_id": execution.id}
    yield ids
    with session_scope() as session:
        session.execute(delete(User).where(User.id == ids["user_id"]))


def start_worker_process(execution_id: uuid.UUID) -> subprocess.Popen:
    code = (
        "import uuid\n"
        "from shared.db import session_scope\n"
        "from shared.executions.worker import run_execution\n"
        "with session_scope() as session:\n"
        f"    run_execution(session=session, execution_id=uuid.UUID({str(execution_id)!r}))\n"
    )
    env = {**os.environ, "OUTBOUND_ALLOWED_HOSTS": "127.0.0.1", "PYTHONPATH": REPO_ROOT}
    return subprocess.Popen([sys.executable, "-c", code], env=env, cwd=REPO_ROOT)


def wait_for(condition, what: str, timeout: float = 60.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def test_a_worker_killed_mid_run_is_recovered_by_maintenance(committed_run, loopback):
    # the first call hangs (the worker is killed while waiting); the resumed run's call answers
    loopback.script("/slow", Reply(200, {"late": True}, delay=30), Reply(200, {"fine": True}))
    execution_id = committed_run["execution_id"]
    worker = start_worker_process(execution_id)
    try:
        wait_for(lambda: loopback.calls("/slow"), "the worker to reach the http node")
    finally:
        worker.kill()  # SIGKILL: no finally block, no rollback, no goodbye
        worker.wait()
    with session_scope() as session:
        lost = session.get(AgentExecution, execution_id)
        assert lost.status == "running"  # what a dead worker leaves behind
        # time passes: the run is now older than the execution timeout plus grace
        session.execute(
            update(AgentExecution)
            .where(AgentExecution.id == execution_id)
            .values(started_at=get_utc_now() - timedelta(hours=1))
        )
    with session_scope() as session:
        report = run_maintenance(session)
    assert report["failed_stuck"] == 1 and report["resumed_lost"] == 1
    with session_scope() as session:
        lost = session.get(AgentExecution, execution_id)
        assert lost.status == "failed" and "worker lost" in lost.error_message
        resumed = session.scalar(select(AgentExecution).where(AgentExecution.retry_of_id == execution_id))
        assert resumed.status == "pending"
        assert resumed.trigger_metadata["recovery_of"] == str(execution_id)
        resumed_id = resumed.id
    with session_scope() as session:
        assert run_execution(session=session, execution_id=resumed_id) == "completed"
    with session_scope() as session:
        done = session.get(AgentExecution, resumed_id)
        statuses = {entry["node_id"]: entry["status"] for entry in done.execution_log}
        assert statuses["prepare"] == "reused" and statuses["call"] == "completed"
        assert done.output_data == {"prepared": "prepared 7"}


def test_a_resumption_that_dies_too_stays_failed(db, aws):
    """A node that kills its worker every time must not loop: only the first loss is resumed."""
    workflow = make_workflow(db, make_user(db))
    an_hour_ago = get_utc_now() - timedelta(hours=1)
    first = make_execution(db, workflow, status="running", started_at=an_hour_ago)
    second = make_execution(
        db,
        workflow,
        status="running",
        started_at=an_hour_ago,
        retry_of_id=first.id,
        trigger_metadata={"recovery_of": str(first.id)},
    )
    first.status = "failed"
    db.flush()
    report = run_maintenance(db)
    assert report == {**report, "failed_stuck": 1, "resumed_lost": 0}
    db.refresh(second)
    assert second.status == "failed"


def test_an_owners_retry_of_a_failed_resumption_may_be_resumed_again(db, aws):
    from shared.executions import service as execution_service

    workflow = make_workflow(db, make_user(db))
    resumption = make_execution(
        db, workflow, status="failed", trigger_metadata={"recovery_of": "an-earlier-run", "source_ip": "x"}
    )
    retried = execution_service.retry(session=db, execution=resumption, latest=False)
    assert retried.trigger_metadata == {"source_ip": "x", "retry_of": str(resumption.id)}
