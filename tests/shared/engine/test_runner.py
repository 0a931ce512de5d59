"""The engine: topological order, the skip rule, logs, accounting, cancel, retries, resume."""

from sqlalchemy import update

from shared.config import get_utc_now
from shared.engine import registry
from shared.executions.models import AgentExecution
from shared.executions.worker import run_execution
from shared.workflows.models import AgentWorkflow
from tests.fakes.http_server import Reply
from tests.graphs import edge, graph, greeting_graph, node


def statuses(execution: AgentExecution) -> list[tuple[str, str]]:
    return [(entry["node_id"], entry["status"]) for entry in execution.execution_log]


def test_a_run_follows_the_true_branch_and_produces_output(runnable):
    workflow = runnable.workflow(greeting_graph())
    execution = runnable.run(runnable.execution(workflow, {"name": "Ada", "n": 5}))
    assert execution.status == "completed"
    assert execution.output_data == {"greeting": "Hello Ada!"}
    assert statuses(execution) == [
        ("in", "completed"),
        ("check", "completed"),
        ("greet", "completed"),
        ("out", "completed"),
    ]
    assert execution.duration_ms is not None and execution.started_at <= execution.finished_at
    entry = execution.execution_log[2]
    assert set(entry) == {
        "node_id",
        "type",
        "status",
        "attempt",
        "input",
        "output",
        "error",
        "duration_ms",
        "started_at",
    }
    assert entry["output"] == {"text": "Hello Ada!"} and entry["attempt"] == 1


def test_nodes_behind_a_branch_not_taken_are_skipped_and_logged(runnable):
    workflow = runnable.workflow(greeting_graph())
    execution = runnable.run(runnable.execution(workflow, {"name": "Ada", "n": 1}))
    assert execution.status == "completed"
    assert statuses(execution) == [
        ("in", "completed"),
        ("check", "completed"),
        ("greet", "skipped"),
        ("out", "skipped"),
    ]
    assert execution.output_data == {}


def test_a_join_runs_when_one_branch_was_taken(runnable):
    diamond = graph(
        [
            node("in", "input"),
            node("c", "condition", expression="input.vip"),
            node("yes", "template", template="VIP"),
            node("no", "template", template="regular"),
            node(
                "out",
                "output",
                values={"tier": "{{ nodes.yes.text if nodes.yes is defined else nodes.no.text }}"},
            ),
        ],
        [
            edge("in", "c"),
            edge("c", "yes", "true"),
            edge("c", "no", "false"),
            edge("yes", "out"),
            edge("no", "out"),
        ],
    )
    workflow = runnable.workflow(diamond)
    assert runnable.run(runnable.execution(workflow, {"vip": False})).output_data == {"tier": "regular"}
    assert runnable.run(runnable.execution(workflow, {"vip": True})).output_data == {"tier": "VIP"}


def test_a_duplicate_delivery_runs_once(runnable, db):
    workflow = runnable.workflow(greeting_graph())
    execution = runnable.run(runnable.execution(workflow, {"name": "Ada", "n": 5}))
    log = list(execution.execution_log)
    assert run_execution(session=db, execution_id=execution.id) is None
    db.refresh(execution)
    assert execution.execution_log == log
    assert db.get(AgentWorkflow, workflow.id).run_count == 1


def test_a_template_error_fails_the_run_naming_the_node(runnable):
    broken = graph(
        [node("in", "input"), node("t", "template", template="{{ input.missing.deeper }}")], [edge("in", "t")]
    )
    execution = runnable.run(runnable.execution(runnable.workflow(broken)))
    assert execution.status == "failed"
    assert execution.error_message.startswith("node 't' (template): data.template:")
    assert statuses(execution)[-1] == ("t", "failed")


def test_a_run_executes_its_pinned_version(runnable, db):
    workflow = runnable.workflow(greeting_graph())
    execution = runnable.execution(workflow, {"name": "Ada", "n": 5})
    db.execute(
        update(AgentWorkflow)
        .where(AgentWorkflow.id == workflow.id)
        .values(graph_json={"nodes": [], "edges": []})
    )
    assert runnable.run(execution).output_data == {"greeting": "Hello Ada!"}


def test_cancel_mid_run_stops_before_the_next_node(runnable, db, monkeypatch):
    from shared.config import settings

    monkeypatch.setattr(settings, "CANCEL_CHECK_INTERVAL_SECONDS", 0.0)
    workflow = runnable.workflow(greeting_graph())
    execution = runnable.execution(workflow, {"name": "Ada", "n": 5})
    real_condition = registry.EXECUTORS["condition"]

    def condition_then_owner_cancels(data, ctx, session, timeout):  # type: ignore[no-untyped-def]
        result = real_condition(data, ctx, session, timeout)
        session.execute(
            update(AgentExecution)
            .where(AgentExecution.id == execution.id)
            .values(cancel_requested_at=get_utc_now())
        )
        return result

    monkeypatch.setitem(registry.EXECUTORS, "condition", condition_then_owner_cancels)
    cancelled = runnable.run(execution)
    assert cancelled.status == "cancelled"
    assert statuses(cancelled) == [("in", "completed"), ("check", "completed")]
    assert cancelled.finished_at is not None


def http_graph(url: str, **data) -> dict:  # type: ignore[no-untyped-def]
    return graph(
        [
            node("in", "input"),
            node("prepare", "template", template="id={{ input.id }}"),
            node("call", "http", url=url, **data),
            node("out", "output", values={"status": "{{ nodes.call.status }}"}),
        ],
        [edge("in", "prepare"), edge("prepare", "call"), edge("call", "out")],
    )


def test_retries_back_off_exponentially_for_5xx_then_succeed(runnable, loopback):
    loopback.script("/flaky", Reply(503), Reply(502), Reply(200, {"fine": True}))
    workflow = runnable.workflow(
        http_graph(f"{loopback.url}/flaky", retry={"max_attempts": 3, "backoff_seconds": 0.5})
    )
    sleeps: list[float] = []
    execution = runnable.run(runnable.execution(workflow, {"id": 1}), sleeps)
    assert execution.status == "completed"
    attempts = [(e["attempt"], e["status"]) for e in execution.execution_log if e["node_id"] == "call"]
    assert attempts == [(1, "failed"), (2, "failed"), (3, "completed")]
    assert len(sleeps) == 2
    assert 0.25 <= sleeps[0] <= 0.75 and 0.5 <= sleeps[1] <= 1.5  # 0.5·2^(n-1) with ±50 % jitter
    assert execution.total_api_calls == 3


def test_client_errors_are_not_retried(runnable, loopback):
    loopback.script("/missing", Reply(404, {"error": "nope"}))
    workflow = runnable.workflow(
        http_graph(f"{loopback.url}/missing", retry={"max_attempts": 3, "backoff_seconds": 0})
    )
    execution = runnable.run(runnable.execution(workflow, {"id": 1}))
    assert execution.status == "completed"
    assert execution.output_data == {"status": "404"}
    assert len(loopback.calls("/missing")) == 1


def test_retries_give_up_after_max_attempts(runnable, loopback):
    loopback.script("/down", Reply(500))
    workflow = runnable.workflow(
        http_graph(f"{loopback.url}/down", retry={"max_attempts": 2, "backoff_seconds": 0})
    )
    execution = runnable.run(runnable.execution(workflow, {"id": 1}))
    assert execution.status == "failed"
    assert "node 'call' (http): HTTP 500" in execution.error_message
    assert len(loopback.calls("/down")) == 2


def test_a_node_timeout_is_a_retryable_failure(runnable, loopback):
    loopback.script("/slow", Reply(200, delay=1.0))
    workflow = runnable.workflow(http_graph(f"{loopback.url}/slow", timeout_seconds=0.2))
    execution = runnable.run(runnable.execution(workflow, {"id": 1}))
    assert execution.status == "failed"
    assert "timed out after 0.2s" in execution.error_message


def test_the_execution_timeout_stops_the_run(runnable, loopback, monkeypatch):
    from shared.config import settings

    monkeypatch.setattr(settings, "EXECUTION_TIMEOUT_SECONDS", 0.0)
    execution = runnable.run(runnable.execution(runnable.workflow(greeting_graph()), {"name": "x", "n": 5}))
    assert execution.status == "failed"
    assert "the execution timed out" in execution.error_message


def test_retry_resumes_at_the_failed_node_reusing_earlier_outputs(runnable, loopback, db, aws):
    from shared.executions import service as execution_service

    loopback.script("/once-broken", Reply(400, {"error": "bad"}), Reply(200, {"ok": 1}))
    workflow = runnable.workflow(
        graph(
            [
                node("in", "input"),
                node("prepare", "template", template="id={{ input.id }}"),
                node("call", "http", url=f"{loopback.url}/once-broken"),
                node("check", "condition", expression="nodes.call.status == 200"),
                node("out", "output", values={"prepared": "{{ nodes.prepare.text }}"}),
            ],
            [
                edge("in", "prepare"),
                edge("prepare", "call"),
                edge("call", "check"),
                edge("check", "out", "true"),
            ],
        )
    )
    first = runnable.run(runnable.execution(workflow, {"id": 7}))
    assert first.status == "completed" and first.output_data == {}  # the 400 took the false branch
    db.execute(update(AgentExecution).where(AgentExecution.id == first.id).values(status="failed"))
    retried = execution_service.retry(session=db, execution=first, latest=False)
    assert retried.retry_of_id == first.id
    second = runnable.run(retried)
    assert statuses(second)[:3] == [("in", "reused"), ("prepare", "reused"), ("call", "reused")]


def test_resume_reruns_the_failed_node_and_everything_after_it(runnable, loopback, db, aws):
    from shared.executions import service as execution_service

    loopback.script("/fails-first", Reply(500), Reply(200, {"ok": True}))
    workflow = runnable.workflow(http_graph(f"{loopback.url}/fails-first"))
    first = runnable.run(runnable.execution(workflow, {"id": 3}))
    assert first.status == "failed"
    retried = execution_service.retry(session=db, execution=first, latest=False)
    second = runnable.run(retried)
    assert second.status == "completed"
    assert statuses(second) == [
        ("in", "reused"),
        ("prepare", "reused"),
        ("call", "completed"),
        ("out", "completed"),
    ]
    assert second.output_data == {"status": "200"}
    assert len(loopback.calls("/fails-first")) == 2


def test_run_count_and_accounting(runnable, db):
    workflow = runnable.workflow(greeting_graph())
    for _ in range(2):
        runnable.run(runnable.execution(workflow, {"name": "x", "n": 9}))
    db.refresh(workflow)
    assert workflow.run_count == 2


def test_a_failed_run_mails_the_owner(runnable, mailbox):
    broken = graph([node("in", "input"), node("t", "template", template="{{ nope }}")], [edge("in", "t")])
    execution = runnable.run(runnable.execution(runnable.workflow(broken, name="Nightly")))
    [mail] = [m for m in mailbox.to(runnable.user.email) if "失败" in m["Subject"]]
    assert mail["Subject"] == "工作流运行失败：Nightly"
    assert str(execution.id) in mail.get_body(("plain",)).get_content()


def test_a_success_is_mailed_only_when_the_workflow_asks(runnable, mailbox):
    quiet = runnable.workflow(greeting_graph(), name="Quiet")
    chatty = runnable.workflow(greeting_graph(), name="Chatty", notify_on_success=True)
    runnable.run(runnable.execution(quiet, {"name": "x", "n": 5}))
    runnable.run(runnable.execution(chatty, {"name": "x", "n": 5}))
    subjects = [m["Subject"] for m in mailbox.to(runnable.user.email)]
    assert subjects == ["工作流运行完成：Chatty"]


def test_a_retry_on_the_latest_version_reruns_nodes_that_changed(runnable, loopback, db, aws):
    from shared.executions import service as execution_service
    from shared.workflows import service as workflow_service
    from shared.workflows.schemas import WorkflowUpdate

    loopback.script("/v1", Reply(200, {"v": 1}))
    loopback.script("/v2", Reply(200, {"v": 2}))
    workflow = runnable.workflow(
        graph(
            [
                node("in", "input"),
                node("call", "http", url=f"{loopback.url}/v1"),
                node("bad", "template", template="{{ nodes.call.body.missing.deeper }}"),
            ],
            [edge("in", "call"), edge("call", "bad")],
        )
    )
    first = runnable.run(runnable.execution(workflow))
    assert first.status == "failed"
    fixed = graph(
        [
            node("in", "input"),
            node("call", "http", url=f"{loopback.url}/v2"),
            node("bad", "template", template="v{{ nodes.call.body.v }}"),
        ],
        [edge("in", "call"), edge("call", "bad")],
    )
    workflow_service.update_workflow(session=db, workflow=workflow, request=WorkflowUpdate(graph_json=fixed))
    retried = execution_service.retry(session=db, execution=first, latest=True)
    second = runnable.run(retried)
    assert statuses(second) == [("in", "reused"), ("call", "completed"), ("bad", "completed")]
    assert second.execution_log[-1]["output"] == {"text": "v2"}


def test_a_condition_on_an_undefined_name_fails_instead_of_going_false(runnable):
    workflow = runnable.workflow(
        graph([node("in", "input"), node("c", "condition", expression="input.flag")], [edge("in", "c")])
    )
    execution = runnable.run(runnable.execution(workflow, {}))
    assert execution.status == "failed"
    assert "node 'c' (condition)" in execution.error_message


def test_huge_constant_arithmetic_fails_the_node_instead_of_the_worker(runnable):
    workflow = runnable.workflow(
        graph([node("in", "input"), node("t", "template", template="{{ 9 ** (9 ** 9) }}")], [edge("in", "t")])
    )
    execution = runnable.run(runnable.execution(workflow))
    assert execution.status == "failed"
    assert "exponent" in execution.error_message
