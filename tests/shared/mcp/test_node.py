"""The `mcp` node: one tool of one of the owner's MCP servers, with the server's headers (never in the
log or the output), within its timeout and the byte cap, failing clearly when the server cannot serve."""

import itertools
import json
import uuid

import pytest

from shared.config import settings
from shared.errors import InvalidInputError
from shared.mcp import checks
from shared.mcp.models import McpServer
from shared.workflows import service as workflow_service
from shared.workflows.schemas import WorkflowUpdate
from tests.factories import make_user
from tests.fakes.http_server import Reply
from tests.graphs import edge, graph, node

CREDENTIAL = "Bearer mcp-node-credential-42"


def chain(*nodes_after_input: dict) -> dict:
    ids = ["in"] + [n["id"] for n in nodes_after_input]
    return graph([node("in", "input"), *nodes_after_input], [edge(a, b) for a, b in itertools.pairwise(ids)])


def server_of(runnable, url: str, *, checked: bool = True, **fields) -> McpServer:  # type: ignore[no-untyped-def]
    from shared.mcp import service as mcp_service

    server = McpServer(user_id=runnable.user.id, name=fields.pop("name", "weather"), url=url, **fields)
    mcp_service._store_credentials(server, {"Authorization": CREDENTIAL}, {})
    runnable.db.add(server)
    runnable.db.commit()
    if checked:
        checks.check_server(runnable.db, server.id)
    return server


def mcp_node(server: McpServer, tool: str, **data) -> dict:  # type: ignore[no-untyped-def]
    return node("ask", "mcp", server_id=str(server.id), tool=tool, **data)


def test_an_mcp_node_calls_the_tool_with_rendered_arguments(runnable, remote):
    # GIVEN a checked server and a workflow whose mcp node adds two numbers of its input
    server = server_of(runnable, remote.url)
    workflow = runnable.workflow(
        chain(
            mcp_node(server, "add", arguments={"a": "{{ input.a }}", "b": "2"}),
            node(
                "out", "output", values={"sum": "{{ nodes.ask.text }}", "error": "{{ nodes.ask.is_error }}"}
            ),
        )
    )
    # WHEN it runs
    execution = runnable.run(runnable.execution(workflow, {"a": 40}))
    # THEN the tool got integers (coerced to its schema) and answered text, content and structured content
    assert execution.status == "completed", execution.error_message
    assert execution.output_data == {"sum": "42", "error": "False"}
    entry = next(e for e in execution.execution_log if e["node_id"] == "ask")
    assert entry["input"] == {"server": "weather", "tool": "add", "arguments": {"a": 40, "b": 2}}
    assert entry["output"] == {
        "text": "42",
        "content": [{"type": "text", "text": "42"}],
        "is_error": False,
        "structured": {"result": 42},
    }
    # AND the credential went to the server, never into the log
    assert any(headers.get("authorization") == CREDENTIAL for headers in remote.seen_headers)
    assert "mcp-node-credential" not in json.dumps(execution.execution_log)


def test_a_tool_error_is_an_output_the_graph_can_read(runnable, remote):
    server = server_of(runnable, remote.url)
    workflow = runnable.workflow(chain(mcp_node(server, "broken")))
    execution = runnable.run(runnable.execution(workflow))
    assert execution.status == "completed"
    output = next(e for e in execution.execution_log if e["node_id"] == "ask")["output"]
    assert output["is_error"] is True and "broken" in output["text"]


def test_a_credential_the_server_echoes_is_masked(runnable, remote):
    server = server_of(runnable, remote.url)
    workflow = runnable.workflow(
        chain(mcp_node(server, "echo_auth"), node("out", "output", values={"said": "{{ nodes.ask.text }}"}))
    )
    execution = runnable.run(runnable.execution(workflow))
    assert execution.output_data == {"said": "you sent ***"}
    assert "mcp-node-credential" not in json.dumps(execution.execution_log)


def test_an_unknown_tool_is_refused_at_save_when_the_tools_are_known(runnable, remote):
    server = server_of(runnable, remote.url)
    with pytest.raises(InvalidInputError) as refused:
        runnable.workflow(chain(mcp_node(server, "forecast")))
    assert refused.value.message == "node 'ask' (mcp): the server 'weather' offers no tool 'forecast'"


def test_an_unknown_tool_fails_the_node_clearly_when_the_tools_were_unknown_at_save(runnable, remote):
    server = server_of(runnable, remote.url, checked=False)
    workflow = runnable.workflow(chain(mcp_node(server, "forecast")))  # nothing to check against yet
    checks.check_server(runnable.db, server.id)
    execution = runnable.run(runnable.execution(workflow))
    assert execution.status == "failed"
    assert "does not offer the tool 'forecast' (it offers: add, " in execution.error_message


def test_a_server_never_checked_is_called_and_its_refusal_fails_the_node(runnable, remote):
    server = server_of(runnable, remote.url, checked=False)
    execution = runnable.run(runnable.execution(runnable.workflow(chain(mcp_node(server, "forecast")))))
    assert execution.status == "failed"
    assert "node 'ask' (mcp)" in execution.error_message and "forecast" in execution.error_message


def test_a_graph_names_only_the_owners_servers_that_can_run_here(runnable, remote, db):
    stranger = McpServer(user_id=make_user(db).id, name="theirs", url=remote.url)
    stdio = McpServer(
        user_id=runnable.user.id, name="local", transport="stdio", command="npx", needs_sync=False
    )
    db.add_all([stranger, stdio])
    db.commit()
    for server, problem in (
        (stranger, "no such MCP server of yours"),
        (stdio, "'local' is a stdio server, which cannot run here"),
    ):
        with pytest.raises(InvalidInputError) as refused:
            runnable.workflow(chain(mcp_node(server, "add")))
        assert refused.value.message == f"node 'ask' (mcp): {problem}"
    with pytest.raises(InvalidInputError):
        runnable.workflow(chain(node("ask", "mcp", server_id=str(uuid.uuid4()), tool="add")))


@pytest.mark.parametrize(
    "data",
    [
        {"tool": "add"},  # no server
        {"server_id": "not-a-uuid", "tool": "add"},
        {"server_id": str(uuid.uuid4())},  # no tool
        {"server_id": str(uuid.uuid4()), "tool": "add", "arguments": {"a": 1}},  # arguments are templates
        {"server_id": str(uuid.uuid4()), "tool": "add", "arguments": {"a": "{{ unclosed"}},
    ],
)
def test_malformed_mcp_nodes_are_refused_naming_the_node(runnable, data):
    with pytest.raises(InvalidInputError) as refused:
        runnable.workflow(chain(node("ask", "mcp", **data)))
    assert "node 'ask' (mcp)" in refused.value.message


def test_a_disabled_or_unhealthy_server_fails_the_node_saying_so(runnable, remote):
    server = server_of(runnable, remote.url)
    workflow = runnable.workflow(chain(mcp_node(server, "add", arguments={"a": "1", "b": "2"})))
    server.is_enabled = False
    runnable.db.commit()
    disabled = runnable.run(runnable.execution(workflow))
    assert disabled.error_message == "node 'ask' (mcp): the MCP server 'weather' is disabled"
    server.is_enabled, server.health_status, server.error = True, "unhealthy", "it timed out"
    runnable.db.commit()
    unhealthy = runnable.run(runnable.execution(workflow))
    assert unhealthy.error_message == "node 'ask' (mcp): the MCP server 'weather' is unhealthy (it timed out)"


def test_a_server_that_hangs_fails_the_node_within_its_timeout_and_is_retried(runnable, loopback):
    loopback.script("/mcp", Reply(200, {}, delay=3))
    server = server_of(runnable, f"{loopback.url}/mcp", checked=False)
    workflow = runnable.workflow(
        chain(mcp_node(server, "add", timeout_seconds=0.5, retry={"max_attempts": 2, "backoff_seconds": 0}))
    )
    execution = runnable.run(runnable.execution(workflow))
    assert execution.status == "failed"
    attempts = [e for e in execution.execution_log if e["node_id"] == "ask"]
    assert [a["attempt"] for a in attempts] == [1, 2]  # a timeout is worth another attempt
    assert attempts[-1]["error"] == "the MCP server 'weather' did not answer within 0.5s"


def test_a_huge_result_fails_the_node_at_the_cap(runnable, remote, monkeypatch):
    server = server_of(runnable, remote.url)
    workflow = runnable.workflow(chain(mcp_node(server, "long_text", arguments={"size": "50000"})))
    monkeypatch.setattr(settings, "MCP_MAX_RESULT_BYTES", 20_000)
    execution = runnable.run(runnable.execution(workflow))
    assert execution.status == "failed"
    assert execution.error_message == "node 'ask' (mcp): the MCP server 'weather' sent more than 20000 bytes"


def test_garbage_fails_the_node_and_is_not_retried(runnable, loopback):
    loopback.script("/mcp", Reply(200, b"<html>maintenance</html>"))
    server = server_of(runnable, f"{loopback.url}/mcp", checked=False)
    workflow = runnable.workflow(
        chain(mcp_node(server, "add", retry={"max_attempts": 3, "backoff_seconds": 0}))
    )
    execution = runnable.run(runnable.execution(workflow))
    assert execution.status == "failed" and "is not MCP" in execution.error_message
    assert len([e for e in execution.execution_log if e["node_id"] == "ask"]) == 1


def test_an_mcp_node_over_sse(runnable, remote):
    server = server_of(runnable, remote.sse_url, transport="sse")
    workflow = runnable.workflow(
        chain(
            mcp_node(server, "weather", arguments={"city": "Paris"}),
            node("out", "output", values={"sky": "{{ nodes.ask.structured.sky }}"}),
        )
    )
    assert runnable.run(runnable.execution(workflow)).output_data == {"sky": "sunny"}


def test_workflows_may_be_offered_over_mcp(runnable):
    workflow = runnable.workflow(chain(node("out", "output", values={"x": "1"})))
    assert workflow.mcp_enabled is False
    workflow_service.update_workflow(
        session=runnable.db, workflow=workflow, request=WorkflowUpdate(mcp_enabled=True)
    )
    assert workflow.mcp_enabled is True and workflow.version == 1  # not a new version
