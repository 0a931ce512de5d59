"""The AI tool directory (seed 000: categories, scenarios, tools, tool_scenarios, skills)."""

import uuid
from typing import Any

from pgvector.sqlalchemy import Vector
from sqlalchemy import (
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    true,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shared.orm import EMBEDDING_DIMENSIONS, Base, TimestampMixin, UUIDPrimaryKeyMixin

tool_scenarios = Table(
    "tool_scenarios",
    Base.metadata,
    Column("tool_id", ForeignKey("tools.id", ondelete="CASCADE"), primary_key=True),
    Column("scenario_id", ForeignKey("scenarios.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Category(UUIDPrimaryKeyMixin, TimestampMixin, Base):
    __tablename__ = "categories"

    name: Mapped[str] = mapped_column(String(100))
    name_zh: Mapped[str | None] = mapped_column(String(100))
    slug: Mapped[str] = mapped_column(String(100), unique=True, index=True)
    description: Mapped[str | None] = mapped_column(Text)
    icon: Mapped[str | None] = mapped_column(String(255))
    order: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    tools: Mapped[list["Tool"]] = relationship(back_populates="category")


class Scenario(UUIDPrimaryKeyMixin, TimestampMixin, Base):
    __tablename__ = "scenarios"

    name: Mapped[str] = mapped_column(String(100))
    name_zh: Mapped[str | None] = mapped_column(String(100))
    slug: Mapped[str] = mapped_column(String(100), unique=True, index=True)
    icon: Mapped[str | None] = mapped_column(String(255))


class Tool(UUIDPrimaryKeyMixin, TimestampMixin, Base):
    __tablename__ = "tools"
    __table_args__ = tuple(
        Index(
            f"ix_tools_{column}_trgm", column, postgresql_using="gin", postgresql_ops={column: "gin_trgm_ops"}
        )
        # the keyword filter reads names and slug (ILIKE), search reads names and descriptions
        for column in ("name", "name_zh", "slug", "description", "description_zh")
    )

    name: Mapped[str] = mapped_column(String(255))
    name_zh: Mapped[str | None] = mapped_column(String(255))
    slug: Mapped[str] = mapped_column(String(255), unique=True, index=True)
    description: Mapped[str | None] = mapped_column(Text)
    description_zh: Mapped[str | None] = mapped_column(Text)
    url: Mapped[str] = mapped_column(String(512))
    logo_url: Mapped[str | None] = mapped_column(String(512))
    pricing_type: Mapped[str] = mapped_column(String(50), default="free", server_default="free")
    category_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("categories.id", ondelete="SET NULL"), index=True
    )
    is_china_accessible: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    requires_vpn: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
    avg_rating: Mapped[float] = mapped_column(Float, default=0.0, server_default="0")
    review_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    github_stars: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    has_api: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
    # Semantic search: refreshed by the catalog service on every write.
    # deferred: lists and pages never need the 384 floats, only searches (in SQL) do
    embedding: Mapped[list[float] | None] = mapped_column(Vector(EMBEDDING_DIMENSIONS), deferred=True)
    embedding_model: Mapped[str | None] = mapped_column(String(200))

    category: Mapped[Category | None] = relationship(back_populates="tools")
    scenarios: Mapped[list[Scenario]] = relationship(secondary=tool_scenarios)
    skills: Mapped[list["Skill"]] = relationship(
        back_populates="tool", cascade="all, delete-orphan", passive_deletes=True
    )


class Skill(UUIDPrimaryKeyMixin, TimestampMixin, Base):
    __tablename__ = "skills"
    __table_args__ = (UniqueConstraint("tool_id", "slug"),)

    tool_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tools.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    name_zh: Mapped[str | None] = mapped_column(String(100))
    slug: Mapped[str] = mapped_column(String(100), index=True)
    description: Mapped[str | None] = mapped_column(Text)
    description_zh: Mapped[str | None] = mapped_column(Text)
    api_endpoint: Mapped[str | None] = mapped_column(String(512))
    http_method: Mapped[str] = mapped_column(String(10), default="GET", server_default="GET")
    input_schema: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict, server_default="{}")
    output_schema: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict, server_default="{}")
    headers_template: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict, server_default="{}")
    auth_type: Mapped[str] = mapped_column(String(50), default="none", server_default="none")
    auth_config: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict, server_default="{}")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    usage_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    avg_latency_ms: Mapped[float] = mapped_column(Float, default=0.0, server_default="0")

    tool: Mapped[Tool] = relationship(back_populates="skills")
