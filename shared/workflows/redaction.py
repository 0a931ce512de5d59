"""What a workflow's graph shows to someone who is not its owner: literal credentials typed into an
http node (a secret-named header, or a secret-named query parameter of its URL) are replaced by
`[redacted]`. Values that are templates (`Bearer {{ input.token }}`) carry no secret and stay, so a
reader can still see how the workflow is meant to be called. Forks by others copy the redacted graph."""

import copy
import re
from typing import Any
from urllib.parse import unquote_plus, urlsplit

REDACTED = "[redacted]"
SECRET_NAME = re.compile(
    r"authorization|api[-_]?key|apikey|token|secret|password|passwd|cookie|signature|credential|session",
    re.IGNORECASE,
)


def _is_literal(value: Any) -> bool:
    return isinstance(value, str) and "{{" not in value and "{%" not in value


def _redacted_url(url: str) -> str:
    """The URL with literal secret-named query values replaced; every other byte as written."""
    parts = urlsplit(url)
    if not parts.query:
        return url
    segments = []
    for segment in parts.query.split("&"):
        name, separator, value = segment.partition("=")
        if separator and SECRET_NAME.search(unquote_plus(name)) and _is_literal(unquote_plus(value)):
            segment = f"{name}={REDACTED}"
        segments.append(segment)
    return parts._replace(query="&".join(segments)).geturl()


def redact_graph(graph: dict[str, Any]) -> dict[str, Any]:
    """A copy of the graph without literal credentials; the stored graph is not touched."""
    shown = copy.deepcopy(graph)
    for node in shown.get("nodes") or []:
        data = node.get("data") if isinstance(node, dict) else None
        if not isinstance(data, dict) or node.get("type") != "http":
            continue
        headers = data.get("headers")
        if isinstance(headers, dict):
            data["headers"] = {
                name: REDACTED if SECRET_NAME.search(str(name)) and _is_literal(value) else value
                for name, value in headers.items()
            }
        if isinstance(data.get("url"), str):
            data["url"] = _redacted_url(data["url"])
    return shown


def redact_snapshot(snapshot: dict[str, Any]) -> dict[str, Any]:
    """A version snapshot with its graph redacted."""
    if not isinstance(snapshot.get("graph_json"), dict):
        return snapshot
    return {**snapshot, "graph_json": redact_graph(snapshot["graph_json"])}
