"""Node executors: http with the SSRF guard, skill, email (the llm node: test_llm_node.py)."""

import itertools
import json

import pytest

from shared.catalog.models import Skill
from shared.config import settings
from tests.factories import make_tool
from tests.fakes.http_server import Reply
from tests.graphs import edge, graph, node


def chain(*nodes_after_input: dict) -> dict:
    ids = ["in"] + [n["id"] for n in nodes_after_input]
    return graph([node("in", "input"), *nodes_after_input], [edge(a, b) for a, b in itertools.pairwise(ids)])


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/",
        "http://10.0.0.1/internal",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/",
        "http://localhost/",  # a host name that resolves to loopback
        "file:///etc/passwd",
    ],
)
def test_the_http_node_refuses_non_public_destinations(runnable, url, monkeypatch):
    monkeypatch.setattr(settings, "OUTBOUND_ALLOWED_HOSTS", [])
    execution = runnable.run(runnable.execution(runnable.workflow(chain(node("call", "http", url=url)))))
    assert execution.status == "failed"
    assert "not a public address" in execution.error_message or "only http(s)" in execution.error_message


def test_a_redirect_to_a_private_address_is_refused(runnable, loopback):
    loopback.script("/hop", Reply(302, b"", headers={"Location": "http://10.0.0.1/admin"}))
    execution = runnable.run(
        runnable.execution(runnable.workflow(chain(node("call", "http", url=f"{loopback.url}/hop"))))
    )
    assert execution.status == "failed"
    assert "'10.0.0.1' resolves to 10.0.0.1, which is not a public address" in execution.error_message


def test_allowed_redirects_are_followed(runnable, loopback):
    loopback.script("/old", Reply(301, b"", headers={"Location": "/new"}))
    loopback.script("/new", Reply(200, {"moved": True}))
    workflow = runnable.workflow(
        chain(
            node("call", "http", url=f"{loopback.url}/old"),
            node("out", "output", values={"moved": "{{ nodes.call.body.moved }}"}),
        )
    )
    assert runnable.run(runnable.execution(workflow)).output_data == {"moved": "True"}


def test_the_http_node_sends_rendered_requests_and_redacts_secrets_in_the_log(runnable, loopback):
    loopback.script("/items", Reply(201, {"id": 42}))
    workflow = runnable.workflow(
        chain(
            node(
                "call",
                "http",
                url=f"{loopback.url}/items",
                method="POST",
                headers={"Authorization": "Bearer {{ input.token }}"},
                body='{"name": "{{ input.name }}"}',
            ),
        )
    )
    execution = runnable.run(runnable.execution(workflow, {"token": "s3cret", "name": "Ada"}))
    [call] = loopback.calls("/items")
    assert (call.method, json.loads(call.body), call.headers["Authorization"]) == (
        "POST",
        {"name": "Ada"},
        "Bearer s3cret",
    )
    entry = next(e for e in execution.execution_log if e["node_id"] == "call")
    assert entry["output"]["status"] == 201 and entry["output"]["body"] == {"id": 42}
    assert entry["input"]["headers"] == {"Authorization": "***"}
    assert "s3cret" not in json.dumps(entry)  # (the run input itself is the caller's own data)


def test_responses_over_the_size_cap_fail(runnable, loopback, monkeypatch):
    monkeypatch.setattr(settings, "NODE_MAX_RESPONSE_BYTES", 100)
    loopback.script("/big", Reply(200, {"blob": "x" * 500}))
    execution = runnable.run(
        runnable.execution(runnable.workflow(chain(node("call", "http", url=f"{loopback.url}/big"))))
    )
    assert execution.status == "failed"
    assert "larger than 100 bytes" in execution.error_message


@pytest.fixture
def search_skill(db, loopback, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(settings, "SKILL_CREDENTIALS", {"SEARCH_TOKEN": "tok-123"})
    skill = Skill(
        tool_id=make_tool(db).id,
        name="Search repositories",
        slug="search-repos",
        api_endpoint=f"{loopback.url}/search/{{kind}}",
        http_method="GET",
        input_schema={
            "type": "object",
            "properties": {
                "kind": {"type": "string"},
                "q": {"type": "string"},
                "per_page": {"type": "integer"},
            },
            "required": ["kind", "q"],
        },
        auth_type="bearer",
        auth_config={"header": "Authorization", "prefix": "Bearer ", "env_var": "SEARCH_TOKEN"},
        headers_template={"Accept": "application/json"},
    )
    db.add(skill)
    db.flush()
    return skill


def test_the_skill_node_calls_the_skill_with_checked_params_and_auth(runnable, loopback, search_skill, db):
    loopback.script("/search/repositories", Reply(200, {"total_count": 3}))
    workflow = runnable.workflow(
        chain(
            node(
                "find",
                "skill",
                skill_id=str(search_skill.id),
                params={"kind": "repositories", "q": "{{ input.q }}", "per_page": "5"},
            ),
            node("out", "output", values={"count": "{{ nodes.find.body.total_count }}"}),
        )
    )
    execution = runnable.run(runnable.execution(workflow, {"q": "fastapi"}))
    assert execution.status == "completed", execution.error_message
    assert execution.output_data == {"count": "3"}
    [call] = loopback.calls("/search/repositories")
    assert call.path == "/search/repositories?q=fastapi&per_page=5"
    assert call.headers["Authorization"] == "Bearer tok-123"
    db.refresh(search_skill)
    assert search_skill.usage_count == 1 and search_skill.avg_latency_ms > 0


def test_skill_params_are_checked_against_its_input_schema(runnable, search_skill, loopback):
    workflow = runnable.workflow(
        chain(node("find", "skill", skill_id=str(search_skill.id), params={"kind": "repositories"}))
    )
    execution = runnable.run(runnable.execution(workflow))
    assert execution.status == "failed"
    assert "params: 'q' is a required property" in execution.error_message
    assert loopback.calls("/search/repositories") == []


def test_a_skill_without_its_credential_fails_clearly(runnable, search_skill, monkeypatch):
    monkeypatch.setattr(settings, "SKILL_CREDENTIALS", {})
    workflow = runnable.workflow(
        chain(node("find", "skill", skill_id=str(search_skill.id), params={"kind": "r", "q": "x"}))
    )
    execution = runnable.run(runnable.execution(workflow))
    assert "needs the credential 'SEARCH_TOKEN'" in execution.error_message


def test_the_email_node_mails_the_owner_only(runnable, mailbox):
    workflow = runnable.workflow(
        chain(node("mail", "email", subject="Report for {{ input.day }}", body="<b>{{ input.summary }}</b>"))
    )
    execution = runnable.run(runnable.execution(workflow, {"day": "Monday", "summary": "all good"}))
    assert execution.status == "completed"
    [mail] = [m for m in mailbox.to(runnable.user.email) if m["Subject"] == "Report for Monday"]
    assert "&lt;b&gt;all good&lt;/b&gt;" in mail.get_body(("html",)).get_content()
    assert next(e for e in execution.execution_log if e["node_id"] == "mail")["output"] == {"sent": True}


def test_an_email_subject_with_a_line_break_is_not_sent(runnable, mailbox):
    workflow = runnable.workflow(chain(node("mail", "email", subject="Hi{{ input.evil }}", body="x")))
    execution = runnable.run(runnable.execution(workflow, {"evil": "\r\nBcc: victim@example.com"}))
    assert next(e for e in execution.execution_log if e["node_id"] == "mail")["output"] == {"sent": False}


def test_credentials_do_not_follow_a_redirect_to_another_host(runnable, loopback):
    from tests.fakes.http_server import ScriptedServer

    with ScriptedServer() as elsewhere:
        elsewhere.script("/landing", Reply(200, {"ok": True}))
        loopback.script("/go", Reply(302, b"", headers={"Location": f"{elsewhere.url}/landing"}))
        workflow = runnable.workflow(
            chain(node("call", "http", url=f"{loopback.url}/go", headers={"Authorization": "Bearer s3cret"}))
        )
        assert runnable.run(runnable.execution(workflow)).status == "completed"
        [first_hop] = loopback.calls("/go")
        [second_hop] = elsewhere.calls("/landing")
    assert first_hop.headers["Authorization"] == "Bearer s3cret"
    assert "Authorization" not in second_hop.headers


def test_a_trickling_response_is_cut_at_the_node_timeout(runnable, loopback):
    loopback.script("/slow", Reply(200, {"late": True}, delay=0.5))
    workflow = runnable.workflow(chain(node("call", "http", url=f"{loopback.url}/slow", timeout_seconds=0.2)))
    assert "timed out" in runnable.run(runnable.execution(workflow)).error_message
