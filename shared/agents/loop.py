"""One turn of an agent: call the model, run the tools it asks for, give it their results, until it
answers or AGENT_MAX_STEPS model calls were made (the last is offered no tools, so it must answer).
Every call goes through the LLM gateway; every tool call is recorded."""

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from shared.agents import tools as agent_tools
from shared.agents.models import Agent
from shared.config import settings
from shared.llm import gateway
from shared.llm.client import ProviderUnavailable

# A chat turn that has less than this left of its synchronous time hands over to the worker rather than
# start a model call it cannot finish.
MIN_SECONDS_FOR_A_CALL = 1.0


class HandOver(Exception):
    """The turn's synchronous time ran out: the worker goes on from the messages recorded so far."""


@dataclass
class TurnResult:
    text: str
    model: str
    steps: int = 0
    tool_calls: list[dict[str, Any]] = field(default_factory=list)
    prompt_tokens: int = 0
    completion_tokens: int = 0
    credits: Decimal = Decimal(0)

    def usage(self) -> dict[str, Any]:
        return {
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "credits": float(self.credits),
        }


def take_turn(
    session: Session,
    *,
    agent: Agent,
    caller: gateway.Caller,
    messages: list[dict[str, Any]],
    tools: list[agent_tools.Tool],
    deadline: float | None = None,
    record: Callable[[dict[str, Any]], None] = lambda message: None,
) -> TurnResult:
    """Answer the last message of `messages` (system prompt and history first, in the OpenAI format).
    Each assistant message asking for tools and each tool result is passed to `record` as it happens,
    and added to `messages`. With a `deadline` (time.monotonic()), HandOver is raised when the time left
    cannot hold a model call; the caller hands the turn to the worker."""
    result = TurnResult(text="", model=agent.model or settings.LLM_DEFAULT_MODEL)
    by_name = {tool.name: tool for tool in tools}
    for step in range(1, settings.AGENT_MAX_STEPS + 1):
        timeout = settings.LLM_TIMEOUT_SECONDS
        if deadline is not None:
            timeout = min(timeout, deadline - time.monotonic())
            if timeout < MIN_SECONDS_FOR_A_CALL:
                raise HandOver()
        offered = [tool.function() for tool in tools] if tools and step < settings.AGENT_MAX_STEPS else None
        try:
            answer = gateway.complete(
                session,
                caller=caller,
                messages=messages,
                model=agent.model,
                tools=offered,
                temperature=agent.temperature,
                timeout=timeout,
            )
        except ProviderUnavailable:
            if deadline is not None and deadline - time.monotonic() < MIN_SECONDS_FOR_A_CALL:
                raise HandOver() from None  # cut by the turn's time, not the provider's fault
            raise
        result.steps = step
        result.prompt_tokens += answer.usage.prompt_tokens
        result.completion_tokens += answer.usage.completion_tokens
        result.credits += answer.credits
        if not answer.tool_calls:
            result.text = answer.text or ""
            return result
        asking = {
            "role": "assistant",
            "content": answer.text or "",
            "tool_calls": [
                {
                    "id": call.id,
                    "type": "function",
                    "function": {"name": call.name, "arguments": call.raw_arguments},
                }
                for call in answer.tool_calls
            ],
        }
        messages.append(asking)
        record(asking)
        for call in answer.tool_calls:
            tool = by_name.get(call.name)
            if tool is None:
                outcome = agent_tools.ToolResult(
                    False, {"error": f"there is no tool named {call.name!r}"}, 0.0
                )
            else:
                outcome = agent_tools.run(session, tool, call.arguments, owner_id=agent.user_id)
            result.tool_calls.append(
                {
                    "name": call.name,
                    "arguments": call.arguments if call.arguments is not None else call.raw_arguments,
                    ("output" if outcome.ok else "error"): outcome.output
                    if outcome.ok
                    else outcome.output["error"],
                    "duration_ms": outcome.duration_ms,
                }
            )
            reply = {
                "role": "tool",
                "tool_call_id": call.id,
                "name": call.name,
                "content": agent_tools.result_text(outcome),
            }
            messages.append(reply)
            record(reply)
    result.text = "I could not finish within the steps I am allowed."
    return result
