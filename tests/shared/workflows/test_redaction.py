"""Literal credentials in an http node are shown to the workflow's owner only."""

from shared.workflows.redaction import REDACTED, redact_graph, redact_snapshot
from tests.graphs import edge, graph, node


def http_graph(**data):  # type: ignore[no-untyped-def]
    return graph([node("in", "input"), node("call", "http", **data)], [edge("in", "call")])


def call_data(shown):  # type: ignore[no-untyped-def]
    return next(n for n in shown["nodes"] if n["id"] == "call")["data"]


def test_secret_named_literal_headers_are_redacted_and_the_rest_kept():
    original = http_graph(
        url="https://api.example.com/v1",
        headers={
            "Authorization": "Bearer sk-live-123",
            "X-Api-Key": "abc",
            "X-Session-Token": "zzz",
            "Accept": "application/json",
            "X-Trace": "on",
        },
    )
    shown = call_data(redact_graph(original))["headers"]
    assert shown == {
        "Authorization": REDACTED,
        "X-Api-Key": REDACTED,
        "X-Session-Token": REDACTED,
        "Accept": "application/json",
        "X-Trace": "on",
    }
    assert call_data(original)["headers"]["Authorization"] == "Bearer sk-live-123"  # stored graph untouched


def test_templated_credentials_stay_visible_because_they_hold_no_secret():
    shown = call_data(
        redact_graph(http_graph(url="https://x.test", headers={"Authorization": "Bearer {{ input.token }}"}))
    )
    assert shown["headers"] == {"Authorization": "Bearer {{ input.token }}"}


def test_secret_named_query_parameters_of_the_url_are_redacted():
    shown = call_data(
        redact_graph(http_graph(url="https://x.test/search?q=cats&api_key=abc123&token={{ input.t }}"))
    )
    assert "abc123" not in shown["url"]
    assert "q=cats" in shown["url"] and "api_key=[redacted]" in shown["url"]
    assert "token={{ input.t }}" in shown["url"]


def test_snapshots_are_redacted_the_same_way():
    snapshot = {"name": "W", "graph_json": http_graph(url="https://x.test", headers={"Cookie": "sid=1"})}
    assert call_data(redact_snapshot(snapshot)["graph_json"])["headers"] == {"Cookie": REDACTED}
    assert redact_snapshot({"name": "no graph"}) == {"name": "no graph"}
