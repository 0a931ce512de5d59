"""The graph walker: run one version snapshot of a workflow in topological order, log every node
attempt, and return the outcome. What an execution row becomes is shared.executions.lifecycle's.

A node runs once all its predecessors have finished, if at least one incoming edge was taken (an edge
leaving a condition is taken only on the matching `sourceHandle`); otherwise it is skipped, and so are
nodes reachable only through it."""

import random
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, Literal, Protocol

from aws_lambda_powertools import Logger
from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.config import get_utc_now, settings
from shared.engine.context import RunContext
from shared.engine.errors import (
    ExecutionCancelled,
    ExecutionPaused,
    ExecutionYielded,
    NodeError,
    RetryableNodeError,
)
from shared.engine.registry import EXECUTORS
from shared.outbound import OutboundError, RetryableOutboundError
from shared.users.models import User
from shared.vault.service import RunSecrets

logger = Logger(child=True)

Sleep = Callable[[float], None]
# Nodes that talk to the outside world: their results are saved as soon as they are known.
IO_NODE_TYPES = {
    "llm",
    "http",
    "skill",
    "email",
    "memory_search",
    "memory_write",
    "agent",
    "mcp",
    "artifact",
    "workflow",
}
MAX_ERROR_LENGTH = 1000
REUSABLE_STATUSES = ("completed", "reused")


@dataclass(frozen=True)
class RunRequest:
    """What to run: a pinned version's snapshot, its input, and the outputs a resumption reuses."""

    execution_id: uuid.UUID
    workflow_id: uuid.UUID
    workflow_version: int
    owner_id: uuid.UUID
    trigger_type: str
    input: dict[str, Any]
    snapshot: dict[str, Any]
    reusable: dict[str, Any] = field(default_factory=dict)  # node id → output of an earlier run
    # time.monotonic() by which an in-process run (a chat's) must hand over to the worker: it stops
    # between nodes, or when a node's call is cut by this time, and says "yielded"
    yield_at: float | None = None


@dataclass(frozen=True)
class Outcome:
    """How a run ended, with everything it produced; secrets the run used are already scrubbed."""

    status: Literal["completed", "failed", "cancelled", "yielded", "paused"]
    error: str | None
    log: list[dict[str, Any]]
    output: dict[str, Any] | None
    token_usage: int
    credits_used: Decimal
    api_calls: int


class Progress(Protocol):
    """Where a run keeps what it has done, and learns that its owner wants it stopped: "cancel" (for
    good) or "pause" (until resumed), else None."""

    def save(self, log: list[dict[str, Any]]) -> None: ...

    def stop_requested(self) -> str | None: ...


def run_graph(
    *, session: Session, request: RunRequest, progress: Progress, sleep: Sleep = time.sleep
) -> Outcome:
    """Walk the request's graph; a node failure, a timeout or a cancel ends it with that outcome.
    Anything else (a bug, a lost database) is raised to the caller."""
    walk = GraphWalk(session, request, progress, sleep)
    try:
        walk.walk()
    except ExecutionYielded:
        return walk.outcome("yielded", None)
    except ExecutionPaused:
        return walk.outcome("paused", None)
    except ExecutionCancelled:
        return walk.outcome("cancelled", "Cancelled by the owner")
    except NodeError as exc:
        return walk.outcome("failed", str(exc))
    return walk.outcome("completed", None)


def topological_order(graph: dict[str, Any]) -> list[dict[str, Any]]:
    """Nodes in an order where every edge points forward (graph order breaks ties)."""
    by_id = {node["id"]: node for node in graph["nodes"]}
    indegree = dict.fromkeys(by_id, 0)
    successors: dict[str, list[str]] = {node_id: [] for node_id in by_id}
    for edge in graph.get("edges", []):
        successors[edge["source"]].append(edge["target"])
        indegree[edge["target"]] += 1
    ready = deque(node_id for node_id in by_id if indegree[node_id] == 0)
    order = []
    while ready:
        node_id = ready.popleft()
        order.append(by_id[node_id])
        for successor in successors[node_id]:
            indegree[successor] -= 1
            if indegree[successor] == 0:
                ready.append(successor)
    return order


def log_entry(
    node: dict[str, Any],
    status: str,
    started_at: datetime,
    *,
    attempt: int = 0,
    logged_input: Any = None,
    output: Any = None,
    error: str | None = None,
    duration_ms: float = 0,
) -> dict[str, Any]:
    """One node attempt, as architecture §4 defines the execution log entry."""
    return {
        "node_id": node["id"],
        "type": node["type"],
        "status": status,
        "attempt": attempt,
        "input": logged_input,
        "output": output,
        "error": error,
        "duration_ms": round(duration_ms, 3),
        "started_at": started_at.isoformat(),
    }


class GraphWalk:
    """The state of one run while the engine walks its graph."""

    def __init__(self, session: Session, request: RunRequest, progress: Progress, sleep: Sleep) -> None:
        self.session = session
        self.request = request
        self.progress = progress
        self.sleep = sleep
        self.secrets = RunSecrets(session, request.owner_id)
        snapshot = request.snapshot
        self.ctx = RunContext(
            execution_id=request.execution_id,
            trigger_type=request.trigger_type,
            workflow_id=request.workflow_id,
            workflow_name=snapshot.get("name", ""),
            workflow_version=request.workflow_version,
            owner_id=request.owner_id,
            owner_email=lambda: session.scalar(select(User.email).where(User.id == request.owner_id)) or "",
            llm_model=snapshot["llm_model"],
            llm_provider=snapshot.get("llm_provider"),
            system_prompt=snapshot.get("system_prompt"),
            temperature=snapshot["temperature"],
            input=request.input,
            deadline=time.monotonic() + settings.EXECUTION_TIMEOUT_SECONDS,
            secrets=self.secrets,
        )
        self.last_cancel_check = float("-inf")
        self.log: list[dict[str, Any]] = []
        self.status: dict[str, str] = {}  # node id → completed | reused | skipped

    def _append(self, entry: dict[str, Any], save: bool) -> None:
        # a secret the run used never reaches the log; a node whose record had one is not reused later
        entry, had_secret = self.secrets.scrub(entry)
        if had_secret:
            entry["redacted"] = True
        self.log.append(entry)
        if save:
            self.progress.save(self.log)

    def _stop_requested(self, before_io: bool) -> str | None:
        """Ask before I/O nodes, and otherwise at most every CANCEL_CHECK_INTERVAL_SECONDS (in-process
        nodes take microseconds; a query before each would dominate the run)."""
        now = time.monotonic()
        if not before_io and now - self.last_cancel_check < settings.CANCEL_CHECK_INTERVAL_SECONDS:
            return None
        self.last_cancel_check = now
        return self.progress.stop_requested()

    def _seconds_until_yield(self) -> float:
        return float("inf") if self.request.yield_at is None else self.request.yield_at - time.monotonic()

    def _must_yield(self) -> bool:
        return self._seconds_until_yield() <= 0

    def _edge_taken(self, edge: dict[str, Any], nodes_by_id: dict[str, dict[str, Any]]) -> bool:
        source = edge["source"]
        if self.status.get(source) not in REUSABLE_STATUSES:
            return False
        if nodes_by_id[source]["type"] == "condition":
            result = bool((self.ctx.outputs.get(source) or {}).get("result"))
            return edge.get("sourceHandle") == ("true" if result else "false")
        return True

    def walk(self) -> None:
        graph = self.request.snapshot["graph_json"]
        nodes_by_id = {node["id"]: node for node in graph["nodes"]}
        incoming: dict[str, list[dict[str, Any]]] = {node_id: [] for node_id in nodes_by_id}
        for edge in graph.get("edges", []):
            incoming[edge["target"]].append(edge)
        for node in topological_order(graph):
            node_id, node_type = node["id"], node["type"]
            stop = self._stop_requested(before_io=node_type in IO_NODE_TYPES)
            if stop == "cancel":
                raise ExecutionCancelled()
            if stop == "pause" and node_id not in self.request.reusable:
                raise ExecutionPaused()
            if self._must_yield():
                raise ExecutionYielded()
            if self.ctx.remaining_seconds() <= 0:
                raise NodeError(f"the execution timed out after {settings.EXECUTION_TIMEOUT_SECONDS:g}s")
            runs = node_type == "input" or any(
                self._edge_taken(edge, nodes_by_id) for edge in incoming[node_id]
            )
            if not runs:
                self.status[node_id] = "skipped"
                self._append(log_entry(node, "skipped", get_utc_now()), save=False)
                continue
            if node_id in self.request.reusable:
                output = self.request.reusable[node_id]
                self.ctx.outputs[node_id] = output
                self.status[node_id] = "reused"
                self._append(log_entry(node, "reused", get_utc_now(), output=output), save=False)
                continue
            if node_type in IO_NODE_TYPES:
                # what is done so far is saved before the run waits on the outside world: if the
                # worker dies there, the resumption reuses it
                self.progress.save(self.log)
            self.ctx.outputs[node_id] = self._run_node(node)
            self.status[node_id] = "completed"

    def _run_node(self, node: dict[str, Any]) -> Any:
        """Execute with the node's retry policy: only timeouts, 429 and 5xx are retried."""
        data = node.get("data") or {}
        policy = data.get("retry") or {}
        max_attempts = int(policy.get("max_attempts", 1))
        backoff = float(policy.get("backoff_seconds", 1.0))
        executor = EXECUTORS.get(node["type"])
        if executor is None:
            raise NodeError(f"node '{node['id']}': no executor for type {node['type']!r}")
        io_node = node["type"] in IO_NODE_TYPES
        self.ctx.node_id = node["id"]
        for attempt in range(1, max_attempts + 1):
            started_at, started = get_utc_now(), time.monotonic()
            timeout = min(
                float(data.get("timeout_seconds", settings.NODE_DEFAULT_TIMEOUT_SECONDS)),
                self.ctx.remaining_seconds(),
                self._seconds_until_yield(),
            )
            try:
                if timeout <= 0:
                    raise NodeError(f"the execution timed out after {settings.EXECUTION_TIMEOUT_SECONDS:g}s")
                logged_input, output = executor(data, self.ctx, self.session, timeout)
            except (NodeError, OutboundError) as exc:
                if self._must_yield():  # cut by the hand-over time, not failed: the worker runs it again
                    raise ExecutionYielded() from None
                error, retryable = str(exc), isinstance(exc, (RetryableNodeError, RetryableOutboundError))
            except Exception as exc:  # an executor bug fails the node, never the worker
                logger.exception("node executor crashed", extra={"node_type": node["type"]})
                error, retryable = f"{type(exc).__name__}: {exc}"[:MAX_ERROR_LENGTH], False
            else:
                entry = log_entry(
                    node,
                    "completed",
                    started_at,
                    attempt=attempt,
                    logged_input=logged_input,
                    output=output,
                    duration_ms=(time.monotonic() - started) * 1000,
                )
                self._append(entry, save=io_node)
                return output
            elapsed = (time.monotonic() - started) * 1000
            final = not retryable or attempt == max_attempts
            self._append(
                log_entry(node, "failed", started_at, attempt=attempt, error=error, duration_ms=elapsed),
                save=True,
            )
            if final:
                raise NodeError(f"node '{node['id']}' ({node['type']}): {error}")
            delay = backoff * (2 ** (attempt - 1)) * random.uniform(0.5, 1.5)  # noqa: S311  (jitter, not crypto)
            self.sleep(max(0.0, min(delay, self.ctx.remaining_seconds())))
        raise AssertionError("unreachable")

    def output_data(self) -> dict[str, Any]:
        merged: dict[str, Any] = {}
        for node in self.request.snapshot["graph_json"]["nodes"]:
            if node["type"] == "output" and self.status.get(node["id"]) in REUSABLE_STATUSES:
                merged.update(self.ctx.outputs[node["id"]])
        return merged

    def outcome(
        self, status: Literal["completed", "failed", "cancelled", "yielded", "paused"], error: str | None
    ) -> Outcome:
        return Outcome(
            status=status,
            error=self.secrets.scrub(error)[0][:MAX_ERROR_LENGTH] if error else None,
            log=list(self.log),
            output=self.secrets.scrub(self.output_data())[0] if status == "completed" else None,
            token_usage=self.ctx.token_usage,
            credits_used=self.ctx.credits_used,
            api_calls=self.ctx.api_calls,
        )
