"""The `agent` node of workflow graphs: `{"agent_id", "prompt"}` → `{"text", "tool_calls", "usage"}`. It
reads the agent as it is now, so an edit to the agent reaches every workflow that uses it; its model
calls are metered to the execution and charged to the workflow's owner."""

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.agents import loop
from shared.agents import tools as agent_tools
from shared.agents.models import Agent
from shared.engine.context import RunContext
from shared.engine.errors import NodeError, RetryableNodeError
from shared.engine.registry import executor
from shared.errors import DomainError
from shared.llm import gateway
from shared.llm.client import LLMError, ProviderUnavailable


@executor("agent")
def run_agent(data: dict[str, Any], ctx: RunContext, session: Session, timeout: float) -> tuple[dict, Any]:
    agent = session.scalar(select(Agent).where(Agent.id == data["agent_id"], Agent.user_id == ctx.owner_id))
    if agent is None or not agent.is_active:
        raise NodeError(
            f"agent {data['agent_id']} does not exist, is not the workflow owner's, or is inactive"
        )
    prompt = ctx.render(data["prompt"], "data.prompt")
    tools = agent_tools.resolve(session, owner_id=agent.user_id, specs=agent.tools, owner_only=False)
    messages = [{"role": "system", "content": agent.system_prompt}, {"role": "user", "content": prompt}]
    caller = gateway.Caller(user_id=ctx.owner_id, session_type="execution", session_id=str(ctx.execution_id))
    ctx.api_calls += 1
    try:
        turn = loop.take_turn(session, agent=agent, caller=caller, messages=messages, tools=tools)
    except ProviderUnavailable as exc:
        raise RetryableNodeError(str(exc)) from None
    except (LLMError, DomainError) as exc:
        raise NodeError(getattr(exc, "message", None) or str(exc)) from None
    ctx.token_usage += turn.prompt_tokens + turn.completion_tokens
    ctx.credits_used += turn.credits
    return {"agent": str(agent.id), "prompt": prompt, "model": turn.model}, {
        "text": turn.text,
        "tool_calls": turn.tool_calls,
        "usage": turn.usage(),
    }
