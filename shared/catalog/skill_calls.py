"""Calling a catalog skill's API: its parameters checked against its input schema, path placeholders
filled, the credential its auth_config names attached, through the SSRF-guarded outbound client. The
skill node of workflows and the skill tools of agents both call skills this way."""

import contextlib
import json
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared import outbound
from shared.catalog.models import Skill
from shared.config import settings
from shared.errors import DomainError
from shared.json_schema import check_instance

GET_LIKE = ("GET", "DELETE")


class SkillCallError(outbound.OutboundError):
    """The skill cannot be called as asked: unknown or inactive, bad parameters, a missing credential."""


@dataclass(frozen=True)
class SkillCall:
    skill: Skill
    params: dict[str, Any]
    response: outbound.OutboundResponse


def active_skill(session: Session, skill_id: uuid.UUID | str) -> Skill:
    skill = session.scalar(select(Skill).where(Skill.id == skill_id, Skill.is_active))
    if skill is None or not skill.api_endpoint:
        raise SkillCallError(f"skill {skill_id} does not exist, is inactive or has no endpoint")
    return skill


def coerce_to_schema(params: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    """Rendered params are strings; turn numbers and booleans back into what the schema expects."""
    properties = schema.get("properties") or {}
    coerced = dict(params)
    for name, value in params.items():
        expected = (properties.get(name) or {}).get("type")
        if expected in ("integer", "number", "boolean") and isinstance(value, str):
            with contextlib.suppress(ValueError):
                coerced[name] = json.loads(value)
    return coerced


def auth_headers(skill: Skill) -> dict[str, str]:
    if skill.auth_type in ("none", "", None):
        return {}
    config = skill.auth_config or {}
    variable = config.get("env_var")
    credential = settings.SKILL_CREDENTIALS.get(variable or "")
    if not credential:
        raise SkillCallError(f"skill '{skill.slug}' needs the credential {variable!r} (SKILL_CREDENTIALS)")
    header = config.get("header") or "Authorization"
    prefix = config.get("prefix", "Bearer " if skill.auth_type in ("bearer", "oauth2") else "")
    return {header: f"{prefix}{credential}"}


def call_skill(
    session: Session, skill_id: uuid.UUID | str, params: dict[str, Any], *, timeout: float
) -> SkillCall:
    """One call of a skill; OutboundError (SkillCallError for what is wrong before the call) otherwise."""
    skill = active_skill(session, skill_id)
    params = coerce_to_schema(params, skill.input_schema or {})
    try:
        check_instance(skill.input_schema or {}, params, label="params")
    except DomainError as exc:
        raise SkillCallError(exc.message) from None
    url = skill.api_endpoint or ""
    remaining = {}
    for name, value in params.items():
        placeholder = "{" + name + "}"
        if placeholder in url:
            url = url.replace(placeholder, quote(str(value), safe=""))
        else:
            remaining[name] = value
    headers = {**{k: str(v) for k, v in (skill.headers_template or {}).items()}, **auth_headers(skill)}
    method = (skill.http_method or "GET").upper()
    response = outbound.request(
        method,
        url,
        headers=headers,
        params={k: str(v) for k, v in remaining.items()} if method in GET_LIKE else None,
        json_body=remaining if method not in GET_LIKE else None,
        timeout=timeout,
    )
    return SkillCall(skill=skill, params=params, response=response)
