"""Files that runs produce (seed 004's TaskArtifact): the object lives in the private S3 bucket, the row
says what it is and where (`s3_key`, the seed's `url`)."""

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, CheckConstraint, DateTime, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from shared.orm import Base, UUIDPrimaryKeyMixin, one_of, utc_now


class ArtifactType(StrEnum):
    """The seed's ArtifactType."""

    SCREENSHOT = "screenshot"
    PDF = "pdf"
    FILE = "file"
    IMAGE = "image"
    VIDEO = "video"
    JSON = "json"
    TEXT = "text"


class Artifact(UUIDPrimaryKeyMixin, Base):
    __tablename__ = "task_artifacts"
    __table_args__ = (
        one_of("type", ArtifactType),
        CheckConstraint("size >= 0", name="size"),
        Index("ix_task_artifacts_execution_id_created_at", "execution_id", "created_at"),
    )

    execution_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agent_executions.id", ondelete="CASCADE"))
    task_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("tasks.id", ondelete="SET NULL"), index=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    node_id: Mapped[str] = mapped_column(String(100))
    type: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text)
    s3_key: Mapped[str] = mapped_column(String(1024), unique=True)
    size: Mapped[int] = mapped_column(BigInteger)
    mime_type: Mapped[str] = mapped_column(String(255))
    checksum: Mapped[str] = mapped_column(String(64))  # SHA-256 of the bytes, hex
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now, index=True)


# The models named above by foreign key or relationship (see shared/orm.py).
import shared.executions.models  # noqa: E402
import shared.tasks.models  # noqa: E402
import shared.users.models  # noqa: E402, F401
