"""Storing a user's secrets and handing them to the runs of that user's workflows."""

import uuid
from collections.abc import Iterator, Mapping
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from shared import crypto
from shared.admin import runtime_config
from shared.api.pagination import PageParams, paginate
from shared.config import get_utc_now
from shared.errors import ConflictError, NotFoundError
from shared.users.models import User
from shared.vault.models import UserSecret

REDACTED = "***"
MIN_SCRUBBED_LENGTH = 4  # shorter values would scrub ordinary text ("a", "on") out of every log


def put(*, session: Session, user: User, name: str, value: str) -> tuple[UserSecret, bool]:
    """Create or replace a secret; returns it and whether it is new."""
    existing = session.scalar(
        select(UserSecret.id).where(UserSecret.user_id == user.id, UserSecret.name == name)
    )
    if existing is None:
        held = session.scalar(select(func.count()).where(UserSecret.user_id == user.id)) or 0
        limit = runtime_config.effective(session, "MAX_SECRETS_PER_USER")
        if held >= limit:
            raise ConflictError(f"At most {limit} secrets; delete one first")
    now = get_utc_now()
    secret = session.scalars(
        pg_insert(UserSecret)
        .values(id=uuid.uuid4(), user_id=user.id, name=name, value_encrypted=crypto.encrypt(value))
        .on_conflict_do_update(
            index_elements=["user_id", "name"],
            set_={"value_encrypted": crypto.encrypt(value), "updated_at": now},
        )
        .returning(UserSecret),
        execution_options={"populate_existing": True},
    ).one()
    session.commit()
    return secret, existing is None


def list_for(*, session: Session, user: User, page: PageParams) -> tuple[list[UserSecret], int]:
    return paginate(
        session, select(UserSecret).where(UserSecret.user_id == user.id).order_by(UserSecret.name), page
    )


def remove_all(*, session: Session, user_id: uuid.UUID) -> int:
    """Delete every secret of a user (the caller commits); returns how many."""
    return session.execute(delete(UserSecret).where(UserSecret.user_id == user_id)).rowcount


def remove(*, session: Session, user: User, name: str) -> None:
    deleted = session.execute(
        delete(UserSecret).where(UserSecret.user_id == user.id, UserSecret.name == name)
    ).rowcount
    if not deleted:
        raise NotFoundError("Secret not found")
    session.commit()


class RunSecrets(Mapping[str, str]):
    """`secrets` in a run's templates: the owner's secrets, read and decrypted on first use only (most
    runs never touch them), and the values to scrub from whatever the run records."""

    def __init__(self, session: Session, user_id: uuid.UUID) -> None:
        self._session = session
        self._user_id = user_id
        self._values: dict[str, str] | None = None

    def _load(self) -> dict[str, str]:
        if self._values is None:
            rows = self._session.execute(
                select(UserSecret.name, UserSecret.value_encrypted).where(UserSecret.user_id == self._user_id)
            ).all()
            self._values = {row.name: crypto.decrypt(row.value_encrypted) for row in rows}
        return self._values

    def __getitem__(self, name: str) -> str:
        return self._load()[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._load())

    def __len__(self) -> int:
        return len(self._load())

    def scrub(self, value: Any) -> tuple[Any, bool]:
        """`value` with every secret that was used in this run replaced by ***, and whether any was."""
        if not self._values:
            return value, False
        secrets = sorted(
            (s for s in self._values.values() if len(s) >= MIN_SCRUBBED_LENGTH), key=len, reverse=True
        )
        found = False

        def clean(item: Any) -> Any:
            nonlocal found
            if isinstance(item, str):
                for secret in secrets:
                    if secret in item:
                        found = True
                        item = item.replace(secret, REDACTED)
                return item
            if isinstance(item, dict):
                return {key: clean(inner) for key, inner in item.items()}
            if isinstance(item, list):
                return [clean(inner) for inner in item]
            return item

        return clean(value), found
