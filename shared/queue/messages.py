"""The queue contract (architecture §4): every message type our queues carry, built and parsed here.

A message is JSON with a `type` that picks its model (a discriminated union). New message types of
later domains are added to `QueueMessage`, and nowhere else."""

import json
import uuid
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

# Filled in by EventBridge Scheduler at each fire with the intended (not the actual) time.
SCHEDULED_TIME_PLACEHOLDER = "<aws.scheduler.scheduled-time>"


class MalformedMessage(ValueError):
    """A body that is not one of the message types; retrying cannot help, the DLQ keeps it."""


class ExecutionRun(BaseModel):
    """Run a pending execution; the API or a webhook created its row first."""

    model_config = ConfigDict(frozen=True)
    type: Literal["execution.run"] = "execution.run"
    execution_id: uuid.UUID


class WorkflowScheduled(BaseModel):
    """A schedule fired (sent by EventBridge Scheduler); the worker creates the execution, once per
    (workflow, scheduled_at)."""

    model_config = ConfigDict(frozen=True)
    type: Literal["workflow.scheduled"] = "workflow.scheduled"
    workflow_id: uuid.UUID
    scheduled_at: AwareDatetime


class ChatReply(BaseModel):
    """Finish a pending assistant message of a chat with an agent (the request's time ran out)."""

    model_config = ConfigDict(frozen=True)
    type: Literal["chat.reply"] = "chat.reply"
    message_id: uuid.UUID


class McpCheck(BaseModel):
    """Connect to a user's MCP server, list its tools and record them with its health."""

    model_config = ConfigDict(frozen=True)
    type: Literal["mcp.check"] = "mcp.check"
    server_id: uuid.UUID


class ConnectionAnalyze(BaseModel):
    """Analyse a pending database connection (shared.connections.analysis)."""

    model_config = ConfigDict(frozen=True)
    type: Literal["connection.analyze"] = "connection.analyze"
    connection_id: uuid.UUID


class ConnectionChat(BaseModel):
    """Finish a pending answer of a database chat (the request's time ran out)."""

    model_config = ConfigDict(frozen=True)
    type: Literal["connection.chat"] = "connection.chat"
    message_id: uuid.UUID


class TaskPlan(BaseModel):
    """Plan a task with the model (then start its run, if it is to start at once)."""

    model_config = ConfigDict(frozen=True)
    type: Literal["task.plan"] = "task.plan"
    task_id: uuid.UUID


MailValue = str | int | float | bool | None


class MailSend(BaseModel):
    """Render one transactional mail from its template and send it through SES; retried by the queue."""

    model_config = ConfigDict(frozen=True)
    type: Literal["mail.send"] = "mail.send"
    to: str = Field(min_length=3, max_length=320)
    subject: str = Field(min_length=1, max_length=998)
    template: str = Field(pattern=r"^[a-z_]{1,64}$")
    context: dict[str, MailValue] = Field(default_factory=dict)


AnyMessage = (
    ExecutionRun
    | WorkflowScheduled
    | ChatReply
    | McpCheck
    | ConnectionAnalyze
    | ConnectionChat
    | TaskPlan
    | MailSend
)
QueueMessage = Annotated[AnyMessage, Field(discriminator="type")]
_queue_message: TypeAdapter[AnyMessage] = TypeAdapter(QueueMessage)


def parse(body: str) -> AnyMessage:
    """The message of an SQS body; MalformedMessage names what is wrong (never the body)."""
    try:
        return _queue_message.validate_json(body)
    except ValidationError as exc:
        where = "; ".join(
            f"{'.'.join(str(part) for part in error['loc']) or 'body'}: {error['msg']}"
            for error in exc.errors()
        )
        raise MalformedMessage(f"not a queue message ({where})") from None


def body_of(message: AnyMessage) -> str:
    return message.model_dump_json()


REDACTED = "[redacted]"


def redacted(message: AnyMessage) -> dict[str, Any]:
    """What a tracked job shows of its message: a mail's template values (links with one-time tokens)
    are left out; ids are not secrets."""
    data = message.model_dump(mode="json")
    if isinstance(message, MailSend):
        data["context"] = dict.fromkeys(message.context, REDACTED)
    return data


def reference_of(message: AnyMessage) -> str:
    """What the message is about, as `kind:id` (or the mail's template)."""
    if isinstance(message, ExecutionRun):
        return f"execution:{message.execution_id}"
    if isinstance(message, WorkflowScheduled):
        return f"workflow:{message.workflow_id}"
    if isinstance(message, ChatReply):
        return f"message:{message.message_id}"
    if isinstance(message, TaskPlan):
        return f"task:{message.task_id}"
    if isinstance(message, McpCheck):
        return f"mcp_server:{message.server_id}"
    if isinstance(message, ConnectionAnalyze):
        return f"connection:{message.connection_id}"
    if isinstance(message, ConnectionChat):
        return f"connection_message:{message.message_id}"
    return f"mail:{message.template}"


def scheduled_fire_template(workflow_id: uuid.UUID) -> str:
    """The body EventBridge Scheduler sends at each fire of a workflow's schedule: a WorkflowScheduled
    whose `scheduled_at` the scheduler fills in."""
    return json.dumps(
        {
            "type": "workflow.scheduled",
            "workflow_id": str(workflow_id),
            "scheduled_at": SCHEDULED_TIME_PLACEHOLDER,
        }
    )
