"""A task's plan: the model's JSON checked against the toolbox (only its step types, skills and
workflows, with their schemas' required names), then compiled into a workflow graph, one node
`step_<n>` per step in a chain `input → step_1 → … → output`, and checked as any graph is."""

import itertools
import json
import re
import uuid
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from shared.config import settings
from shared.errors import InvalidInputError
from shared.tasks.steps import node_id
from shared.tasks.toolbox import Toolbox, required_names
from shared.workflows.graph import validate_graph

STEP_SPACING = 120
SECRETS = re.compile(r"\bsecrets\b")
# The output of a plan without a `result`: the last step's, by its type.
DEFAULT_RESULT = {
    "llm": "{{{{ nodes.{step}.text }}}}",
    "template": "{{{{ nodes.{step}.text }}}}",
    "artifact": "{{{{ nodes.{step}.name }}}}",
    "email": "{{{{ nodes.{step}.sent }}}}",
    "workflow": "{{{{ nodes.{step}.output | tojson }}}}",
    "mcp": "{{{{ nodes.{step}.text }}}}",
}
BODY_RESULT = "{{{{ nodes.{step}.body if nodes.{step}.body is string else nodes.{step}.body | tojson }}}}"
INPUT_SCHEMA = {"type": "object", "properties": {"intent": {"type": "string"}}, "required": ["intent"]}


class PlanRejected(Exception):
    """The model's plan cannot be used; the message says why, for the model's second try and the log."""


class PlanStep(BaseModel):
    model_config = ConfigDict(extra="ignore")

    title: str = Field(min_length=1, max_length=200)
    type: str = Field(min_length=1, max_length=50)
    data: dict[str, Any] = Field(default_factory=dict)


class Plan(BaseModel):
    model_config = ConfigDict(extra="ignore")

    steps: list[PlanStep] = Field(min_length=1)
    result: str | None = Field(None, max_length=10_000)


def parse(text: str | None, toolbox: Toolbox) -> tuple[dict[str, Any], dict[str, Any]]:
    """The plan as stored and its graph; PlanRejected names the first problem."""
    try:
        plan = Plan.model_validate(json.loads(text or ""))
    except (ValueError, ValidationError) as exc:
        raise PlanRejected(f"the answer is not a plan of the asked JSON form ({_first_error(exc)})") from None
    if len(plan.steps) > settings.TASK_PLAN_MAX_STEPS:
        raise PlanRejected(f"the plan has {len(plan.steps)} steps; at most {settings.TASK_PLAN_MAX_STEPS}")
    for number, step in enumerate(plan.steps, start=1):
        _check_step(number, step, toolbox)
    if plan.result and SECRETS.search(plan.result):
        raise PlanRejected("the result's template may not read secrets")
    graph = compile_graph(plan)
    try:
        validate_graph(graph)
    except InvalidInputError as exc:
        raise PlanRejected(exc.message) from None
    return plan.model_dump(mode="json"), graph


def _first_error(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        error = exc.errors()[0]
        return f"{'.'.join(str(part) for part in error['loc']) or 'plan'}: {error['msg']}"
    return "not JSON"


def _check_step(number: int, step: PlanStep, toolbox: Toolbox) -> None:
    where = f"step {number} ({step.type})"
    if step.type not in toolbox.step_types:
        raise PlanRejected(
            f"{where}: not a step type you may use; use one of {', '.join(toolbox.step_types)}"
        )
    if SECRETS.search(json.dumps(step.data)):
        # model output is untrusted: a plan never decides where the owner's secrets go
        raise PlanRejected(f"{where}: a plan's templates may not read secrets")
    if step.type == "skill":
        skill = toolbox.skills.get(_uuid(step.data.get("skill_id")))
        if skill is None:
            raise PlanRejected(f"{where}: skill_id is not one of the skills listed")
        _check_names(where, "params", step.data.get("params"), skill.input_schema or {})
    elif step.type == "workflow":
        workflow = toolbox.workflows.get(_uuid(step.data.get("workflow_id")))
        if workflow is None:
            raise PlanRejected(f"{where}: workflow_id is not one of the user's workflows listed")
        _check_names(where, "input", step.data.get("input", {}), workflow.input_schema or {})


def _uuid(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def _check_names(where: str, field: str, values: Any, schema: dict[str, Any]) -> None:
    """Every name the schema requires is given, and no name it does not know when it allows no others."""
    if not isinstance(values, dict):
        raise PlanRejected(f"{where}: data.{field} must be an object of name → template")
    missing = [name for name in required_names(schema) if name not in values]
    if missing:
        raise PlanRejected(f"{where}: data.{field} lacks {', '.join(missing)}")
    known = (schema.get("properties") or {}).keys()
    unknown = [name for name in values if name not in known]
    if schema.get("additionalProperties") is False and unknown:
        raise PlanRejected(f"{where}: data.{field} has unknown names {', '.join(unknown)}")


def compile_graph(plan: Plan) -> dict[str, Any]:
    """input → step_1 → … → step_n → output, the output `{"result": …}`."""
    nodes = [{"id": "input", "type": "input", "data": {}, "position": {"x": 0, "y": 0}}]
    for number, step in enumerate(plan.steps, start=1):
        nodes.append(
            {
                "id": node_id(number),
                "type": step.type,
                "data": {**step.data, "label": step.title},
                "position": {"x": 0, "y": number * STEP_SPACING},
            }
        )
    last = plan.steps[-1]
    result = plan.result or DEFAULT_RESULT.get(last.type, BODY_RESULT).format(step=node_id(len(plan.steps)))
    nodes.append(
        {
            "id": "output",
            "type": "output",
            "data": {"values": {"result": result}},
            "position": {"x": 0, "y": (len(plan.steps) + 1) * STEP_SPACING},
        }
    )
    chain = [node["id"] for node in nodes]
    edges = [
        {"id": f"e{number}", "source": source, "target": target}
        for number, (source, target) in enumerate(itertools.pairwise(chain), start=1)
    ]
    return {"nodes": nodes, "edges": edges, "viewport": {"x": 0, "y": 0, "zoom": 1}}
