"""Run one execution: claim it, walk the pinned graph in topological order, log every node attempt.

A node runs once all its predecessors have finished, if at least one incoming edge was taken (an edge
leaving a condition is taken only on the matching `sourceHandle`); otherwise it is skipped, and so are
nodes reachable only through it."""

import random
import time
import uuid
from collections import deque
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools import Logger
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from shared.catalog.models import Skill
from shared.config import get_utc_now, settings
from shared.engine import nodes
from shared.engine.context import RunContext
from shared.engine.errors import ExecutionCancelled, NodeError, RetryableNodeError
from shared.executions import notifications
from shared.executions.models import AgentExecution
from shared.users.models import User
from shared.vault.service import RunSecrets
from shared.workflows import service as workflow_service
from shared.workflows.models import AgentWorkflow

logger = Logger(child=True)

Sleep = Callable[[float], None]
# Nodes that talk to the outside world: their results are committed as soon as they are known.
IO_NODE_TYPES = {"llm", "http", "skill", "email", "memory_search", "memory_write"}
MAX_ERROR_LENGTH = 1000


def claim(session: Session, execution_id: uuid.UUID) -> AgentExecution | None:
    """pending → running in one conditional UPDATE: a duplicate delivery finds nothing to claim."""
    claimed = session.scalars(
        update(AgentExecution)
        .where(AgentExecution.id == execution_id, AgentExecution.status == "pending")
        .values(status="running", started_at=get_utc_now())
        .returning(AgentExecution),
        execution_options={"populate_existing": True},
    ).first()
    session.commit()
    return claimed


_snapshots: dict[tuple[uuid.UUID, int], dict[str, Any]] = {}
SNAPSHOT_CACHE_SIZE = 256


def version_snapshot(session: Session, workflow_id: uuid.UUID, version: int) -> dict[str, Any]:
    """A version's snapshot, cached per container: versions never change once written."""
    key = (workflow_id, version)
    if key not in _snapshots:
        if len(_snapshots) >= SNAPSHOT_CACHE_SIZE:
            _snapshots.pop(next(iter(_snapshots)))
        _snapshots[key] = workflow_service.get_version_snapshot(
            session=session, workflow_id=workflow_id, version=version
        )
    return _snapshots[key]


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


class Run:
    """The state of one execution while the engine walks its graph."""

    def __init__(self, session: Session, execution: AgentExecution, sleep: Sleep) -> None:
        self.session = session
        self.execution = execution
        self.sleep = sleep
        self.snapshot = version_snapshot(session, execution.workflow_id, execution.workflow_version)
        self.secrets = RunSecrets(session, execution.user_id)
        self.ctx = RunContext(
            execution_id=execution.id,
            trigger_type=execution.trigger_type,
            workflow_id=execution.workflow_id,
            workflow_name=self.snapshot.get("name", ""),
            workflow_version=execution.workflow_version,
            owner_email=lambda: session.scalar(select(User.email).where(User.id == execution.user_id)) or "",
            llm_model=self.snapshot["llm_model"],
            system_prompt=self.snapshot.get("system_prompt"),
            temperature=self.snapshot["temperature"],
            input=execution.input_data,
            deadline=time.monotonic() + settings.EXECUTION_TIMEOUT_SECONDS,
            secrets=self.secrets,
        )
        self.last_cancel_check = float("-inf")
        self.log: list[dict[str, Any]] = []
        self.status: dict[str, str] = {}  # node id → completed | reused | skipped
        self.reusable = self._outputs_to_reuse()

    def _outputs_to_reuse(self) -> dict[str, Any]:
        """A retry reuses what the failed execution's nodes produced successfully."""
        if self.execution.retry_of_id is None:
            return {}
        previous = self.session.get(AgentExecution, self.execution.retry_of_id)
        if previous is None:
            return {}
        # a node changed since (retry on the latest version) must run again, not reuse a stale output
        then = version_snapshot(self.session, previous.workflow_id, previous.workflow_version)["graph_json"]
        before = {node["id"]: (node["type"], node.get("data")) for node in then["nodes"]}
        now = {node["id"]: (node["type"], node.get("data")) for node in self.snapshot["graph_json"]["nodes"]}
        return {
            entry["node_id"]: entry["output"]
            for entry in previous.execution_log
            if entry.get("status") in ("completed", "reused")
            and not entry.get("redacted")
            and entry["node_id"] in now
            and before.get(entry["node_id"]) == now[entry["node_id"]]
        }

    def _append(self, entry: dict[str, Any], commit: bool) -> None:
        # a secret the run used never reaches the log; a node whose record had one is not reused later
        entry, had_secret = self.secrets.scrub(entry)
        if had_secret:
            entry["redacted"] = True
        self.log.append(entry)
        self.execution.execution_log = list(self.log)
        if commit:
            self.session.commit()

    def _cancel_requested(self, before_io: bool) -> bool:
        """Read the cancel flag before I/O nodes, and otherwise at most every CANCEL_CHECK_INTERVAL_SECONDS
        (in-process nodes take microseconds; a query before each would dominate the run)."""
        now = time.monotonic()
        if not before_io and now - self.last_cancel_check < settings.CANCEL_CHECK_INTERVAL_SECONDS:
            return False
        self.last_cancel_check = now
        return (
            self.session.scalar(
                select(AgentExecution.cancel_requested_at).where(AgentExecution.id == self.execution.id)
            )
            is not None
        )

    def _edge_taken(self, edge: dict[str, Any], nodes_by_id: dict[str, dict[str, Any]]) -> bool:
        source = edge["source"]
        if self.status.get(source) not in ("completed", "reused"):
            return False
        if nodes_by_id[source]["type"] == "condition":
            result = bool((self.ctx.outputs.get(source) or {}).get("result"))
            return edge.get("sourceHandle") == ("true" if result else "false")
        return True

    def walk(self) -> None:
        graph = self.snapshot["graph_json"]
        nodes_by_id = {node["id"]: node for node in graph["nodes"]}
        incoming: dict[str, list[dict[str, Any]]] = {node_id: [] for node_id in nodes_by_id}
        for edge in graph.get("edges", []):
            incoming[edge["target"]].append(edge)
        for node in topological_order(graph):
            node_id, node_type = node["id"], node["type"]
            if self._cancel_requested(before_io=node_type in IO_NODE_TYPES):
                raise ExecutionCancelled()
            if self.ctx.remaining_seconds() <= 0:
                raise NodeError(f"the execution timed out after {settings.EXECUTION_TIMEOUT_SECONDS:g}s")
            runs = node_type == "input" or any(
                self._edge_taken(edge, nodes_by_id) for edge in incoming[node_id]
            )
            if not runs:
                self.status[node_id] = "skipped"
                self._append(
                    self._entry(node, "skipped", 0, None, None, None, 0, get_utc_now()), commit=False
                )
                continue
            if node_id in self.reusable:
                self.ctx.outputs[node_id] = self.reusable[node_id]
                self.status[node_id] = "reused"
                self._append(
                    self._entry(node, "reused", 0, None, self.reusable[node_id], None, 0, get_utc_now()),
                    False,
                )
                continue
            if node_type in IO_NODE_TYPES:
                # what is done so far is saved before the run waits on the outside world: if the
                # worker dies there, the resumption reuses it (maintenance.recover_lost_runs)
                self.session.commit()
            self.ctx.outputs[node_id] = self._run_node(node)
            self.status[node_id] = "completed"

    @staticmethod
    def _entry(node, status, attempt, logged_input, output, error, duration_ms, started_at) -> dict[str, Any]:  # type: ignore[no-untyped-def]
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

    def _run_node(self, node: dict[str, Any]) -> Any:
        """Execute with the node's retry policy: only timeouts, 429 and 5xx are retried."""
        data = node.get("data") or {}
        policy = data.get("retry") or {}
        max_attempts = int(policy.get("max_attempts", 1))
        backoff = float(policy.get("backoff_seconds", 1.0))
        executor = nodes.EXECUTORS.get(node["type"])
        if executor is None:
            raise NodeError(f"node '{node['id']}': no executor for type {node['type']!r}")
        commit = node["type"] in IO_NODE_TYPES
        for attempt in range(1, max_attempts + 1):
            started_at, started = get_utc_now(), time.monotonic()
            timeout = min(
                float(data.get("timeout_seconds", settings.NODE_DEFAULT_TIMEOUT_SECONDS)),
                self.ctx.remaining_seconds(),
            )
            try:
                if timeout <= 0:
                    raise NodeError(f"the execution timed out after {settings.EXECUTION_TIMEOUT_SECONDS:g}s")
                logged_input, output = executor(data, self.ctx, self.session, timeout)
            except NodeError as exc:
                error, retryable = str(exc), isinstance(exc, RetryableNodeError)
            except Exception as exc:  # an executor bug fails the node, never the worker
                logger.exception("node executor crashed", extra={"node_type": node["type"]})
                error, retryable = f"{type(exc).__name__}: {exc}"[:MAX_ERROR_LENGTH], False
            else:
                elapsed = (time.monotonic() - started) * 1000
                self._append(
                    self._entry(node, "completed", attempt, logged_input, output, None, elapsed, started_at),
                    commit,
                )
                return output
            elapsed = (time.monotonic() - started) * 1000
            final = not retryable or attempt == max_attempts
            self._append(
                self._entry(node, "failed", attempt, None, None, error, elapsed, started_at), commit=True
            )
            if final:
                raise NodeError(f"node '{node['id']}' ({node['type']}): {error}")
            delay = backoff * (2 ** (attempt - 1)) * random.uniform(0.5, 1.5)  # noqa: S311  (jitter, not crypto)
            self.sleep(max(0.0, min(delay, self.ctx.remaining_seconds())))
        raise AssertionError("unreachable")

    def output_data(self) -> dict[str, Any]:
        merged: dict[str, Any] = {}
        for node in self.snapshot["graph_json"]["nodes"]:
            if node["type"] == "output" and self.status.get(node["id"]) in ("completed", "reused"):
                merged.update(self.ctx.outputs[node["id"]])
        return merged


def _finish(
    session: Session, execution: AgentExecution, run: Run | None, status: str, error: str | None
) -> bool:
    """Record the outcome and count the run; returns whether the workflow wants success mail."""
    now = get_utc_now()
    execution.status = status
    if run is not None and error:
        error = run.secrets.scrub(error)[0]
    execution.error_message = error[:MAX_ERROR_LENGTH] if error else None
    execution.finished_at = now
    if execution.started_at is not None:
        execution.duration_ms = int((now - execution.started_at).total_seconds() * 1000)
    if run is not None:
        execution.execution_log = list(run.log)
        execution.token_usage = run.ctx.token_usage
        execution.total_api_calls = run.ctx.api_calls
        if status == "completed":
            execution.output_data = run.secrets.scrub(run.output_data())[0]
        for skill_id, latency in run.ctx.skill_calls:
            session.execute(
                update(Skill)
                .where(Skill.id == skill_id)
                .values(
                    usage_count=Skill.usage_count + 1,
                    avg_latency_ms=Skill.avg_latency_ms
                    + (latency - Skill.avg_latency_ms) / (Skill.usage_count + 1),
                )
            )
    notify_on_success = session.scalar(
        update(AgentWorkflow)
        .where(AgentWorkflow.id == execution.workflow_id)
        .values(run_count=AgentWorkflow.run_count + 1)
        .returning(AgentWorkflow.notify_on_success)
    )
    session.commit()
    return bool(notify_on_success)


def run_execution(*, session: Session, execution_id: uuid.UUID, sleep: Sleep = time.sleep) -> str | None:
    """Claim and run one execution; returns its final status, or None if it was not ours to run."""
    execution = claim(session, execution_id)
    if execution is None:
        logger.info(
            "execution not claimable (duplicate, cancelled or finished)",
            extra={"execution_id": str(execution_id)},
        )
        return None
    run: Run | None = None
    try:
        run = Run(session, execution, sleep)
        run.walk()
    except ExecutionCancelled:
        wants_success_mail = _finish(session, execution, run, "cancelled", "Cancelled by the owner")
    except NodeError as exc:
        wants_success_mail = _finish(session, execution, run, "failed", str(exc))
    except Exception as exc:  # a bug or a lost database must not leave the execution running
        logger.exception("execution crashed", extra={"execution_id": str(execution_id)})
        session.rollback()
        execution = session.get(AgentExecution, execution_id)
        assert execution is not None
        wants_success_mail = _finish(
            session, execution, None, "failed", f"internal error: {type(exc).__name__}"
        )
    else:
        wants_success_mail = _finish(session, execution, run, "completed", None)
    if execution.status == "failed" or (execution.status == "completed" and wants_success_mail):
        notifications.notify_owner(session=session, execution=execution)
    return execution.status
