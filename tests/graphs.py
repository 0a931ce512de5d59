"""React Flow graphs for tests."""

from typing import Any


def node(node_id: str, node_type: str, **data: Any) -> dict[str, Any]:
    return {"id": node_id, "type": node_type, "data": data, "position": {"x": 0, "y": 0}}


def edge(source: str, target: str, handle: str | None = None, edge_id: str | None = None) -> dict[str, Any]:
    result: dict[str, Any] = {"id": edge_id or f"{source}->{target}", "source": source, "target": target}
    if handle is not None:
        result["sourceHandle"] = handle
    return result


def graph(nodes: list[dict[str, Any]], edges: list[dict[str, Any]]) -> dict[str, Any]:
    return {"nodes": nodes, "edges": edges, "viewport": {"x": 0, "y": 0, "zoom": 1}}


def greeting_graph() -> dict[str, Any]:
    """input → condition → (true) template → output."""
    return graph(
        [
            node("in", "input"),
            node("check", "condition", expression="input.n > 3"),
            node("greet", "template", template="Hello {{ input.name }}!"),
            node("out", "output", values={"greeting": "{{ nodes.greet.text }}"}),
        ],
        [edge("in", "check"), edge("check", "greet", "true"), edge("greet", "out")],
    )


NAME_SCHEMA = {
    "type": "object",
    "properties": {"name": {"type": "string"}, "n": {"type": "integer"}},
    "required": ["name"],
}
