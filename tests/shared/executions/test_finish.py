"""A run ends in one statement: the execution's end and its workflow's run count, committed together
with the mail its outcome calls for. A run the engine could not finish ends the same way, failed."""

import pytest
from sqlalchemy import event, select

from shared.executions import worker
from shared.workflows.models import AgentWorkflow
from tests.graphs import greeting_graph


@pytest.fixture
def statements(db):  # type: ignore[no-untyped-def]
    """The SQL statements the test's session sends, in order."""
    sent: list[str] = []
    connection = db.connection()

    def record(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        sent.append(statement)

    event.listen(connection, "before_cursor_execute", record)
    yield sent
    event.remove(connection, "before_cursor_execute", record)


def writes(statements: list[str]) -> list[str]:
    return [s for s in statements if s.lstrip().startswith(("UPDATE", "WITH", "INSERT", "DELETE"))]


def test_a_run_is_claimed_then_ended_and_counted_by_one_statement(runnable, db, statements):
    workflow = runnable.workflow(greeting_graph())
    execution = runnable.execution(workflow, {"name": "Ada", "n": 5})
    statements.clear()
    finished = runnable.run(execution)
    claim, end = writes(statements)
    assert claim.startswith("UPDATE agent_executions") and "RETURNING" in claim
    assert "UPDATE agent_workflows" in end and "UPDATE agent_executions" in end
    assert finished.status == "completed" and finished.finished_at is not None
    assert finished.duration_ms is not None and finished.output_data == {"greeting": "Hello Ada!"}
    assert db.scalar(select(AgentWorkflow.run_count).where(AgentWorkflow.id == workflow.id)) == 1


def test_the_sessions_workflow_sees_its_new_run_count(runnable):
    workflow = runnable.workflow(greeting_graph())
    runnable.run(runnable.execution(workflow, {"name": "Ada", "n": 5}))
    runnable.run(runnable.execution(workflow, {"name": "Bo", "n": 1}))
    assert workflow.run_count == 2  # without a refresh


def test_the_sessions_execution_holds_what_was_written(runnable, db):
    execution = runnable.execution(runnable.workflow(greeting_graph()), {"name": "Ada", "n": 5})
    worker.run_execution(session=db, execution_id=execution.id, sleep=lambda seconds: None)
    assert not db.is_modified(execution)  # nothing left to write again
    written = (execution.status, execution.finished_at, execution.execution_log, execution.updated_at)
    db.expire(execution)
    assert (execution.status, execution.finished_at, execution.execution_log, execution.updated_at) == written


def test_a_run_the_engine_could_not_finish_fails_and_is_counted(runnable, db, monkeypatch):
    def broken_engine(**arguments):  # type: ignore[no-untyped-def]
        raise RuntimeError("a bug")

    monkeypatch.setattr(worker.engine, "run_graph", broken_engine)
    workflow = runnable.workflow(greeting_graph())
    failed = runnable.run(runnable.execution(workflow, {"name": "Ada", "n": 5}))
    assert failed.status == "failed" and failed.error_message == "internal error: RuntimeError"
    assert failed.finished_at is not None and failed.duration_ms is not None
    assert db.scalar(select(AgentWorkflow.run_count).where(AgentWorkflow.id == workflow.id)) == 1


def test_a_run_outside_a_batch_waits_for_the_disk_with_its_result(runnable, statements):
    execution = runnable.execution(runnable.workflow(greeting_graph()), {"name": "Ada", "n": 5})
    assert runnable.run(execution).status == "completed"
    # an API's in-process run: no later commit of a batch makes its result durable
    assert "SET LOCAL synchronous_commit TO OFF" not in statements
