"""Settings that may change without a deploy: a whitelist of existing settings, each with its type,
overridden by a `system_config` row. `effective(session, NAME)` is how code reads them: the override,
else the environment's value; overrides are cached per container for RUNTIME_CONFIG_CACHE_SECONDS, so
another container sees a change within that time and a request pays one query at most that often."""

import threading
import time
from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Any

from pydantic import Field, StrictBool, StrictInt, TypeAdapter, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.admin.models import SystemConfig
from shared.config import settings
from shared.errors import InvalidInputError, NotFoundError

Count = Annotated[StrictInt, Field(ge=1, le=1_000_000_000)]
Credits = Annotated[Decimal, Field(ge=0, le=1_000_000_000, decimal_places=4)]


@dataclass(frozen=True)
class RuntimeSetting:
    name: str
    kind: str  # what the API shows: boolean | integer | decimal
    adapter: TypeAdapter[Any]
    description: str

    def validate(self, value: Any) -> Any:
        """The value as this setting's type; a value of another type is a 422."""
        if isinstance(value, bool) and self.kind != "boolean":
            raise InvalidInputError(f"{self.name} takes a {self.kind}, not a boolean")
        try:
            return self.adapter.validate_python(value)
        except ValidationError as exc:
            raise InvalidInputError(f"{self.name} takes a {self.kind}: {exc.errors()[0]['msg']}") from None

    def stored(self, value: Any) -> Any:
        """The JSON kept in `system_config.value` (decimals as strings: no float rounding)."""
        return str(value) if isinstance(value, Decimal) else value


def _setting(name: str, kind: str, annotation: Any, description: str) -> RuntimeSetting:
    return RuntimeSetting(name, kind, TypeAdapter(annotation), description)


WHITELIST: dict[str, RuntimeSetting] = {
    item.name: item
    for item in (
        _setting("AUTH_OPEN_SIGNUP", "boolean", StrictBool, "a magic link to an unknown address signs up"),
        _setting("SIGNUP_BONUS_CREDITS", "decimal", Credits, "bonus credits of a new account"),
        _setting("MAX_RUNS_PER_DAY", "integer", Count, "runs per user over 24 hours"),
        _setting("MAX_WEBHOOK_CALLS_PER_MINUTE", "integer", Count, "webhook calls per owner and minute"),
        _setting("MAX_MEMORIES_PER_WORKFLOW", "integer", Count, "memories per workflow"),
        _setting("MAX_CHAT_MESSAGES_PER_MINUTE", "integer", Count, "chat messages per user and minute"),
        _setting("MAX_API_KEYS_PER_USER", "integer", Count, "active API keys per user"),
        _setting("MAX_SECRETS_PER_USER", "integer", Count, "secrets per user"),
        _setting("MAX_AGENTS_PER_USER", "integer", Count, "agents per user"),
        _setting("INTERACTION_RATE_LIMIT_PER_MINUTE", "integer", Count, "interactions per user and minute"),
        _setting("USER_SEARCH_RATE_LIMIT_PER_MINUTE", "integer", Count, "user searches per user and minute"),
    )
}


class _Overrides:
    """The container's copy of `system_config`, refreshed through the caller's session when stale."""

    def __init__(self) -> None:
        self.values: dict[str, Any] = {}
        self.loaded_at: float | None = None
        self.lock = threading.Lock()

    def get(self, session: Session) -> dict[str, Any]:
        now = time.monotonic()
        with self.lock:
            if self.loaded_at is None or now - self.loaded_at >= settings.RUNTIME_CONFIG_CACHE_SECONDS:
                rows = session.execute(select(SystemConfig.key, SystemConfig.value)).all()
                self.values = {key: value for key, value in rows if key in WHITELIST}
                self.loaded_at = now
            return self.values

    def clear(self) -> None:
        with self.lock:
            self.values, self.loaded_at = {}, None


_overrides = _Overrides()


def clear_cache() -> None:
    """Forget the cached overrides (after a change here; tests between cases)."""
    _overrides.clear()


def get_setting(name: str) -> RuntimeSetting:
    """The whitelisted setting `name`; any other name is a 404."""
    try:
        return WHITELIST[name]
    except KeyError:
        raise NotFoundError(f"{name[:64]} is not a setting that can change at run time") from None


def environment_value(name: str) -> Any:
    return getattr(settings, name)


def override_of(session: Session, name: str) -> Any | None:
    stored = _overrides.get(session).get(name)
    return None if stored is None else WHITELIST[name].adapter.validate_python(stored)


def effective(session: Session, name: str) -> Any:
    """What setting `name` is now: its override if one is set, else the environment's value."""
    override = override_of(session, name)
    return environment_value(name) if override is None else override


def put(session: Session, *, name: str, value: Any, actor_id: Any) -> Any:
    """Validate and store an override (the caller commits); returns the typed value."""
    setting = get_setting(name)
    typed = setting.validate(value)
    row = session.get(SystemConfig, name, with_for_update=True)
    if row is None:
        session.add(SystemConfig(key=name, value=setting.stored(typed), updated_by=actor_id))
    else:
        row.value, row.updated_by = setting.stored(typed), actor_id
    session.flush()
    clear_cache()
    return typed


def remove(session: Session, *, name: str) -> None:
    """Drop an override: the environment's value applies again (the caller commits)."""
    get_setting(name)
    row = session.get(SystemConfig, name)
    if row is not None:
        session.delete(row)
        session.flush()
    clear_cache()
