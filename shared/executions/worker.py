"""The worker's work per queue message: function → executions → engine, one way down.

An `execution.run` runs a pending execution; a `workflow.scheduled` creates the execution of that fire
first; a `chat.reply` finishes an agent's reply that its chat request handed over; an `mcp.check` checks
a user's MCP server; a `connection.analyze` analyses a database connection and a `connection.chat`
finishes an answer of a database chat. Running means: claim it, hand the engine its pinned snapshot
(with what a resumption reuses), and record the outcome."""

import time
import uuid
from typing import Any

from aws_lambda_powertools import Logger
from sqlalchemy.orm import Session

import shared.agents.nodes
import shared.engine.nodes
import shared.mcp.nodes
import shared.memory.nodes  # noqa: F401  (with the lines above: registers every node type's executor)
from shared.agents import replies
from shared.config import settings
from shared.connections import analysis as connection_analysis
from shared.connections import chat as connection_chat
from shared.db import session_scope
from shared.engine import runner as engine
from shared.executions import lifecycle
from shared.executions.models import AgentExecution
from shared.mcp import checks as mcp_checks
from shared.queue import messages
from shared.workflows import service as workflow_service

logger = Logger(child=True)

REUSABLE_STATUSES = ("completed", "reused")


def handle_message(body: str, receive_count: int = 1) -> str | None:
    """Process one message; raising leaves it on the queue for another delivery (then the DLQ)."""
    message = messages.parse(body)
    if isinstance(message, messages.ChatReply):
        with session_scope() as session:
            replies.finish_reply(session, message.message_id)
        return None
    if isinstance(message, messages.McpCheck):
        with session_scope() as session:
            return mcp_checks.check_server(session, message.server_id)
    if isinstance(message, messages.ConnectionAnalyze):
        with session_scope() as session:
            return connection_analysis.run(session, message.connection_id)
    if isinstance(message, messages.ConnectionChat):
        with session_scope() as session:
            connection_chat.finish_pending(session, message.message_id)
        return None
    execution_id = message.execution_id if isinstance(message, messages.ExecutionRun) else None
    try:
        with session_scope() as session:
            if isinstance(message, messages.WorkflowScheduled):
                execution_id = lifecycle.create_scheduled(
                    session=session, workflow_id=message.workflow_id, scheduled_at=message.scheduled_at
                )
                if execution_id is None:
                    return None
            assert execution_id is not None
            return run_execution(session=session, execution_id=execution_id)
    except Exception as exc:
        if execution_id is not None and receive_count >= settings.QUEUE_MAX_RECEIVES:
            reason = f"gave up after {receive_count} deliveries: {type(exc).__name__}: {exc}"
            with session_scope() as session:
                lifecycle.give_up(session, execution_id, reason)
        raise


def run_execution(
    *,
    session: Session,
    execution_id: uuid.UUID,
    sleep: engine.Sleep = time.sleep,
    yield_at: float | None = None,
) -> str | None:
    """Claim and run one execution; returns its status (pending again when an in-process run reached
    `yield_at` and went to the worker), or None if it was not ours to run."""
    execution = lifecycle.claim(session, execution_id)
    if execution is None:
        logger.info(
            "execution not claimable (duplicate, cancelled or finished)",
            extra={"execution_id": str(execution_id)},
        )
        return None
    try:
        outcome = engine.run_graph(
            session=session,
            request=run_request(session, execution, yield_at),
            progress=SavedProgress(session, execution),
            sleep=sleep,
        )
    except Exception as exc:  # a bug or a lost database must not leave the execution running
        logger.exception("execution crashed", extra={"execution_id": str(execution_id)})
        return lifecycle.crashed(session, execution_id, exc).status
    if outcome.status == "yielded":
        lifecycle.hand_over(session, execution, outcome)
    else:
        lifecycle.finish(session, execution, outcome)
    return execution.status


def run_request(
    session: Session, execution: AgentExecution, yield_at: float | None = None
) -> engine.RunRequest:
    snapshot = workflow_service.get_version_snapshot(
        session=session, workflow_id=execution.workflow_id, version=execution.workflow_version
    )
    return engine.RunRequest(
        execution_id=execution.id,
        workflow_id=execution.workflow_id,
        workflow_version=execution.workflow_version,
        owner_id=execution.user_id,
        trigger_type=execution.trigger_type,
        input=execution.input_data,
        snapshot=snapshot,
        reusable=outputs_to_reuse(session, execution, snapshot),
        yield_at=yield_at,
    )


def outputs_to_reuse(session: Session, execution: AgentExecution, snapshot: dict[str, Any]) -> dict[str, Any]:
    """What the nodes of earlier work produced successfully: the execution's own log when it was handed
    over to the worker part-way, and the log of the failed execution a retry or resumption continues,
    except for nodes changed since (a retry on the latest version) and records that held a secret."""
    reusable = successful_outputs(execution.execution_log, snapshot, snapshot)
    previous = session.get(AgentExecution, execution.retry_of_id) if execution.retry_of_id else None
    if previous is not None:
        then = workflow_service.get_version_snapshot(
            session=session, workflow_id=previous.workflow_id, version=previous.workflow_version
        )
        reusable = {**successful_outputs(previous.execution_log, then, snapshot), **reusable}
    return reusable


def successful_outputs(
    log: list[dict[str, Any]], then: dict[str, Any], now: dict[str, Any]
) -> dict[str, Any]:
    """Outputs of the log's successful node records whose node is the same in `now` as it was `then`."""
    before = {node["id"]: (node["type"], node.get("data")) for node in then["graph_json"]["nodes"]}
    after = {node["id"]: (node["type"], node.get("data")) for node in now["graph_json"]["nodes"]}
    return {
        entry["node_id"]: entry["output"]
        for entry in log
        if entry.get("status") in REUSABLE_STATUSES
        and not entry.get("redacted")
        and entry["node_id"] in after
        and before.get(entry["node_id"]) == after[entry["node_id"]]
    }


class SavedProgress:
    """The engine's Progress for one execution row: the log is committed when the engine asks, and the
    owner's cancel is read from the row."""

    def __init__(self, session: Session, execution: AgentExecution) -> None:
        self.session = session
        self.execution = execution

    def save(self, log: list[dict[str, Any]]) -> None:
        lifecycle.save_progress(self.session, self.execution, log)

    def cancel_requested(self) -> bool:
        return lifecycle.cancel_requested(self.session, self.execution.id)
