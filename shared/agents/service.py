"""Agents from the Q&A wizard: the system prompt made of the three answers (which the model may
polish), saving with checked tools, reading (the owner's, or published ones), deleting (not while a
workflow uses it), and the `input → agent → output` workflow that puts one to work."""

import uuid
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from shared.admin import runtime_config
from shared.agents import tools as agent_tools
from shared.agents.models import Agent
from shared.agents.schemas import AgentCreate, AgentUpdate
from shared.api.pagination import PageParams, paginate
from shared.errors import ConflictError, InvalidInputError, NotFoundError, QuotaExceededError
from shared.llm import gateway, offers
from shared.projects import service as project_service
from shared.users.models import User
from shared.workflows import service as workflow_service
from shared.workflows.models import AgentWorkflow
from shared.workflows.schemas import WorkflowCreate

PROMPT_FIELDS = ("name", "qa_who", "qa_rules", "qa_tricks")
POLISH_INSTRUCTIONS = (
    "Rewrite the system prompt below so that it reads well and leaves nothing out: keep every fact, rule "
    "and skill, add none, keep its language. Answer with the new system prompt only."
)


def system_prompt(*, name: str, qa_who: str, qa_rules: str, qa_tricks: str) -> str:
    """The prompt the wizard's answers make, always the same for the same answers."""
    parts = [f"You are {name}. {qa_who.strip()}", f"Rules you always follow:\n{qa_rules.strip()}"]
    if qa_tricks.strip():
        parts.append(f"What you know and can do:\n{qa_tricks.strip()}")
    return "\n\n".join(parts)


def polished(session: Session, *, agent: Agent) -> str:
    """The model's rewrite of the agent's prompt (metered as the agent's setup, charged to its owner)."""
    answer = gateway.complete(
        session,
        caller=gateway.Caller(user_id=agent.user_id, session_type="agent_setup", session_id=str(agent.id)),
        messages=[
            {"role": "system", "content": POLISH_INSTRUCTIONS},
            {"role": "user", "content": agent.system_prompt},
        ],
        model=agent.model,
        temperature=0.3,
    )
    return (answer.text or "").strip() or agent.system_prompt


def _check_model(model: str | None) -> None:
    if model is not None:
        try:
            offers.check_model_choice(model, None)
        except InvalidInputError as exc:
            raise InvalidInputError(f"model: {exc.message}") from None


def create_agent(*, session: Session, user: User, request: AgentCreate, polish: bool = False) -> Agent:
    """Save a new agent of the caller's with the prompt of its answers (polished by the model if asked)."""
    held = session.scalar(select(func.count()).where(Agent.user_id == user.id)) or 0
    if held >= runtime_config.effective(session, "MAX_AGENTS_PER_USER"):
        raise QuotaExceededError(f"You have {held} agents, the most one account may keep; delete some first")
    if request.project_id is not None:
        project_service.check_assignable(session=session, user_id=user.id, project_id=request.project_id)
    _check_model(request.model)
    fields = request.model_dump(exclude={"tools"})
    agent = Agent(
        id=uuid.uuid4(),
        user_id=user.id,
        **fields,
        tools=agent_tools.check_tools(session, owner_id=user.id, tools=request.tools),
        system_prompt=system_prompt(**{name: fields[name] for name in PROMPT_FIELDS}),
    )
    session.add(agent)
    session.flush()
    if polish:
        agent.system_prompt = polished(session, agent=agent)
    session.commit()
    return agent


def update_agent(*, session: Session, agent: Agent, request: AgentUpdate, polish: bool = False) -> Agent:
    """Change an agent; new answers make a new prompt unless the request sets one."""
    fields = request.model_dump(exclude_unset=True)
    not_nullable = sorted(
        name for name, value in fields.items() if value is None and name not in NULLABLE_AGENT_FIELDS
    )
    if not_nullable:
        raise InvalidInputError(f"{', '.join(not_nullable)} cannot be null")
    if fields.get("project_id") is not None and fields["project_id"] != agent.project_id:
        project_service.check_assignable(
            session=session, user_id=agent.user_id, project_id=fields["project_id"]
        )
    if "model" in fields:
        _check_model(fields["model"])
    if "tools" in fields:
        fields["tools"] = agent_tools.check_tools(session, owner_id=agent.user_id, tools=request.tools or [])
    for name, value in fields.items():
        setattr(agent, name, value)
    if "system_prompt" not in fields and PROMPT_ANSWERS & fields.keys():
        agent.system_prompt = system_prompt(**{name: getattr(agent, name) for name in PROMPT_FIELDS})
    if polish:
        agent.system_prompt = polished(session, agent=agent)
    session.commit()
    return agent


NULLABLE_AGENT_FIELDS = {"description", "project_id", "avatar_url", "model"}
PROMPT_ANSWERS = {"name", "qa_who", "qa_rules", "qa_tricks"}


def workflows_using(session: Session, agent_id: uuid.UUID) -> list[AgentWorkflow]:
    """Workflows whose graph has an agent node of this agent."""
    node = {"nodes": [{"type": "agent", "data": {"agent_id": str(agent_id)}}]}
    return list(session.scalars(select(AgentWorkflow).where(AgentWorkflow.graph_json.contains(node))))


def delete_agent(*, session: Session, agent: Agent) -> None:
    """Delete an agent with its conversations; 409 naming the workflows that still use it."""
    using = workflows_using(session, agent.id)
    if using:
        names = ", ".join(repr(workflow.name) for workflow in using[:5])
        raise ConflictError(f"The agent is used by {len(using)} workflow(s): {names}; remove its nodes first")
    session.delete(agent)
    session.commit()


def _visible_to(user: User | None) -> ColumnElement[bool]:
    if user is None:
        return Agent.is_published
    return or_(Agent.user_id == user.id, Agent.is_published)


def get_visible(*, session: Session, agent_id: uuid.UUID, user: User | None) -> Agent:
    """The caller's agent, or a published one; anything else is a 404."""
    agent = session.scalar(select(Agent).where(Agent.id == agent_id, _visible_to(user)))
    if agent is None:
        raise NotFoundError("Agent not found")
    return agent


def get_owned(*, session: Session, agent_id: uuid.UUID, user: User) -> Agent:
    """The caller's own agent; anyone else's is a 404 (published or not: only its owner changes it)."""
    agent = session.scalar(select(Agent).where(Agent.id == agent_id, Agent.user_id == user.id))
    if agent is None:
        raise NotFoundError("Agent not found")
    return agent


def list_agents(
    *, session: Session, user: User, page: PageParams, project_id: uuid.UUID | None = None
) -> tuple[list[Agent], int]:
    """The caller's agents, newest first, optionally of one project."""
    query = select(Agent).where(Agent.user_id == user.id)
    if project_id is not None:
        query = query.where(Agent.project_id == project_id)
    return paginate(session, query.order_by(Agent.created_at.desc(), Agent.id), page)


def agent_graph(agent_id: uuid.UUID) -> dict[str, Any]:
    """`input → agent → output`: the message goes to the agent, its answer is the run's `text`."""
    position = {"x": 0, "y": 0}
    return {
        "nodes": [
            {"id": "input", "type": "input", "data": {}, "position": position},
            {
                "id": "agent",
                "type": "agent",
                "data": {"agent_id": str(agent_id), "prompt": "{{ input.message }}"},
                "position": {"x": 0, "y": 120},
            },
            {
                "id": "output",
                "type": "output",
                "data": {"values": {"text": "{{ nodes.agent.text }}"}},
                "position": {"x": 0, "y": 240},
            },
        ],
        "edges": [
            {"id": "input-agent", "source": "input", "target": "agent"},
            {"id": "agent-output", "source": "agent", "target": "output"},
        ],
        "viewport": {"x": 0, "y": 0, "zoom": 1},
    }


MESSAGE_INPUT_SCHEMA = {
    "type": "object",
    "properties": {
        "message": {"type": "string", "minLength": 1},
        "history": {"type": "array", "items": {"type": "object"}},
    },
    "required": ["message"],
}


def create_workflow_for(*, session: Session, agent: Agent, user: User) -> AgentWorkflow:
    """A workflow of the agent's owner that puts the agent to work (and that chats answer through)."""
    workflow, _ = workflow_service.create_workflow(
        session=session,
        user=user,
        request=WorkflowCreate(
            name=agent.name,
            description=agent.description,
            graph_json=agent_graph(agent.id),
            input_schema=MESSAGE_INPUT_SCHEMA,
        ),
    )
    if agent.project_id is not None:
        workflow.project_id = agent.project_id
        session.commit()
    return workflow
