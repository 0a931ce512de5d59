"""An agent's tools: checked when the agent is saved, offered to the model as function tools with valid
names and their JSON Schema parameters, and run when the model asks — a workflow of the owner's (run
in-process as an execution), a catalog skill, a search of a workflow's memory, or the tools of one of
the owner's MCP servers. A tool that fails answers the model with its error; the conversation goes on."""

import json
import re
import time
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared import outbound
from shared.catalog import skill_calls
from shared.catalog.models import Skill
from shared.config import settings
from shared.errors import DomainError, InvalidInputError
from shared.executions import nested
from shared.json_schema import check_instance
from shared.mcp import client as mcp_client
from shared.mcp import service as mcp_service
from shared.memory import service as memory_service
from shared.workflows.models import AgentWorkflow

MAX_TOOL_NAME = 64
EMPTY_OBJECT_SCHEMA = {"type": "object", "properties": {}}
MEMORY_PARAMETERS = {
    "type": "object",
    "properties": {
        "query": {"type": "string", "description": "what to look for, in a few words or a question"},
        "k": {"type": "integer", "minimum": 1, "maximum": 20, "description": "how many results"},
    },
    "required": ["query"],
}


@dataclass(frozen=True)
class Tool:
    name: str
    description: str
    parameters: dict[str, Any]
    spec: dict[str, Any]  # what the agent stores: {"type": ..., "workflow_id" | "skill_id": ...}

    def function(self) -> dict[str, Any]:
        """The OpenAI function tool the model is offered."""
        return {
            "type": "function",
            "function": {"name": self.name, "description": self.description, "parameters": self.parameters},
        }


@dataclass(frozen=True)
class ToolResult:
    ok: bool
    output: Any  # what goes back to the model (and into the record)
    duration_ms: float


def tool_name(prefix: str, label: str, taken: set[str]) -> str:
    """`prefix_label` reduced to `^[a-zA-Z0-9_-]{1,64}$`, unique among `taken`."""
    base = re.sub(r"[^a-zA-Z0-9_-]+", "_", f"{prefix}_{label}").strip("_")[:MAX_TOOL_NAME] or prefix
    name, n = base, 2
    while name in taken:
        suffix = f"_{n}"
        name, n = base[: MAX_TOOL_NAME - len(suffix)] + suffix, n + 1
    taken.add(name)
    return name


def _owned_workflow(
    session: Session, owner_id: uuid.UUID, workflow_id: uuid.UUID | str
) -> AgentWorkflow | None:
    return session.scalar(
        select(AgentWorkflow).where(AgentWorkflow.id == workflow_id, AgentWorkflow.user_id == owner_id)
    )


def _check_mcp(session: Session, owner_id: uuid.UUID, index: int, spec: dict[str, Any]) -> None:
    """One of the owner's MCP servers that can run here; when its tools are known, offering `tool`."""
    server = mcp_service.owned_server(session, owner_id, spec["server_id"])
    if server is None:
        raise InvalidInputError(f"tools[{index}].server_id: no such MCP server of yours")
    problem = mcp_service.tool_problem(server, spec.get("tool"))
    if problem is not None:
        field = "tool" if server.transport != "stdio" else "server_id"
        raise InvalidInputError(f"tools[{index}].{field}: {problem}")


def check_tools(session: Session, *, owner_id: uuid.UUID, tools: list[Any]) -> list[dict[str, Any]]:
    """The tools as stored, each target checked: a workflow or an MCP server of the owner's, an active
    skill (422 naming the tool otherwise)."""
    stored = []
    for index, tool in enumerate(tools):
        spec = tool.model_dump(mode="json", exclude_none=True)
        if spec["type"] == "mcp":
            _check_mcp(session, owner_id, index, spec)
        if (
            spec["type"] in ("workflow", "memory")
            and _owned_workflow(session, owner_id, spec["workflow_id"]) is None
        ):
            raise InvalidInputError(f"tools[{index}].workflow_id: no such workflow of yours")
        if (
            spec["type"] == "skill"
            and session.scalar(select(Skill.id).where(Skill.id == spec["skill_id"], Skill.is_active)) is None
        ):
            raise InvalidInputError(f"tools[{index}].skill_id: no such active skill")
        stored.append(spec)
    return stored


def resolve(
    session: Session, *, owner_id: uuid.UUID, specs: list[dict[str, Any]], owner_only: bool
) -> list[Tool]:
    """The tools the model is offered. Tools that reach the owner's workflows, memory and MCP servers (with
    the owner's credentials) are left out when `owner_only` (someone else's chat with a published agent:
    only skills); a target deleted since, or an MCP server disabled or unhealthy, is left out."""
    tools: list[Tool] = []
    taken: set[str] = set()
    for spec in specs:
        if spec["type"] == "skill":
            skill = session.scalar(select(Skill).where(Skill.id == spec["skill_id"], Skill.is_active))
            if skill is not None:
                tools.append(
                    Tool(
                        tool_name("skill", skill.slug, taken),
                        (skill.description or skill.name)[:1000],
                        skill.input_schema or EMPTY_OBJECT_SCHEMA,
                        spec,
                    )
                )
            continue
        if owner_only:
            continue
        if spec["type"] == "mcp":
            tools += _mcp_tools(session, owner_id, spec, taken)
            continue
        workflow = _owned_workflow(session, owner_id, spec["workflow_id"])
        if workflow is None:
            continue
        if spec["type"] == "workflow":
            description = (workflow.description or f"Runs the workflow {workflow.name!r}")[:1000]
            parameters = workflow.input_schema or EMPTY_OBJECT_SCHEMA
            tools.append(Tool(tool_name("workflow", workflow.slug, taken), description, parameters, spec))
        else:
            description = f"Searches the memory of the workflow {workflow.name!r} for what matches a query"
            tools.append(
                Tool(tool_name("memory", workflow.slug, taken), description, MEMORY_PARAMETERS, spec)
            )
    return tools


def _object_schema(schema: Any) -> dict[str, Any]:
    """Function parameters are an object schema; a remote tool's schema that is not one takes any object."""
    if isinstance(schema, dict) and schema.get("type") == "object":
        return schema
    return dict(EMPTY_OBJECT_SCHEMA)


def _mcp_tools(session: Session, owner_id: uuid.UUID, spec: dict[str, Any], taken: set[str]) -> list[Tool]:
    """The named tool of the server, or every tool its last check listed, as `mcp_<server>_<tool>`."""
    server = mcp_service.owned_server(session, owner_id, spec["server_id"])
    if server is None or mcp_service.unusable(server) is not None:
        return []
    if spec.get("tool"):
        listed = mcp_service.tool_of(server, spec["tool"])
        if server.tools is not None and listed is None:
            return []  # the server no longer offers it
        offered = [listed or {"name": spec["tool"], "inputSchema": EMPTY_OBJECT_SCHEMA}]
    else:
        offered = server.tools or []
    return [
        Tool(
            tool_name("mcp", f"{server.name}_{listed['name']}", taken),
            f"{listed.get('description') or listed['name']} (MCP server {server.name!r})"[:1000],
            _object_schema(listed.get("inputSchema")),
            {"type": "mcp", "server_id": str(server.id), "tool": listed["name"]},
        )
        for listed in offered
    ]


def run(session: Session, tool: Tool, arguments: dict[str, Any] | None, *, owner_id: uuid.UUID) -> ToolResult:
    """Run one tool call; whatever goes wrong is the model's to read, never the caller's exception."""
    started = time.monotonic()
    try:
        if arguments is None:
            raise InvalidInputError("the arguments are not a JSON object")
        check_instance(tool.parameters, arguments, label="arguments")
        output = _run(session, tool, arguments, owner_id)
    except (DomainError, outbound.OutboundError) as exc:
        return ToolResult(False, {"error": getattr(exc, "message", None) or str(exc)}, _since(started))
    return ToolResult(True, output, _since(started))


def _since(started: float) -> float:
    return round((time.monotonic() - started) * 1000, 3)


def _run(session: Session, tool: Tool, arguments: dict[str, Any], owner_id: uuid.UUID) -> Any:
    timeout = settings.AGENT_TOOL_TIMEOUT_SECONDS
    if tool.spec["type"] == "skill":
        call = skill_calls.call_skill(session, tool.spec["skill_id"], arguments, timeout=timeout)
        return {"status": call.response.status, "body": call.response.body}
    if tool.spec["type"] == "memory":
        hits = memory_service.search(
            session=session,
            workflow_id=tool.spec["workflow_id"],
            query=arguments["query"],
            k=arguments.get("k", 5),
        )
        return {"results": [{"content": hit.content, "score": round(hit.score, 4)} for hit in hits]}
    if tool.spec["type"] == "mcp":
        return _call_mcp(
            session, tool.spec, arguments, owner_id, min(timeout, settings.MCP_CALL_TIMEOUT_SECONDS)
        )
    return _run_workflow(session, uuid.UUID(str(tool.spec["workflow_id"])), arguments, owner_id)


def _call_mcp(
    session: Session, spec: dict[str, Any], arguments: dict[str, Any], owner_id: uuid.UUID, timeout: float
) -> Any:
    """The tool's result `{text, content, is_error, structured?}`, with the server's headers sent."""
    server = mcp_service.owned_server(session, owner_id, spec["server_id"])
    if server is None:
        raise InvalidInputError("the MCP server of this tool no longer exists")
    problem = mcp_service.unusable(server)
    if problem is not None:
        raise InvalidInputError(problem)
    return mcp_client.call_tool(
        mcp_service.target_of(server), spec["tool"], arguments, timeout=timeout
    ).output()


def _run_workflow(
    session: Session, workflow_id: uuid.UUID, arguments: dict[str, Any], owner_id: uuid.UUID
) -> Any:
    """The workflow runs in-process as one of its owner's executions (trigger `agent`)."""
    execution = nested.run_workflow(
        session, workflow_id=workflow_id, owner_id=owner_id, input_data=arguments, trigger_type="agent"
    )
    return {"execution_id": str(execution.id), "output": execution.output_data}


def result_text(result: ToolResult) -> str:
    """A tool's result as the tool message the model reads, cut at AGENT_TOOL_RESULT_MAX_CHARS."""
    text = json.dumps(result.output, ensure_ascii=False, default=str)
    limit = settings.AGENT_TOOL_RESULT_MAX_CHARS
    return text if len(text) <= limit else text[:limit] + f"… [cut at {limit} characters]"
