"""What a task's plan may use, for one user: the catalog's active skills that can be called (an endpoint,
and the credential their auth needs), the user's own workflows (not those compiled from tasks), the
MCP tools when the `mcp` node type exists, and the built-in node types."""

import json
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.catalog.models import Skill
from shared.config import settings
from shared.tasks.models import Task
from shared.workflows.graph import NODE_TYPES
from shared.workflows.models import AgentWorkflow

MAX_WORKFLOWS = 50
MAX_DESCRIPTION = 300
# The built-in node types a step may be, each with its data and output, as the planner is told.
BUILT_IN_STEPS = {
    "llm": ('{"prompt": template, "system_prompt"?: template}', "{text}"),
    "template": ('{"template": template}', "{text}"),
    "http": (
        '{"url": template, "method"?: "GET", "headers"?: {name: template}, "body"?: template or object, '
        '"save_as_artifact"?: file name}',
        "{status, headers, body}",
    ),
    "artifact": (
        '{"name": file name, "content": template, "mime_type"?: str}',
        "{id, name, size, mime_type}",
    ),
    "email": ('{"subject": template, "body": template} (mails the task owner)', "{sent}"),
}
CATALOG_STEPS = {
    "skill": (
        '{"skill_id": id from the list, "params": {name: template}, "save_as_artifact"?: file name}',
        "{status, body}",
    ),
    "workflow": ('{"workflow_id": id from the list, "input": {name: template}}', "{execution_id, output}"),
    "mcp": ('{"server_id", "tool", "arguments": {name: template}}', "{text, content, is_error}"),
}


@dataclass(frozen=True)
class Toolbox:
    skills: dict[uuid.UUID, Skill]
    workflows: dict[uuid.UUID, AgentWorkflow]
    step_types: tuple[str, ...]

    def describe(self) -> str:
        """The step types, skills and workflows, as the planner's prompt lists them."""
        lines = ["Step types (data → output):"]
        for kind in self.step_types:
            data, output = {**BUILT_IN_STEPS, **CATALOG_STEPS}[kind]
            lines.append(f"- {kind}: {data} → {output}")
        if self.skills:
            lines.append("Skills (for skill steps):")
            lines += [
                f"- {skill.id}: {skill.name}: {(skill.description or '')[:MAX_DESCRIPTION]} params schema "
                f"{json.dumps(skill.input_schema or {}, ensure_ascii=False)}"
                for skill in self.skills.values()
            ]
        if self.workflows:
            lines.append("The user's workflows (for workflow steps):")
            lines += [
                f"- {workflow.id}: {workflow.name}: {(workflow.description or '')[:MAX_DESCRIPTION]} input "
                f"schema {json.dumps(workflow.input_schema or {}, ensure_ascii=False)}"
                for workflow in self.workflows.values()
            ]
        return "\n".join(lines)


def callable_skill(skill: Skill) -> bool:
    """A skill the run could call now: it has an endpoint and the credential its auth names is set."""
    if not skill.api_endpoint:
        return False
    if skill.auth_type in ("none", "", None):
        return True
    return bool(settings.SKILL_CREDENTIALS.get((skill.auth_config or {}).get("env_var") or ""))


def toolbox_for(session: Session, user_id: uuid.UUID) -> Toolbox:
    skills = [
        skill
        for skill in session.scalars(
            select(Skill)
            .where(Skill.is_active, Skill.api_endpoint.is_not(None))
            .order_by(Skill.usage_count.desc(), Skill.name)
            .limit(settings.TASK_PLAN_MAX_SKILLS * 2)
        )
        if callable_skill(skill)
    ][: settings.TASK_PLAN_MAX_SKILLS]
    compiled_from_tasks = select(Task.workflow_id).where(Task.workflow_id.is_not(None))
    workflows = session.scalars(
        select(AgentWorkflow)
        .where(AgentWorkflow.user_id == user_id, AgentWorkflow.id.not_in(compiled_from_tasks))
        .order_by(AgentWorkflow.updated_at.desc())
        .limit(MAX_WORKFLOWS)
    ).all()
    step_types = [*BUILT_IN_STEPS]
    step_types += ["skill"] if skills else []
    step_types += ["workflow"] if workflows else []
    step_types += ["mcp"] if "mcp" in NODE_TYPES else []
    return Toolbox(
        skills={skill.id: skill for skill in skills},
        workflows={workflow.id: workflow for workflow in workflows},
        step_types=tuple(step_types),
    )


def required_names(schema: dict[str, Any]) -> list[str]:
    required = schema.get("required") if isinstance(schema, dict) else None
    return [name for name in required or [] if isinstance(name, str)]
