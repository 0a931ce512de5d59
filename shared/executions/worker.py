"""The worker's work per queue message: function → executions → engine, one way down.

Every delivery is tracked on its queue job (shared.queue.jobs): running at attempt n, then completed,
failed, or dead on the last attempt. An `execution.run` runs a pending execution; a `workflow.scheduled`
creates the execution of that fire first; a `chat.reply` finishes an agent's reply that its chat request
handed over; an `mcp.check` checks a user's MCP server; a `connection.analyze` analyses a database
connection and a `connection.chat` finishes an answer of a database chat; a `task.plan` plans a task
(and starts its run); a `mail.send` renders and sends one mail. Running means: claim it, hand the engine
its pinned snapshot (with what a resumption reuses), record the run's tool calls (and a task's step
logs) as it saves, and record the outcome."""

import time
import uuid
from typing import Any

from aws_lambda_powertools import Logger
from sqlalchemy.orm import Session

import shared.agents.nodes
import shared.artifacts.nodes
import shared.engine.nodes
import shared.mcp.nodes
import shared.memory.nodes
import shared.workflows.nodes  # noqa: F401  (with the lines above: registers every node type's executor)
from shared.agents import replies
from shared.config import settings
from shared.connections import analysis as connection_analysis
from shared.connections import chat as connection_chat
from shared.db import DURABLE_LATER, session_scope
from shared.email import service as email_service_module
from shared.engine import runner as engine
from shared.executions import lifecycle, tool_calls
from shared.executions.models import AgentExecution
from shared.mcp import checks as mcp_checks
from shared.queue import jobs, messages
from shared.tasks import planning, steps
from shared.workflows import service as workflow_service

logger = Logger(child=True)

REUSABLE_STATUSES = ("completed", "reused")
DONE_STATUSES = ("completed", "reused", "skipped")


class BatchJobs:
    """The queue jobs of one SQS batch: those its records name are marked running in one statement
    before the records are handled, and completed in one after (a record that fails is marked failed
    at once). Until then a finished record's job still says running; if the invocation dies first,
    SQS delivers the whole batch again and the jobs are completed then."""

    def __init__(self, deliveries: list[tuple[str | None, str, int]]) -> None:
        """`deliveries`: (job id attribute, message id, receive count) of each record."""
        # a record naming no job is tracked by handle_record, by its message id
        named = [(jobs.job_uuid(job_id), message_id, count) for job_id, message_id, count in deliveries]
        self.deliveries: list[tuple[uuid.UUID, str, int]] = [
            (job, message_id, count) for job, message_id, count in named if job is not None
        ]
        self.started: set[uuid.UUID] = set()
        self.results: list[tuple[uuid.UUID, dict[str, Any] | None]] = []

    def start(self) -> None:
        if self.deliveries:
            with session_scope() as session:
                self.started = jobs.received_together(session, self.deliveries)

    def running(self, job_id: str | None) -> uuid.UUID | None:
        """The job, when this batch already marked it running."""
        job = jobs.job_uuid(job_id)
        return job if job in self.started else None

    def finish(self) -> None:
        if self.results:
            with session_scope() as session:
                jobs.completed_together(session, self.results)


def handle_record(
    body: str,
    *,
    receive_count: int = 1,
    message_id: str = "",
    job_id: str | None = None,
    batch: BatchJobs | None = None,
) -> None:
    """One SQS record: its job is tracked around the message's work (with the rest of its `batch`);
    raising leaves the message on the queue for another delivery (after the last one, the DLQ)."""
    job = batch.running(job_id) if batch is not None else None
    if job is None:
        with session_scope() as session:
            job = jobs.received(
                session, job_id=job_id, message_id=message_id, body=body, receive_count=receive_count
            )
    try:
        result = handle_message(body, receive_count, job_id=job, durable_later=batch is not None)
    except Exception as exc:
        with session_scope() as session:
            jobs.failed(
                session,
                job,
                f"{type(exc).__name__}: {exc}",
                dead=receive_count >= settings.QUEUE_MAX_RECEIVES,
            )
        raise
    if batch is not None:
        batch.results.append((job, result))
        return
    with session_scope() as session:
        jobs.completed(session, job, result)


def handle_message(
    body: str, receive_count: int = 1, job_id: uuid.UUID | None = None, *, durable_later: bool = False
) -> dict[str, Any] | None:
    """Process one message and return what its job records; raising leaves it on the queue for another
    delivery, and the last one first fails what the message was about (never left pending).
    `durable_later`: the caller's ordinary commit after it (a batch's jobs) makes its result durable, so
    the result's commit does not wait for the disk (shared.db.commit_result)."""
    message = messages.parse(body)
    try:
        with session_scope() as session:
            session.info[DURABLE_LATER] = durable_later
            return process(session, message, job_id)
    except Exception as exc:
        if receive_count >= settings.QUEUE_MAX_RECEIVES:
            with session_scope() as session:
                give_up(
                    session,
                    message,
                    f"{lifecycle.GAVE_UP} {receive_count} deliveries: {type(exc).__name__}: {exc}",
                )
        raise


def process(
    session: Session, message: messages.AnyMessage, job_id: uuid.UUID | None = None
) -> dict[str, Any] | None:
    """The work of one message, on the caller's session."""
    if isinstance(message, messages.ChatReply):
        replies.finish_reply(session, message.message_id)
        return None
    if isinstance(message, messages.MailSend):
        return {"sent": email_service_module.email_service.deliver(session, message)}
    if isinstance(message, messages.McpCheck):
        return {
            "server_id": str(message.server_id),
            "health": mcp_checks.check_server(session, message.server_id),
        }
    if isinstance(message, messages.ConnectionAnalyze):
        status = connection_analysis.run(session, message.connection_id)
        return {"connection_id": str(message.connection_id), "status": status}
    if isinstance(message, messages.ConnectionChat):
        connection_chat.finish_pending(session, message.message_id)
        return None
    if isinstance(message, messages.TaskPlan):
        return {"task_id": str(message.task_id), "status": planning.plan_task(session, message.task_id)}
    if isinstance(message, messages.WorkflowScheduled):
        execution_id = lifecycle.create_scheduled(
            session=session, workflow_id=message.workflow_id, scheduled_at=message.scheduled_at
        )
        if execution_id is None:
            return None
    else:
        execution_id = message.execution_id
    status = run_execution(session=session, execution_id=execution_id, job_id=job_id)
    return {"execution_id": str(execution_id), "status": status}


def give_up(session: Session, message: messages.AnyMessage, reason: str) -> None:
    """The message goes to the dead-letter queue: what it was about must not stay pending or planning."""
    if isinstance(message, messages.TaskPlan):
        planning.give_up(session, message.task_id, reason)
        return
    if isinstance(message, messages.ExecutionRun):
        execution_id: uuid.UUID | None = message.execution_id
    elif isinstance(message, messages.WorkflowScheduled):
        execution_id = lifecycle.scheduled_execution(session, message.workflow_id, message.scheduled_at)
    else:
        return
    if execution_id is not None:
        lifecycle.give_up(session, execution_id, reason)
        steps.follow_execution(session, execution_id)


def run_execution(
    *,
    session: Session,
    execution_id: uuid.UUID,
    sleep: engine.Sleep = time.sleep,
    yield_at: float | None = None,
    job_id: uuid.UUID | None = None,
) -> str | None:
    """Claim and run one execution; returns its status (pending again when an in-process run reached
    `yield_at` and went to the worker, paused when its task's owner paused it), or None if it was not
    ours to run."""
    execution = lifecycle.claim(session, execution_id)
    if execution is None:
        logger.info(
            "execution not claimable (duplicate, cancelled, paused or finished)",
            extra={"execution_id": str(execution_id)},
        )
        return None
    try:
        request = run_request(session, execution, yield_at)
        progress = SavedProgress(session, execution, nodes=request.snapshot["graph_json"]["nodes"])
        progress.job_id = job_id
        outcome = engine.run_graph(session=session, request=request, progress=progress, sleep=sleep)
        progress.record(outcome.log, report_progress=False)  # its job completes next, at 100 %
    except Exception as exc:  # a bug or a lost database must not leave the execution running
        logger.exception("execution crashed", extra={"execution_id": str(execution_id)})
        status = lifecycle.crashed(session, execution_id, exc, started_at=execution.started_at).status
        steps.follow_execution(session, execution_id)
        return status
    if outcome.status == "yielded":
        lifecycle.hand_over(session, execution, outcome)
    elif outcome.status == "paused":
        lifecycle.pause(session, execution, outcome)
    else:
        lifecycle.finish(session, execution, outcome)
    steps.follow_execution(session, execution.id)
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
    over to the worker part-way (or paused), and the log of the failed execution a retry or resumption
    continues, except for nodes changed since (a retry on the latest version) and records that held a
    secret."""
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
    """The engine's Progress for one execution row: the log is committed when the engine asks, with the
    tool calls (and a task's step logs) of the entries new since, and the job's progress; the owner's
    cancel or pause is read from the row (the first time, from the row the claim returned)."""

    def __init__(
        self, session: Session, execution: AgentExecution, nodes: list[dict[str, Any]] | None = None
    ) -> None:
        self.session = session
        self.execution = execution
        self.nodes = {node["id"]: node for node in nodes or []}
        self.job_id: uuid.UUID | None = None
        self.recorded = 0
        # the claim has just read the row: the engine's first question is answered from it, once
        self.claimed_answer: list[str | None] = [lifecycle.stop_request_of(execution)]
        self.claim_committed = False  # see lifecycle.claim

    def save(self, log: list[dict[str, Any]]) -> None:
        self.record(log)
        lifecycle.save_progress(self.session, self.execution, log)
        self.claim_committed = True

    def record(self, log: list[dict[str, Any]], *, report_progress: bool = True) -> None:
        """Record what the entries since the last call did, and how far the job is (the caller
        commits)."""
        entries, self.recorded = log[self.recorded :], len(log)
        tool_calls.record(self.session, self.execution, entries, self.nodes)
        if self.execution.task_id is not None:
            steps.record(self.session, self.execution.task_id, entries)
        if report_progress and self.job_id is not None and self.nodes:
            done = {entry["node_id"] for entry in log if entry.get("status") in DONE_STATUSES}
            jobs.set_progress(self.session, self.job_id, 100 * len(done) // len(self.nodes))

    def stop_requested(self) -> str | None:
        if self.claimed_answer:
            return self.claimed_answer.pop()
        if not self.claim_committed:  # or the owner's request would wait for the claim's row lock
            lifecycle.commit_claim(self.session)
            self.claim_committed = True
        return lifecycle.stop_requested(self.session, self.execution.id)
