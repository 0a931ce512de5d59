"""/v1/admin/config (the runtime settings, config:manage) and /v1/admin/stats (system:read). AdminFunction."""

from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Path, Response, status
from sqlalchemy.orm import Session

from shared.admin import runtime_config, stats
from shared.admin.dependencies import ConfigManager, SystemReader
from shared.admin.schemas import ConfigEntry, ConfigWrite, SystemStats
from shared.api.responses import JSON_BODY, error_responses
from shared.config import get_utc_now
from shared.db import SessionDep
from shared.errors import InvalidInputError

router = APIRouter(prefix="/admin", tags=["admin"])
Key = Annotated[str, Path(min_length=1, max_length=64, description="a setting's name, e.g. MAX_RUNS_PER_DAY")]
DEFAULT_STATS_PERIOD = timedelta(days=30)


def as_utc(moment: datetime) -> datetime:
    """A time without an offset is read as UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def entry(session: Session, name: str) -> ConfigEntry:
    setting = runtime_config.get_setting(name)
    override = runtime_config.override_of(session, name)
    default = runtime_config.environment_value(name)
    return ConfigEntry(
        key=name,
        type=setting.kind,
        description=setting.description,
        value=default if override is None else override,
        default=default,
        overridden=override is not None,
    )


@router.get("/config", response_model=list[ConfigEntry], responses=error_responses(401, 403))
def list_config(_: ConfigManager, session: SessionDep) -> list[ConfigEntry]:
    """Every setting that may change without a deploy, with its value now and the environment's."""
    runtime_config.clear_cache()  # an administrator reads what is stored, not this container's copy
    return [entry(session, name) for name in runtime_config.WHITELIST]


@router.get("/config/{key}", response_model=ConfigEntry, responses=error_responses(401, 403, 404, 422))
def read_config(key: Key, _: ConfigManager, session: SessionDep) -> ConfigEntry:
    runtime_config.clear_cache()
    return entry(session, key)


@router.put("/config/{key}", response_model=ConfigEntry, responses=error_responses(401, 403, 404, *JSON_BODY))
def write_config(key: Key, body: ConfigWrite, actor: ConfigManager, session: SessionDep) -> ConfigEntry:
    """Override a setting; every container applies it within RUNTIME_CONFIG_CACHE_SECONDS."""
    runtime_config.put(session, name=key, value=body.value, actor_id=actor.id)
    session.commit()
    return entry(session, key)


@router.delete(
    "/config/{key}", status_code=status.HTTP_204_NO_CONTENT, responses=error_responses(401, 403, 404, 422)
)
def reset_config(key: Key, _: ConfigManager, session: SessionDep) -> Response:
    """Drop the override: the environment's value applies again."""
    runtime_config.remove(session, name=key)
    session.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/stats", response_model=SystemStats, responses=error_responses(401, 403, 422))
def read_stats(
    _: SystemReader, session: SessionDep, since: datetime | None = None, until: datetime | None = None
) -> SystemStats:
    """Accounts, runs, model usage and credits, workflows, agents and conversations over a period (by
    default the last 30 days)."""
    until = as_utc(until) if until else get_utc_now()
    try:
        since = as_utc(since) if since else until - DEFAULT_STATS_PERIOD
    except OverflowError:
        raise InvalidInputError("until is too early") from None
    if until <= since:
        raise InvalidInputError("until must be after since")
    return stats.collect(session, since=since, until=until)
