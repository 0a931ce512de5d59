"""The `artifact` node of workflow graphs, `{"name", "content", "mime_type"?}` → `{"id", "name", "size",
"mime_type"}`, and the `save_as_artifact` of http and skill nodes: files a run makes, in the artifacts
bucket."""

import json
from typing import Any

from sqlalchemy.orm import Session

from shared.artifacts import service as artifact_service
from shared.artifacts.storage import StorageError
from shared.engine.context import RunContext
from shared.engine.errors import NodeError, RetryableNodeError
from shared.engine.registry import executor
from shared.errors import DomainError
from shared.executions.models import AgentExecution

TEXT = "text/plain; charset=utf-8"
JSON = "application/json"


def save_for_run(
    session: Session, ctx: RunContext, *, name: str, content: bytes, mime_type: str | None
) -> dict[str, Any]:
    """Store one artifact of the running node; a failure is the node's (S3 trouble is worth a retry)."""
    execution = session.get(AgentExecution, ctx.execution_id)
    try:
        artifact = artifact_service.store(
            session,
            execution_id=ctx.execution_id,
            user_id=ctx.owner_id,
            task_id=execution.task_id if execution is not None else None,
            node_id=ctx.node_id,
            name=name,
            content=content,
            mime_type=mime_type,
        )
    except DomainError as exc:
        raise NodeError(exc.message) from None
    except StorageError as exc:
        raise RetryableNodeError(str(exc)) from None
    return artifact_service.summary(artifact)


def body_as_file(body: Any, content_type: str | None) -> tuple[bytes, str]:
    """A response body as the bytes of a file and their MIME type: text as is, JSON as JSON."""
    if isinstance(body, str):
        return body.encode("utf-8"), content_type or TEXT
    return json.dumps(body, ensure_ascii=False, indent=2).encode("utf-8"), JSON


def save_response(
    session: Session, ctx: RunContext, data: dict[str, Any], body: Any, content_type: str | None
) -> dict[str, Any] | None:
    """An http or skill node's `save_as_artifact`: the response body as a file of that name."""
    if not data.get("save_as_artifact"):
        return None
    name = ctx.render(data["save_as_artifact"], "data.save_as_artifact")
    content, mime_type = body_as_file(body, content_type)
    return save_for_run(session, ctx, name=name, content=content, mime_type=mime_type)


@executor("artifact")
def run_artifact(data: dict[str, Any], ctx: RunContext, session: Session, timeout: float) -> tuple[dict, Any]:
    """Render the content and keep it as a file of the run (MAX_ARTIFACT_BYTES at most)."""
    name = ctx.render(data["name"], "data.name")
    content = ctx.render(data["content"], "data.content").encode("utf-8")
    mime_type = data.get("mime_type") or artifact_service.mime_type_for(name, None, default=TEXT)
    output = save_for_run(session, ctx, name=name, content=content, mime_type=mime_type)
    return {"name": name, "mime_type": mime_type, "size": len(content)}, output
