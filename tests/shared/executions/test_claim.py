"""The claim of an execution is committed by the run's first commit: with the result of a run of
in-process nodes, before the run looks at its row again for a cancel, or before it waits on an I/O node."""

import pytest

from shared.executions import lifecycle
from tests.fakes.http_server import Reply
from tests.graphs import edge, graph, greeting_graph, node


@pytest.fixture
def calls(db, monkeypatch):  # type: ignore[no-untyped-def]
    """The commits of the run's session and its looks at the row for a stop request, in order."""
    seen: list[str] = []
    commit, stop_requested = db.commit, lifecycle.stop_requested

    def counted_commit() -> None:
        seen.append("commit")
        commit()

    def counted_stop_requested(session, execution_id):  # type: ignore[no-untyped-def]
        seen.append("look")
        return stop_requested(session, execution_id)

    monkeypatch.setattr(db, "commit", counted_commit)
    monkeypatch.setattr(lifecycle, "stop_requested", counted_stop_requested)
    return seen


def test_a_run_of_in_process_nodes_commits_its_claim_with_its_result(runnable, calls):
    execution = runnable.execution(runnable.workflow(greeting_graph()), {"name": "Ada", "n": 5})
    calls.clear()
    finished = runnable.run(execution)
    assert finished.status == "completed" and finished.started_at is not None
    assert calls == ["commit"]  # one transaction: claim, run and result


def test_the_claim_is_committed_before_the_run_looks_at_its_row_again(runnable, calls, monkeypatch):
    from shared.config import settings

    monkeypatch.setattr(settings, "CANCEL_CHECK_INTERVAL_SECONDS", 0.0)  # a look before every node
    execution = runnable.execution(runnable.workflow(greeting_graph()), {"name": "Ada", "n": 5})
    calls.clear()
    assert runnable.run(execution).status == "completed"
    # the first look is answered by the claim's own row; the owner could not have written to the row
    # while the claim held it, so it is committed before the first look at the database
    assert calls[:2] == ["commit", "look"]
    assert calls.count("commit") == 2  # the claim, then the result


def test_the_claim_is_committed_before_the_run_waits_on_an_io_node(runnable, calls, loopback, monkeypatch):
    from shared.engine import registry

    real_http = registry.EXECUTORS["http"]

    def recorded_http(data, ctx, session, timeout):  # type: ignore[no-untyped-def]
        calls.append("http")
        return real_http(data, ctx, session, timeout)

    monkeypatch.setitem(registry.EXECUTORS, "http", recorded_http)
    loopback.script("/hop", Reply(200, {"ok": True}))
    call = graph([node("in", "input"), node("call", "http", url=f"{loopback.url}/hop")], [edge("in", "call")])
    execution = runnable.execution(runnable.workflow(call))
    calls.clear()
    assert runnable.run(execution).status == "completed"
    assert calls.index("commit") < calls.index("http")
