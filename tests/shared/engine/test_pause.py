"""Pausing a run between nodes (a task's run): the engine stops before the next node, the run waits
paused with what it has done, and a resumption goes on from there without redoing it."""

from datetime import timedelta

from sqlalchemy import update

from shared.config import get_utc_now
from shared.engine.registry import EXECUTORS
from shared.executions import (
    lifecycle,
    maintenance,
    worker,  # noqa: F401  (registers the node executors)
)
from shared.executions.models import AgentExecution
from tests.fakes.http_server import Reply
from tests.graphs import edge, graph, node


def two_calls(runnable, loopback):  # type: ignore[no-untyped-def]
    loopback.script("/one", Reply(body={"n": 1}))
    loopback.script("/two", Reply(body={"n": 2}))
    return runnable.workflow(
        graph(
            [
                node("in", "input"),
                node("one", "http", url=f"{loopback.url}/one"),
                node("two", "http", url=f"{loopback.url}/two"),
                node("out", "output", values={"sum": "{{ nodes.one.body.n + nodes.two.body.n }}"}),
            ],
            [edge("in", "one"), edge("one", "two"), edge("two", "out")],
        )
    )


def test_a_pause_asked_for_during_a_node_stops_the_run_before_the_next(runnable, db, loopback, monkeypatch):
    workflow = two_calls(runnable, loopback)
    execution = runnable.execution(workflow)
    original = EXECUTORS["http"]

    def first_then_pause(data, ctx, session, timeout):  # type: ignore[no-untyped-def]
        result = original(data, ctx, session, timeout)
        lifecycle.request_pause(session.get(AgentExecution, ctx.execution_id))
        session.commit()
        return result

    monkeypatch.setitem(EXECUTORS, "http", first_then_pause)
    paused = runnable.run(execution)
    assert paused.status == "paused" and paused.pause_requested_at is None
    assert [entry["node_id"] for entry in paused.execution_log] == ["in", "one"]
    assert len(loopback.calls("/two")) == 0
    # resumed: pending and queued again; the worker goes on from node "two"
    monkeypatch.setitem(EXECUTORS, "http", original)
    db.execute(update(AgentExecution).where(AgentExecution.id == execution.id).values(status="pending"))
    finished = runnable.run(execution)
    assert finished.status == "completed" and finished.output_data == {"sum": "3"}
    assert [(entry["node_id"], entry["status"]) for entry in finished.execution_log] == [
        ("in", "reused"),
        ("one", "reused"),
        ("two", "completed"),
        ("out", "completed"),
    ]
    assert len(loopback.calls("/one")) == 1


def test_a_pending_run_is_paused_at_once_cancelled_at_once_and_never_requeued(runnable, db, loopback, aws):
    execution = runnable.execution(two_calls(runnable, loopback))
    lifecycle.request_pause(execution)
    db.commit()
    assert execution.status == "paused"
    assert runnable.run(execution).status == "paused"  # a message for it finds nothing to claim
    long_ago = get_utc_now() - timedelta(hours=1)
    db.execute(update(AgentExecution).where(AgentExecution.id == execution.id).values(updated_at=long_ago))
    assert maintenance.requeue_lost_pending(db) == 0
    lifecycle.cancel(execution)
    db.commit()
    assert execution.status == "cancelled"


def test_a_pause_withdrawn_before_the_next_node_lets_the_run_go_on(runnable, db, loopback, aws):
    execution = runnable.execution(two_calls(runnable, loopback))
    execution.status = "running"
    lifecycle.request_pause(execution)
    db.commit()
    assert execution.pause_requested_at is not None
    lifecycle.resume(db, execution)  # not paused yet: the request is withdrawn
    assert execution.pause_requested_at is None and execution.status == "running"
