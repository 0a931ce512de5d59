"""The tools ainav's own MCP endpoint offers a caller, and what calling each does (synchronous, with the
request's session; `shared.mcp.endpoint` speaks the protocol around it):

- `search_ai_tools`, `get_ai_tool`, `recommend_ai_tools`: the catalog's hybrid search, a tool with its
  skills, the caller's recommendations. Read-only (`readOnlyHint`).
- one tool per workflow the caller owns and marked `mcp_enabled`, named after its slug, taking its
  `input_schema`: a call runs the workflow in-process for up to MCP_TOOL_TIMEOUT_SECONDS and answers its
  output, or the execution id to poll when the run goes on in the worker."""

import hashlib
import json
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.catalog import service as catalog_service
from shared.catalog.schemas import SearchHit
from shared.config import settings
from shared.errors import DomainError, InvalidInputError, NotFoundError
from shared.interactions import service as interaction_service
from shared.interactions.schemas import Recommendation
from shared.json_schema import check_instance
from shared.users.models import User
from shared.workflows.models import AgentWorkflow

MAX_TOOL_NAME = 64  # what the models behind most MCP clients accept for a function name
MAX_TEXT_ITEMS = 20


class UnknownTool(InvalidInputError):
    """No tool of this name is offered to the caller (a JSON-RPC error, not a tool result)."""


class BadArguments(InvalidInputError):
    """The arguments do not satisfy the tool's input schema (a JSON-RPC error, not a tool result)."""


@dataclass(frozen=True)
class ServedTool:
    name: str
    title: str
    description: str
    input_schema: dict[str, Any]
    read_only: bool
    workflow_id: uuid.UUID | None = None


@dataclass(frozen=True)
class Answer:
    """A tool's result: text for the model, structured content, whether the tool failed."""

    text: str
    structured: dict[str, Any] = field(default_factory=dict)
    is_error: bool = False


LIMIT = {"type": "integer", "minimum": 1, "maximum": MAX_TEXT_ITEMS, "default": 5}
CATALOG_TOOLS = (
    ServedTool(
        name="search_ai_tools",
        title="Search AI tools",
        description="Searches ainav's catalog of AI tools by keywords and by meaning (English or 中文); "
        "answers the best matches with their slug, description, pricing and URL.",
        input_schema={
            "type": "object",
            "properties": {
                "query": {"type": "string", "minLength": 1, "maxLength": 200, "description": "what to find"},
                "limit": {**LIMIT, "description": "how many tools"},
            },
            "required": ["query"],
            "additionalProperties": False,
        },
        read_only=True,
    ),
    ServedTool(
        name="get_ai_tool",
        title="Get an AI tool",
        description="One AI tool of ainav's catalog by its slug, with its category, scenarios and skills.",
        input_schema={
            "type": "object",
            "properties": {
                "slug": {"type": "string", "minLength": 1, "maxLength": 100, "description": "e.g. chatgpt"}
            },
            "required": ["slug"],
            "additionalProperties": False,
        },
        read_only=True,
    ),
    ServedTool(
        name="recommend_ai_tools",
        title="Recommend AI tools",
        description="AI tools recommended to you from what you viewed, liked, used and bookmarked on "
        "ainav (popular ones while it knows little of you), each with its reason.",
        input_schema={
            "type": "object",
            "properties": {"limit": {**LIMIT, "description": "how many tools"}},
            "additionalProperties": False,
        },
        read_only=True,
    ),
)
CATALOG_BY_NAME = {tool.name: tool for tool in CATALOG_TOOLS}


def workflow_tool_name(slug: str) -> str:
    """The slug itself, or, past MAX_TOOL_NAME characters, its start and a hash of the whole."""
    if len(slug) <= MAX_TOOL_NAME:
        return slug
    digest = hashlib.sha256(slug.encode()).hexdigest()[:8]
    return f"{slug[: MAX_TOOL_NAME - 9].rstrip('-')}-{digest}"


def _object_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """A tool's input schema must be an object schema; a workflow's input always is an object."""
    if schema.get("type") == "object":
        return schema
    if "type" not in schema:
        return {"type": "object", **schema}
    return {"type": "object"}


def _workflow_tool(workflow: AgentWorkflow) -> ServedTool:
    return ServedTool(
        name=workflow_tool_name(workflow.slug),
        title=workflow.name,
        description=(workflow.description or f"Runs the workflow {workflow.name!r} and answers its output")[
            :2000
        ],
        input_schema=_object_schema(workflow.input_schema or {}),
        read_only=False,
        workflow_id=workflow.id,
    )


def _mcp_workflows(session: Session, user: User) -> list[AgentWorkflow]:
    return list(
        session.scalars(
            select(AgentWorkflow)
            .where(AgentWorkflow.user_id == user.id, AgentWorkflow.mcp_enabled)
            .order_by(AgentWorkflow.slug)
        )
    )


def tools_for(session: Session, user: User) -> list[ServedTool]:
    """What the caller is offered: the catalog tools, then their MCP-enabled workflows."""
    return [*CATALOG_TOOLS, *(_workflow_tool(workflow) for workflow in _mcp_workflows(session, user))]


def _find(session: Session, user: User, name: str) -> tuple[ServedTool, AgentWorkflow | None]:
    if name in CATALOG_BY_NAME:
        return CATALOG_BY_NAME[name], None
    workflow = session.scalar(
        select(AgentWorkflow).where(
            AgentWorkflow.user_id == user.id, AgentWorkflow.mcp_enabled, AgentWorkflow.slug == name
        )
    )
    if workflow is None and len(name) <= MAX_TOOL_NAME:  # perhaps a long slug's shortened name
        workflow = next(
            (w for w in _mcp_workflows(session, user) if workflow_tool_name(w.slug) == name), None
        )
    if workflow is None:
        raise UnknownTool(f"Unknown tool: {name[:100]}")
    return _workflow_tool(workflow), workflow


def call(session: Session, user: User, name: str, arguments: dict[str, Any]) -> Answer:
    """Call one of the caller's tools. UnknownTool and BadArguments are the caller's mistakes (JSON-RPC
    errors); whatever fails inside a tool is its result, marked as an error."""
    tool, workflow = _find(session, user, name)
    if _has_nul(arguments):
        raise BadArguments("arguments: text must not contain NUL characters")
    try:
        check_instance(workflow.input_schema if workflow else tool.input_schema, arguments, label="arguments")
    except InvalidInputError as exc:
        raise BadArguments(exc.message) from None
    try:
        if workflow is not None:
            return run_workflow(session, user, workflow, arguments)
        if name == "search_ai_tools":
            return search(session, arguments["query"], arguments.get("limit", 5))
        if name == "get_ai_tool":
            return get_tool(session, arguments["slug"])
        return recommend(session, user, arguments.get("limit", 5))
    except DomainError as exc:
        return Answer(exc.message, {"error": exc.message}, is_error=True)


def _has_nul(value: Any) -> bool:
    """PostgreSQL stores no NUL character in text or JSON: such arguments are refused up front."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(key) or _has_nul(item) for key, item in value.items())
    if isinstance(value, list):
        return any(_has_nul(item) for item in value)
    return False


def _lines(items: list[dict[str, Any]], extra: str | None = None) -> str:
    lines = []
    for n, item in enumerate(items, 1):
        line = f"{n}. {item['name']} ({item['slug']})"
        if item.get("description"):
            line += f" — {item['description'][:200]}"
        if extra and item.get(extra):
            line += f" [{item[extra]}]"
        lines.append(f"{line} {item.get('url') or ''}".rstrip())
    return "\n".join(lines) or "Nothing found."


def search(session: Session, query: str, limit: int) -> Answer:
    if not query.strip():
        raise BadArguments("arguments.query: must not be blank")
    hits = catalog_service.search_tools(session=session, query=query, limit=limit)
    items = [SearchHit(**fields, score=round(score, 6)).model_dump(mode="json") for fields, score in hits]
    return Answer(_lines(items), {"items": items})


def get_tool(session: Session, slug: str) -> Answer:
    try:
        tool = catalog_service.get_tool(session=session, slug=slug)
    except NotFoundError:
        message = f"No AI tool has the slug {slug[:100]!r}; search_ai_tools finds slugs"
        return Answer(message, {"error": message}, is_error=True)
    detail = catalog_service.tool_detail(tool).model_dump(mode="json")
    skills = ", ".join(skill["slug"] for skill in detail["skills"]) or "none"
    text = f"{_lines([detail])}\nPricing: {detail.get('pricing_type') or 'unknown'}. API skills: {skills}."
    return Answer(text, detail)


def recommend(session: Session, user: User, limit: int) -> Answer:
    ranked = interaction_service.recommend(session=session, user=user, limit=limit)
    items = [
        Recommendation(**catalog_service.tool_public(tool, score=score, reason=reason)).model_dump(
            mode="json"
        )
        for tool, score, reason in ranked
    ]
    return Answer(_lines(items, extra="reason"), {"items": items})


def run_workflow(session: Session, user: User, workflow: AgentWorkflow, arguments: dict[str, Any]) -> Answer:
    """Run the workflow as one of the caller's executions (trigger `mcp`: logged, metered, charged like
    any run) in this request, up to MCP_TOOL_TIMEOUT_SECONDS; a longer run goes on in the worker."""
    # The worker registers every node type's executor: imported when a workflow first runs here.
    from shared.executions import lifecycle, worker

    execution = lifecycle.admit(
        session,
        lifecycle.new_execution(
            workflow_id=workflow.id,
            user_id=user.id,
            workflow_version=workflow.version,
            input_data=arguments,
            trigger_type="mcp",
        ),
    )
    worker.run_execution(
        session=session,
        execution_id=execution.id,
        yield_at=time.monotonic() + settings.MCP_TOOL_TIMEOUT_SECONDS,
    )
    session.refresh(execution)
    state = {"execution_id": str(execution.id), "status": str(execution.status)}
    if execution.status == "completed":
        output = execution.output_data or {}
        return Answer(json.dumps(output, ensure_ascii=False, default=str), {**state, "output": output})
    if execution.status in ("failed", "cancelled"):
        message = f"The run {execution.id} {execution.status}: {execution.error_message or ''}".strip()
        return Answer(message, {**state, "error": execution.error_message}, is_error=True)
    poll = f"/v1/executions/{execution.id}"
    text = (
        f"The run takes longer than {settings.MCP_TOOL_TIMEOUT_SECONDS:g}s and goes on in the background; "
        f"its output will be at GET {poll}"
    )
    return Answer(text, {**state, "poll": poll})
