"""Graph validation on save: a 422 that names the node or edge."""

import itertools
import uuid

import pytest

from shared.errors import PayloadTooLargeError
from shared.workflows.graph import GraphValidationError, validate_graph
from tests.graphs import edge, graph, greeting_graph, node


def refused(candidate) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(GraphValidationError) as error:
        validate_graph(candidate)
    return error.value.message


def test_a_well_formed_graph_passes_unchanged():
    candidate = greeting_graph()
    assert validate_graph(candidate) is candidate


def test_every_node_type_of_the_contract_is_accepted():
    nodes = [
        node("in", "input"),
        node("t", "template", template="{{ input.x }}"),
        node("c", "condition", expression="input.x == 1"),
        node("l", "llm", prompt="Summarise {{ nodes.t.text }}", temperature=0.2, max_tokens=200),
        node(
            "h",
            "http",
            url="https://example.com/{{ input.x }}",
            method="POST",
            headers={"X": "1"},
            body={"a": 1},
        ),
        node("s", "skill", skill_id=str(uuid.uuid4()), params={"q": "{{ input.x }}"}),
        node("ms", "memory_search", query="{{ input.x }}", k=3, content_type="fact"),
        node("mw", "memory_write", content="{{ input.x }}", meta_data={"source": "test"}),
        node("e", "email", subject="Hi", body="{{ nodes.l.text }}"),
        node(
            "o",
            "output",
            values={"answer": "{{ nodes.l.text }}"},
            retry={"max_attempts": 3, "backoff_seconds": 1},
        ),
    ]
    chain = ["in", "t", "c", "l", "h", "s", "ms", "mw", "e", "o"]
    edges = [edge(a, b, "true" if a == "c" else None) for a, b in itertools.pairwise(chain)]
    validate_graph(graph(nodes, edges))


@pytest.mark.parametrize(
    ("candidate", "message"),
    [
        ("nodes", "graph_json: must be an object"),
        ({"nodes": {}, "edges": []}, "nodes and edges must be lists"),
        (
            graph([node("in", "input"), node("in", "template", template="x")], []),
            "node 'in': duplicate node id",
        ),
        (graph([node("in", "input"), node("x", "teleport")], []), "node 'x': unknown type 'teleport'"),
        (graph([node("a", "template", template="x")], []), "needs exactly one input node, found 0"),
        (graph([node("a", "input"), node("b", "input")], []), "needs exactly one input node, found 2"),
        (
            graph([node("in", "input"), node("t", "template")], []),
            "node 't' (template): data.template is required",
        ),
        (
            graph([node("in", "input"), node("t", "template", template="{{ unclosed")], []),
            "node 't' (template) data.template: is not a valid template",
        ),
        (
            graph([node("in", "input"), node("c", "condition", expression="input.n >")], []),
            "node 'c' (condition) data.expression: is not a valid expression",
        ),
        (
            graph([node("in", "input"), node("l", "llm", prompt="x", temperature=3)], []),
            "node 'l' (llm) data.temperature: must be at most 2",
        ),
        (
            graph([node("in", "input"), node("h", "http", url="x", method="TRACE")], []),
            "node 'h' (http) data.method: must be one of",
        ),
        (
            graph([node("in", "input"), node("s", "skill", skill_id="nope", params={})], []),
            "node 's' (skill) data.skill_id: must be a UUID",
        ),
        (
            graph([node("in", "input"), node("o", "output", values={"a": 1})], []),
            "node 'o' (output) data.values.a: must be a string",
        ),
        (
            graph([node("in", "input"), node("t", "template", template="x", retry={"max_attempts": 99})], []),
            "data.retry.max_attempts: must be an integer from 1 to 10",
        ),
        (
            graph([node("in", "input"), node("t", "template", template="x", timeout_seconds=-1)], []),
            "data.timeout_seconds: must be a number of seconds",
        ),
        (
            graph(
                [node("in", "input"), node("t", "template", template="x")],
                [edge("in", "ghost", edge_id="e1")],
            ),
            "edge 'e1': target 'ghost' is not a node of this graph",
        ),
        (
            graph(
                [node("in", "input"), node("t", "template", template="x")], [edge("t", "t", edge_id="loop")]
            ),
            "edge 'loop': connects a node to itself",
        ),
        (
            graph(
                [node("in", "input"), node("t", "template", template="x")],
                [edge("in", "t", edge_id="e1"), edge("in", "t", edge_id="e1")],
            ),
            "edge 'e1': duplicate edge id",
        ),
        (
            graph(
                [
                    node("in", "input"),
                    node("c", "condition", expression="true"),
                    node("t", "template", template="x"),
                ],
                [edge("in", "c"), edge("c", "t", edge_id="no-handle")],
            ),
            "edge 'no-handle': leaves condition node 'c', so its sourceHandle must be \"true\" or \"false\"",
        ),
        (
            graph(
                [node("in", "input"), node("t", "template", template="x")],
                [edge("t", "in", edge_id="back")],
            ),
            "edge 'back': targets the input node 'in'",
        ),
        (
            graph(
                [
                    node("in", "input"),
                    node("a", "template", template="x"),
                    node("b", "template", template="y"),
                ],
                [edge("in", "a"), edge("a", "b"), edge("b", "a")],
            ),
            "is part of a cycle",
        ),
        (
            graph([{"id": "in", "type": "input", "data": {}}], []),
            "node 'in' (input): position must be {x: number, y: number}",
        ),
    ],
)
def test_invalid_graphs_are_refused_naming_the_culprit(candidate, message):
    assert message in refused(candidate)


def test_too_many_nodes_or_edges_is_413_naming_the_limit(monkeypatch):
    from shared.config import settings

    monkeypatch.setattr(settings, "MAX_GRAPH_NODES", 3)
    nodes = [node("in", "input")] + [node(f"t{i}", "template", template="x") for i in range(3)]
    with pytest.raises(PayloadTooLargeError, match="4 nodes; the limit is 3"):
        validate_graph(graph(nodes, []))
    monkeypatch.setattr(settings, "MAX_GRAPH_NODES", 500)
    monkeypatch.setattr(settings, "MAX_GRAPH_EDGES", 1)
    chain = [node("in", "input"), node("a", "template", template="x"), node("b", "template", template="x")]
    with pytest.raises(PayloadTooLargeError, match="2 edges; the limit is 1"):
        validate_graph(graph(chain, [edge("in", "a"), edge("a", "b")]))


def test_a_graph_over_the_byte_limit_is_413(monkeypatch):
    from shared.config import settings

    monkeypatch.setattr(settings, "MAX_GRAPH_BYTES", 1000)
    big = graph([node("in", "input"), node("t", "template", template="x" * 2000)], [])
    with pytest.raises(PayloadTooLargeError):
        validate_graph(big)
