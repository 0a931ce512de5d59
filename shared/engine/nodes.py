"""The executors of the built-in node types of architecture §4, registered into shared.engine.registry."""

from typing import Any

from sqlalchemy.orm import Session

from shared import outbound
from shared.artifacts import nodes as artifact_nodes
from shared.catalog import skill_calls
from shared.config import settings
from shared.email import service as email_service_module
from shared.engine.context import RunContext
from shared.engine.errors import NodeError, RetryableNodeError
from shared.engine.registry import executor
from shared.errors import DomainError
from shared.llm import gateway
from shared.llm.client import LLMError, ProviderUnavailable

SENSITIVE_HEADERS = {"authorization", "x-api-key", "cookie", "proxy-authorization"}


def redacted(headers: dict[str, str]) -> dict[str, str]:
    return {name: ("***" if name.lower() in SENSITIVE_HEADERS else value) for name, value in headers.items()}


@executor("input")
def run_input(data: dict[str, Any], ctx: RunContext, session: Session, timeout: float) -> tuple[dict, Any]:
    return {}, ctx.input


@executor("template")
def run_template(data: dict[str, Any], ctx: RunContext, session: Session, timeout: float) -> tuple[dict, Any]:
    return {}, {"text": ctx.render(data["template"], "data.template")}


@executor("condition")
def run_condition(
    data: dict[str, Any], ctx: RunContext, session: Session, timeout: float
) -> tuple[dict, Any]:
    return {"expression": data["expression"]}, {
        "result": bool(ctx.evaluate(data["expression"], "data.expression"))
    }


@executor("output")
def run_output(data: dict[str, Any], ctx: RunContext, session: Session, timeout: float) -> tuple[dict, Any]:
    return {}, ctx.render_map(data["values"], "data.values")


@executor("llm")
def run_llm(data: dict[str, Any], ctx: RunContext, session: Session, timeout: float) -> tuple[dict, Any]:
    """A chat completion through the LLM gateway: metered to this execution and charged to the owner
    (not charged on the owner's own key for a provider)."""
    prompt = ctx.render(data["prompt"], "data.prompt")
    system_source = data.get("system_prompt") or ctx.system_prompt
    system_prompt = ctx.render(system_source, "data.system_prompt") if system_source else None
    messages = ([{"role": "system", "content": system_prompt}] if system_prompt else []) + [
        {"role": "user", "content": prompt}
    ]
    caller = gateway.Caller(user_id=ctx.owner_id, session_type="execution", session_id=str(ctx.execution_id))
    ctx.api_calls += 1
    try:
        answer = gateway.complete(
            session,
            caller=caller,
            messages=messages,
            model=data.get("model") or ctx.llm_model or settings.LLM_DEFAULT_MODEL,
            provider=data.get("provider") or ctx.llm_provider,
            temperature=data.get("temperature", ctx.temperature),
            max_tokens=data.get("max_tokens"),
            timeout=timeout,
        )
    except ProviderUnavailable as exc:
        raise RetryableNodeError(str(exc)) from None
    except (LLMError, DomainError) as exc:  # a refused key, no credits (402), a model not offered
        raise NodeError(getattr(exc, "message", None) or str(exc)) from None
    ctx.token_usage += answer.usage.prompt_tokens + answer.usage.completion_tokens
    ctx.credits_used += answer.credits
    logged = {
        "model": answer.model,
        "provider": answer.provider,
        "prompt": prompt,
        "system_prompt": system_prompt,
    }
    return logged, {
        "text": answer.text or "",
        "usage": {
            "prompt_tokens": answer.usage.prompt_tokens,
            "completion_tokens": answer.usage.completion_tokens,
            "credits": float(answer.credits),
        },
    }


@executor("http")
def run_http(data: dict[str, Any], ctx: RunContext, session: Session, timeout: float) -> tuple[dict, Any]:
    url = ctx.render(data["url"], "data.url")
    method = data.get("method", "GET")
    headers = ctx.render_map(data.get("headers") or {}, "data.headers")
    body = data.get("body")
    content = json_body = None
    if isinstance(body, str):
        content = ctx.render(body, "data.body")
    elif body is not None:
        json_body = body
    ctx.api_calls += 1
    response = outbound.request(
        method, url, headers=headers, json_body=json_body, content=content, timeout=timeout
    )
    logged = {"method": method, "url": url, "headers": redacted(headers)}
    output = {"status": response.status, "headers": response.headers, "body": response.body}
    saved = artifact_nodes.save_response(
        session, ctx, data, response.body, response.headers.get("content-type")
    )
    return logged, output if saved is None else {**output, "artifact": saved}


@executor("skill")
def run_skill(data: dict[str, Any], ctx: RunContext, session: Session, timeout: float) -> tuple[dict, Any]:
    """Call a catalog skill: params checked against its input_schema, auth from its auth_config."""
    params: dict[str, Any] = ctx.render_map(data.get("params") or {}, "data.params")
    ctx.api_calls += 1
    call = skill_calls.call_skill(session, data["skill_id"], params, timeout=timeout)
    output = {"status": call.response.status, "body": call.response.body}
    saved = artifact_nodes.save_response(
        session, ctx, data, call.response.body, call.response.headers.get("content-type")
    )
    return {"skill": call.skill.slug, "skill_id": str(call.skill.id), "params": call.params}, (
        output if saved is None else {**output, "artifact": saved}
    )


@executor("email")
def run_email(data: dict[str, Any], ctx: RunContext, session: Session, timeout: float) -> tuple[dict, Any]:
    """Mail the workflow's owner (never anyone else): rendered subject, the body as text and escaped HTML."""
    subject = ctx.render(data["subject"], "data.subject")
    body = ctx.render(data["body"], "data.body")
    html = email_service_module.render_mail("workflow_message", body=body)[0]
    sent = email_service_module.email_service.send_email(session, ctx.owner_email(), subject, html, body)
    return {"subject": subject}, {"sent": sent}
