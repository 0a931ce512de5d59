"""`user_secrets`: a user's named credentials for their workflows, Fernet-encrypted at rest."""

import uuid

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from shared.orm import Base, TimestampMixin, UUIDPrimaryKeyMixin


class UserSecret(UUIDPrimaryKeyMixin, TimestampMixin, Base):
    __tablename__ = "user_secrets"
    __table_args__ = (UniqueConstraint("user_id", "name"),)

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(64))  # OPENAI_KEY: upper case, digits, underscores
    value_encrypted: Mapped[str] = mapped_column(Text)


# The models named above by foreign key or relationship (see shared/orm.py).
import shared.users.models  # noqa: E402, F401
