"""A user's profile and settings: read (created with their defaults on first read), changed, and the
two preferences other domains act on: the timezone of new schedules and whether run mail goes out."""

import json
import uuid
from typing import TypeVar

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from shared.api.patches import changes_of
from shared.errors import PayloadTooLargeError
from shared.profiles.models import DEFAULT_TIMEZONE, UserProfile, UserSettings
from shared.profiles.schemas import SETTINGS_JSON_MAX_BYTES, ProfileUpdate, SettingsUpdate

PROFILE_NULLABLE = ("linkedin_url", "github_url", "portfolio_url", "resume_url", "preferred_cabin_class")
SETTINGS_NULLABLE = ("default_llm_provider",)

Row = TypeVar("Row", UserProfile, UserSettings)


def _get_or_create(session: Session, model: type[Row], user_id: uuid.UUID) -> Row:
    """The user's row of `model`, inserted with its defaults if missing; concurrent first reads insert
    one row (the primary key is the user)."""
    row = session.get(model, user_id)
    if row is None:
        session.execute(pg_insert(model).values(user_id=user_id).on_conflict_do_nothing())
        session.commit()
        row = session.get(model, user_id)
        assert row is not None
    return row


def get_profile(*, session: Session, user_id: uuid.UUID) -> UserProfile:
    return _get_or_create(session, UserProfile, user_id)


def update_profile(*, session: Session, user_id: uuid.UUID, request: ProfileUpdate) -> UserProfile:
    changes = changes_of(request, nullable=PROFILE_NULLABLE)
    profile = get_profile(session=session, user_id=user_id)
    for name, value in changes.items():
        setattr(profile, name, value)
    session.commit()
    return profile


def get_settings(*, session: Session, user_id: uuid.UUID) -> UserSettings:
    return _get_or_create(session, UserSettings, user_id)


def update_settings(*, session: Session, user_id: uuid.UUID, request: SettingsUpdate) -> UserSettings:
    changes = changes_of(request, nullable=SETTINGS_NULLABLE)
    if "settings_json" in changes:
        size = len(json.dumps(changes["settings_json"], ensure_ascii=False, separators=(",", ":")).encode())
        if size > SETTINGS_JSON_MAX_BYTES:
            raise PayloadTooLargeError(
                f"settings_json is {size} bytes serialized; at most {SETTINGS_JSON_MAX_BYTES} are kept"
            )
    settings = get_settings(session=session, user_id=user_id)
    for name, value in changes.items():
        setattr(settings, name, value)
    session.commit()
    return settings


def timezone_of(session: Session, user_id: uuid.UUID) -> str:
    """The user's timezone (UTC until they set one); reads only, creates nothing."""
    return (
        session.scalar(select(UserProfile.timezone).where(UserProfile.user_id == user_id)) or DEFAULT_TIMEZONE
    )


def wants_run_mail(session: Session, user_id: uuid.UUID) -> bool:
    """Whether mail about the user's runs goes out (yes until they turn it off); reads only."""
    enabled = session.scalar(select(UserProfile.email_notifications).where(UserProfile.user_id == user_id))
    return enabled is not False


def reset(*, session: Session, user_id: uuid.UUID) -> int:
    """Forget the user's profile and settings (the caller commits); the next read has the defaults."""
    removed = session.execute(delete(UserProfile).where(UserProfile.user_id == user_id)).rowcount
    return removed + session.execute(delete(UserSettings).where(UserSettings.user_id == user_id)).rowcount
