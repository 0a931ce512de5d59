"""`{{ secrets.NAME }}` in node fields: the run's owner's secret goes out with the request, and never
into the execution's log, output or error."""

import itertools
import json

from shared.vault import service as vault_service
from tests.fakes.http_server import Reply
from tests.graphs import edge, graph, node


def chain(*nodes):  # type: ignore[no-untyped-def]
    ids = ["in"] + [n["id"] for n in nodes]
    return graph([node("in", "input"), *nodes], [edge(a, b) for a, b in itertools.pairwise(ids)])


def test_a_secret_reaches_the_peer_but_not_the_log_or_the_output(runnable, loopback):
    vault_service.put(session=runnable.db, user=runnable.user, name="PARTNER_TOKEN", value="tok-9f8e7d6c")
    loopback.script("/partner", Reply(200, {"ok": True}))
    workflow = runnable.workflow(
        chain(
            node(
                "call",
                "http",
                url=f"{loopback.url}/partner",
                headers={"X-Partner": "{{ secrets.PARTNER_TOKEN }}"},
            ),
            node("echo", "template", template="used {{ secrets.PARTNER_TOKEN }}"),
            node("out", "output", values={"said": "{{ nodes.echo.text }}"}),
        )
    )
    execution = runnable.run(runnable.execution(workflow))
    assert execution.status == "completed", execution.error_message
    [call] = loopback.calls("/partner")
    assert call.headers["X-Partner"] == "tok-9f8e7d6c"
    recorded = json.dumps([execution.execution_log, execution.output_data])
    assert "tok-9f8e7d6c" not in recorded
    assert execution.output_data == {"said": "used ***"}
    echo = next(e for e in execution.execution_log if e["node_id"] == "echo")
    assert echo["redacted"] is True


def test_a_missing_secret_fails_the_node_by_name(runnable):
    workflow = runnable.workflow(chain(node("t", "template", template="{{ secrets.NOT_SET }}")))
    execution = runnable.run(runnable.execution(workflow))
    assert execution.status == "failed"
    assert "NOT_SET" in execution.error_message


def test_another_users_secrets_are_not_visible_to_a_run(runnable, db):
    from tests.factories import make_user

    vault_service.put(session=db, user=make_user(db), name="THEIRS", value="their-value")
    workflow = runnable.workflow(chain(node("t", "template", template="{{ secrets.THEIRS }}")))
    assert runnable.run(runnable.execution(workflow)).status == "failed"


def test_a_node_whose_record_held_a_secret_runs_again_on_retry(runnable, loopback, db, aws):
    from sqlalchemy import update

    from shared.executions import service as execution_service
    from shared.executions.models import AgentExecution

    vault_service.put(session=db, user=runnable.user, name="KEY", value="key-0123456789")
    loopback.script("/flaky", Reply(400, {"error": "bad"}))
    workflow = runnable.workflow(
        chain(
            node("header", "template", template="Bearer {{ secrets.KEY }}"),
            node("plain", "template", template="no secret here"),
            node("call", "http", url=f"{loopback.url}/flaky", headers={"X-Auth": "{{ nodes.header.text }}"}),
        )
    )
    first = runnable.run(runnable.execution(workflow))
    db.execute(update(AgentExecution).where(AgentExecution.id == first.id).values(status="failed"))
    retried = runnable.run(execution_service.retry(session=db, execution=first, latest=False))
    statuses = {e["node_id"]: e["status"] for e in retried.execution_log}
    assert statuses["header"] == "completed" and statuses["plain"] == "reused"
    assert [c.headers["X-Auth"] for c in loopback.calls("/flaky")] == ["Bearer key-0123456789"] * 2
