"""Tool calls of runs (seed 004's ToolExecution): every skill, http, mcp, llm and agent node attempt of
a run, recorded from its log as the run saves it (inputs as logged, secrets already scrubbed; outputs
capped). The catalog's skill statistics are computed from these records."""

import json
import uuid
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from shared.api.pagination import PageParams, paginate
from shared.config import get_utc_now, settings
from shared.executions.models import AgentExecution, ToolExecution

TOOL_NODE_TYPES = frozenset({"skill", "http", "mcp", "llm", "agent"})
CALL_STATUSES = frozenset({"completed", "failed"})  # a log's skipped and reused entries are no calls


def capped(value: Any) -> Any:
    """The value, or, when its JSON is longer than TOOL_CALL_OUTPUT_MAX_CHARS, the start of that JSON."""
    if value is None:
        return None
    text = json.dumps(value, ensure_ascii=False, default=str)
    limit = settings.TOOL_CALL_OUTPUT_MAX_CHARS
    if len(text) <= limit:
        return value
    return {"truncated": True, "length": len(text), "start": text[:limit]}


def tool_of(entry: dict[str, Any], data: dict[str, Any]) -> tuple[str, uuid.UUID | None]:
    """The tool a log entry called, by name, and the catalog skill when it is one. A failed attempt
    logs no input: the node's own `data` (templates as written, never rendered values) names it then."""
    logged = entry.get("input") or {}
    kind = entry["type"]
    if kind == "skill":
        skill_id = logged.get("skill_id") or data.get("skill_id")
        return str(logged.get("skill") or f"skill {skill_id}"), uuid.UUID(str(skill_id)) if skill_id else None
    if kind == "http":
        host = urlsplit(str(logged.get("url") or data.get("url") or "")).hostname or "?"
        return f"{logged.get('method') or data.get('method') or 'GET'} {host}", None
    if kind == "llm":
        return str(logged.get("model") or data.get("model") or "llm"), None
    if kind == "agent":
        return f"agent {logged.get('agent') or data.get('agent_id') or '?'}", None
    return str(logged.get("tool") or data.get("tool") or kind), None


def record(
    session: Session,
    execution: AgentExecution,
    entries: list[dict[str, Any]],
    nodes: dict[str, dict[str, Any]] | None = None,
) -> int:
    """Add the tool calls among new log entries (the caller commits); returns how many. `nodes` are the
    run's graph nodes by id."""
    count = 0
    for entry in entries:
        if entry.get("type") not in TOOL_NODE_TYPES or entry.get("status") not in CALL_STATUSES:
            continue
        tool, skill_id = tool_of(entry, ((nodes or {}).get(entry["node_id"]) or {}).get("data") or {})
        started_at = datetime.fromisoformat(entry["started_at"])
        duration = float(entry.get("duration_ms") or 0)
        session.add(
            ToolExecution(
                execution_id=execution.id,
                task_id=execution.task_id,
                user_id=execution.user_id,
                node_id=entry["node_id"],
                tool_type=entry["type"],
                tool=tool[:255],
                skill_id=skill_id,
                attempt=entry.get("attempt") or 1,
                input=entry.get("input") or {},
                output=capped(entry.get("output")),
                error=entry.get("error"),
                status=entry["status"],
                duration_ms=duration,
                started_at=started_at,
                completed_at=started_at + timedelta(milliseconds=duration),
            )
        )
        count += 1
    return count


def record_call(
    session: Session,
    *,
    user_id: uuid.UUID,
    task_id: uuid.UUID,
    tool_type: str,
    tool: str,
    call_input: Any,
    output: Any,
    error: str | None,
    started_at: datetime,
    duration_ms: float,
) -> None:
    """A call made for a task outside any run (its planner's model calls); the caller commits."""
    session.add(
        ToolExecution(
            task_id=task_id,
            user_id=user_id,
            tool_type=tool_type,
            tool=tool[:255],
            input=call_input,
            output=capped(output),
            error=error,
            status="failed" if error else "completed",
            duration_ms=duration_ms,
            started_at=started_at,
            completed_at=started_at + timedelta(milliseconds=duration_ms),
        )
    )


def list_of_execution(
    session: Session, execution_id: uuid.UUID, page: PageParams
) -> tuple[list[ToolExecution], int]:
    query = (
        select(ToolExecution)
        .where(ToolExecution.execution_id == execution_id)
        .order_by(ToolExecution.started_at, ToolExecution.created_at, ToolExecution.id)
    )
    return paginate(session, query, page)


def skill_latencies(session: Session, execution_id: uuid.UUID) -> list[tuple[uuid.UUID, float]]:
    """(skill id, duration ms) of the run's completed skill calls: what the catalog counts."""
    session.flush()
    rows = session.execute(
        select(ToolExecution.skill_id, ToolExecution.duration_ms).where(
            ToolExecution.execution_id == execution_id,
            ToolExecution.tool_type == "skill",
            ToolExecution.status == "completed",
            ToolExecution.skill_id.is_not(None),
        )
    ).all()
    return [(skill_id, float(duration or 0)) for skill_id, duration in rows]


def purge_old(session: Session) -> int:
    """Records older than TOOL_CALL_RETENTION_DAYS; the caller commits."""
    cutoff = get_utc_now() - timedelta(days=settings.TOOL_CALL_RETENTION_DAYS)
    return session.execute(delete(ToolExecution).where(ToolExecution.created_at < cutoff)).rowcount
