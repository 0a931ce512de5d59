"""Validation of a workflow graph (React Flow export) before it is saved: 422 naming the node or edge.

The node types and their `data` are the table of architecture §4; the engine runs what passes here."""

import json
import uuid
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from shared.config import settings
from shared.errors import InvalidInputError, PayloadTooLargeError
from shared.llm.providers import PROVIDERS

MAX_ID_LENGTH = 100
HTTP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD")
CONDITION_HANDLES = ("true", "false")
MEMORY_CONTENT_TYPES = ("conversation", "document", "fact", "summary")


class GraphValidationError(InvalidInputError):
    """422 with a message that names the node or edge at fault."""


@dataclass(frozen=True)
class Field:
    name: str
    kind: (
        str  # template | expression | string_map | template_or_object | uuid | number | int | object | choice
    )
    required: bool = False
    choices: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None


NODE_TYPES: dict[str, tuple[Field, ...]] = {
    "input": (),
    "template": (Field("template", "template", required=True),),
    "condition": (Field("expression", "expression", required=True),),
    "llm": (
        Field("prompt", "template", required=True),
        Field("system_prompt", "template"),
        Field("model", "string"),
        Field("provider", "choice", choices=tuple(PROVIDERS)),
        Field("temperature", "number", minimum=0, maximum=2),
        Field("max_tokens", "int", minimum=1, maximum=32_768),
    ),
    "http": (
        Field("url", "template", required=True),
        Field("method", "choice", choices=HTTP_METHODS),
        Field("headers", "string_map"),
        Field("body", "template_or_object"),
        Field("save_as_artifact", "template"),
    ),
    "skill": (
        Field("skill_id", "uuid", required=True),
        Field("params", "string_map", required=True),
        Field("save_as_artifact", "template"),
    ),
    "memory_search": (
        Field("query", "template", required=True),
        Field("k", "int", minimum=1, maximum=50),
        Field("content_type", "choice", choices=MEMORY_CONTENT_TYPES),
    ),
    "memory_write": (
        Field("content", "template", required=True),
        Field("content_type", "choice", choices=MEMORY_CONTENT_TYPES),
        Field("meta_data", "object"),
    ),
    "email": (Field("subject", "template", required=True), Field("body", "template", required=True)),
    "agent": (Field("agent_id", "uuid", required=True), Field("prompt", "template", required=True)),
    "mcp": (
        Field("server_id", "uuid", required=True),
        Field("tool", "string", required=True),
        Field("arguments", "string_map"),
    ),
    "artifact": (
        Field("name", "template", required=True),
        Field("content", "template", required=True),
        Field("mime_type", "string"),
    ),
    "workflow": (Field("workflow_id", "uuid", required=True), Field("input", "string_map")),
    "output": (Field("values", "string_map", required=True),),
}


def fail(where: str, problem: str) -> GraphValidationError:
    return GraphValidationError(f"{where}: {problem}")


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _check_template(where: str, value: Any) -> None:
    if not isinstance(value, str):
        raise fail(where, "must be a string")
    from shared.templating import template_error  # Jinja2 (~30 ms) when a graph is validated

    problem = template_error(value)
    if problem:
        raise fail(where, problem)


def _check_field(where: str, field: Field, value: Any) -> None:
    if field.kind == "template":
        _check_template(where, value)
    elif field.kind == "expression":
        if not isinstance(value, str):
            raise fail(where, "must be a string")
        from shared.templating import expression_error

        problem = expression_error(value)
        if problem:
            raise fail(where, problem)
    elif field.kind == "string":
        if not isinstance(value, str) or not value.strip():
            raise fail(where, "must be a non-empty string")
    elif field.kind == "string_map":
        if not isinstance(value, dict):
            raise fail(where, "must be an object of name → template")
        for name, item in value.items():
            _check_template(f"{where}.{name}", item)
    elif field.kind == "template_or_object":
        if isinstance(value, str):
            _check_template(where, value)
        elif not isinstance(value, dict | list):
            raise fail(where, "must be a template string or a JSON object")
    elif field.kind == "uuid":
        try:
            uuid.UUID(str(value))
        except ValueError as exc:
            raise fail(where, "must be a UUID") from exc
    elif field.kind in ("number", "int"):
        if not _is_number(value) or (field.kind == "int" and not isinstance(value, int)):
            raise fail(where, f"must be {'an integer' if field.kind == 'int' else 'a number'}")
        if field.minimum is not None and value < field.minimum:
            raise fail(where, f"must be at least {field.minimum:g}")
        if field.maximum is not None and value > field.maximum:
            raise fail(where, f"must be at most {field.maximum:g}")
    elif field.kind == "choice":
        if value not in field.choices:
            raise fail(where, f"must be one of {', '.join(field.choices)}")
    elif field.kind == "object" and not isinstance(value, dict):
        raise fail(where, "must be an object")


def _check_execution_policy(where: str, data: dict[str, Any]) -> None:
    """`retry` and `timeout_seconds`, which any node may carry."""
    if "timeout_seconds" in data:
        timeout = data["timeout_seconds"]
        if not _is_number(timeout) or not 0 < timeout <= 900:
            raise fail(f"{where}.timeout_seconds", "must be a number of seconds in (0, 900]")
    if "retry" in data:
        retry = data["retry"]
        if not isinstance(retry, dict):
            raise fail(f"{where}.retry", "must be an object {max_attempts, backoff_seconds}")
        attempts = retry.get("max_attempts", 1)
        if not isinstance(attempts, int) or isinstance(attempts, bool) or not 1 <= attempts <= 10:
            raise fail(f"{where}.retry.max_attempts", "must be an integer from 1 to 10")
        backoff = retry.get("backoff_seconds", 1.0)
        if not _is_number(backoff) or not 0 <= backoff <= 300:
            raise fail(f"{where}.retry.backoff_seconds", "must be a number from 0 to 300")


def _check_node(index: int, node: Any) -> tuple[str, str]:
    if not isinstance(node, dict):
        raise fail(f"nodes[{index}]", "must be an object")
    node_id = node.get("id")
    if not isinstance(node_id, str) or not node_id or len(node_id) > MAX_ID_LENGTH:
        raise fail(f"nodes[{index}].id", f"must be a non-empty string of at most {MAX_ID_LENGTH} characters")
    where = f"node '{node_id}'"
    node_type = node.get("type")
    if node_type not in NODE_TYPES:
        raise fail(where, f"unknown type {node_type!r}; known types: {', '.join(NODE_TYPES)}")
    where = f"node '{node_id}' ({node_type})"
    position = node.get("position")
    if not isinstance(position, dict) or not all(_is_number(position.get(axis)) for axis in ("x", "y")):
        raise fail(where, "position must be {x: number, y: number}")
    data = node.get("data", {})
    if not isinstance(data, dict):
        raise fail(where, "data must be an object")
    for field in NODE_TYPES[node_type]:
        if field.name not in data or data[field.name] is None:
            if field.required:
                raise fail(where, f"data.{field.name} is required")
            continue
        _check_field(f"{where} data.{field.name}", field, data[field.name])
    _check_execution_policy(f"{where} data", data)
    return node_id, node_type


def _check_edge(index: int, edge: Any, node_types: dict[str, str], seen: set[str]) -> tuple[str, str]:
    if not isinstance(edge, dict):
        raise fail(f"edges[{index}]", "must be an object")
    edge_id = edge.get("id")
    if not isinstance(edge_id, str) or not edge_id or len(edge_id) > MAX_ID_LENGTH:
        raise fail(f"edges[{index}].id", f"must be a non-empty string of at most {MAX_ID_LENGTH} characters")
    where = f"edge '{edge_id}'"
    if edge_id in seen:
        raise fail(where, "duplicate edge id")
    seen.add(edge_id)
    source, target = edge.get("source"), edge.get("target")
    for end, node_id in (("source", source), ("target", target)):
        if node_id not in node_types:
            raise fail(where, f"{end} {node_id!r} is not a node of this graph")
    if source == target:
        raise fail(where, "connects a node to itself")
    handle = edge.get("sourceHandle")
    if node_types[source] == "condition" and handle not in CONDITION_HANDLES:
        raise fail(
            where, f'leaves condition node \'{source}\', so its sourceHandle must be "true" or "false"'
        )
    if node_types[target] == "input":
        raise fail(where, f"targets the input node '{target}'; the input node has no predecessors")
    return source, target


def _find_cycle_node(node_ids: list[str], edges: list[tuple[str, str]]) -> str | None:
    """Kahn's algorithm: a node never freed of predecessors lies on (or behind) a cycle."""
    indegree = dict.fromkeys(node_ids, 0)
    successors: dict[str, list[str]] = {node_id: [] for node_id in node_ids}
    for source, target in edges:
        successors[source].append(target)
        indegree[target] += 1
    ready = deque(node_id for node_id, degree in indegree.items() if degree == 0)
    while ready:
        for successor in successors[ready.popleft()]:
            indegree[successor] -= 1
            if indegree[successor] == 0:
                ready.append(successor)
    stuck = [node_id for node_id, degree in indegree.items() if degree > 0]
    return stuck[0] if stuck else None


def validate_graph(graph: Any) -> dict[str, Any]:
    """Check a React Flow graph against the node table and the DAG rules; return it unchanged."""
    if not isinstance(graph, dict):
        raise fail("graph_json", "must be an object {nodes, edges, viewport}")
    size = len(json.dumps(graph, ensure_ascii=False).encode("utf-8"))
    if size > settings.MAX_GRAPH_BYTES:
        raise PayloadTooLargeError(f"graph_json is {size} bytes; the limit is {settings.MAX_GRAPH_BYTES}")
    nodes, edges = graph.get("nodes"), graph.get("edges", [])
    if not isinstance(nodes, list) or not isinstance(edges, list):
        raise fail("graph_json", "nodes and edges must be lists")
    if "viewport" in graph and not isinstance(graph["viewport"], dict):
        raise fail("graph_json", "viewport must be an object")
    if len(nodes) > settings.MAX_GRAPH_NODES:
        limit = settings.MAX_GRAPH_NODES
        raise PayloadTooLargeError(f"graph_json has {len(nodes)} nodes; the limit is {limit}")
    if len(edges) > settings.MAX_GRAPH_EDGES:
        limit = settings.MAX_GRAPH_EDGES
        raise PayloadTooLargeError(f"graph_json has {len(edges)} edges; the limit is {limit}")

    node_types: dict[str, str] = {}
    for index, node in enumerate(nodes):
        node_id, node_type = _check_node(index, node)
        if node_id in node_types:
            raise fail(f"node '{node_id}'", "duplicate node id")
        node_types[node_id] = node_type
    inputs = [node_id for node_id, node_type in node_types.items() if node_type == "input"]
    if len(inputs) != 1:
        raise fail("graph_json", f"needs exactly one input node, found {len(inputs)}")

    seen_edges: set[str] = set()
    pairs = [_check_edge(index, edge, node_types, seen_edges) for index, edge in enumerate(edges)]
    on_cycle = _find_cycle_node(list(node_types), pairs)
    if on_cycle is not None:
        raise fail(f"node '{on_cycle}'", "is part of a cycle; a workflow graph must be acyclic")
    return graph


def skill_ids(graph: dict[str, Any]) -> Iterator[tuple[str, uuid.UUID]]:
    """(node id, skill id) of every skill node of a validated graph."""
    for node in graph.get("nodes", []):
        if node.get("type") == "skill":
            yield node["id"], uuid.UUID(str(node["data"]["skill_id"]))


def agent_ids(graph: dict[str, Any]) -> Iterator[tuple[str, uuid.UUID]]:
    """(node id, agent id) of every agent node of a validated graph."""
    for node in graph["nodes"]:
        if node.get("type") == "agent":
            yield node["id"], uuid.UUID(str(node["data"]["agent_id"]))


def mcp_tools(graph: dict[str, Any]) -> Iterator[tuple[str, uuid.UUID, str]]:
    """(node id, server id, tool) of every mcp node of a validated graph."""
    for node in graph["nodes"]:
        if node.get("type") == "mcp":
            yield node["id"], uuid.UUID(str(node["data"]["server_id"])), node["data"]["tool"]


def workflow_ids(graph: dict[str, Any]) -> Iterator[tuple[str, uuid.UUID]]:
    """(node id, workflow id) of every workflow node of a validated graph."""
    for node in graph["nodes"]:
        if node.get("type") == "workflow":
            yield node["id"], uuid.UUID(str(node["data"]["workflow_id"]))
