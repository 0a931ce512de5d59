"""Request and response bodies of database connections, insights, chat and sharing. A password is
accepted and never returned; a URL with one is never echoed in an error."""

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal
from urllib.parse import parse_qs, unquote, urlsplit

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from shared.config import settings

SslMode = Literal["disable", "allow", "prefer", "require", "verify-ca", "verify-full"]
Permission = Literal["chat", "view", "owner"]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=255)]
Description = Annotated[str, StringConstraints(max_length=2000)]
# a host name, an IP address, or (development only, checked by the service) a unix socket directory
Host = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=255, pattern=r"^(/[^\x00-\x1f@]*|[\w.:%\[\]-]+)$"
    ),
]
Port = Annotated[int, Field(ge=1, le=65535)]
Identifier = Annotated[str, StringConstraints(min_length=1, max_length=255, pattern=r"^[^\x00]+$")]
Password = Annotated[str, StringConstraints(max_length=1000, pattern=r"^[^\x00]*$")]
URL_SCHEMES = ("postgresql", "postgres")


class ConnectionCreate(BaseModel):
    """A PostgreSQL database by its fields."""

    model_config = ConfigDict(extra="forbid")

    name: Name
    description: Description | None = None
    host: Host
    port: Port = 5432
    database: Identifier
    username: Identifier
    password: Password | None = None
    ssl_mode: SslMode = "prefer"


class ConnectionFromUrl(BaseModel):
    """A PostgreSQL database by its URL: `postgresql://user:password@host:5432/database?sslmode=require`
    (`?host=/socket/dir` in development)."""

    model_config = ConfigDict(extra="forbid")

    url: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
    name: Name | None = None
    description: Description | None = None

    @model_validator(mode="after")
    def parse_the_url(self) -> "ConnectionFromUrl":
        self.to_create()
        return self

    def to_create(self) -> ConnectionCreate:
        """The fields of the URL; a ValueError names what is wrong (never the URL, which may hold a
        password)."""
        parts = urlsplit(self.url)
        if parts.scheme not in URL_SCHEMES:
            raise ValueError("only postgresql:// (or postgres://) URLs are supported")
        query = {name: values[-1] for name, values in parse_qs(parts.query).items()}
        try:
            port = parts.port or int(query.get("port", 5432))
        except ValueError:
            raise ValueError("the URL's port is not a number from 1 to 65535") from None
        database = unquote(parts.path.lstrip("/"))
        if not database:
            raise ValueError("the URL names no database (postgresql://user@host/DATABASE)")
        if not parts.username:
            raise ValueError("the URL names no user (postgresql://USER@host/database)")
        fields = {
            "name": self.name or database,
            "description": self.description,
            "host": query.get("host") or parts.hostname or "",
            "port": port,
            "database": database,
            "username": unquote(parts.username),
            "password": unquote(parts.password) if parts.password else None,
            "ssl_mode": query.get("sslmode", "prefer"),
        }
        try:
            return ConnectionCreate.model_validate(fields)
        except ValueError as exc:
            wrong = sorted({str(error["loc"][0]) for error in getattr(exc, "errors", lambda: [])()})
            raise ValueError(f"the URL's {', '.join(wrong) or 'fields'} are not valid") from None


class ConnectionUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name | None = None
    description: Description | None = None
    host: Host | None = None
    port: Port | None = None
    database: Identifier | None = None
    username: Identifier | None = None
    password: Password | None = Field(None, description="a new password; an empty string removes it")
    ssl_mode: SslMode | None = None


class ConnectionPublic(BaseModel):
    """A connection as its owner and the users it is shared with see it: never its password."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    owner_id: uuid.UUID = Field(validation_alias="user_id")
    permission: Permission = "owner"
    name: str
    description: str | None
    dialect: str
    host: str
    port: int
    database: str
    username: str
    has_password: bool = False
    ssl_mode: str
    status: str
    status_message: str | None
    analysis_progress: float
    last_analyzed_at: datetime | None
    server_version: str | None
    created_at: datetime
    updated_at: datetime


class ConnectionTestResult(BaseModel):
    success: bool
    message: str
    server_version: str | None


class ShareCreate(BaseModel):
    """Whom to share with (exactly one of `user_id`, `email`, `username`) and what they may do."""

    model_config = ConfigDict(extra="forbid")

    user_id: uuid.UUID | None = None
    email: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=255)] | None = (
        None
    )
    username: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50)] | None = (
        None
    )
    permission: Permission = "chat"

    @model_validator(mode="after")
    def exactly_one_user(self) -> "ShareCreate":
        named = [value for value in (self.user_id, self.email, self.username) if value is not None]
        if len(named) != 1:
            raise ValueError("name the user by exactly one of user_id, email or username")
        return self


class SharePublic(BaseModel):
    user_id: uuid.UUID
    username: str
    permission: Permission
    created_at: datetime


class ColumnPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    name: str = Field(validation_alias="column_name")
    position: int
    data_type: str
    is_nullable: bool
    is_primary_key: bool
    is_foreign_key: bool
    foreign_key_ref: str | None
    comment: str | None
    distinct_count: int | None
    null_count: int | None
    semantic_type: str
    indexing_strategy: str
    classification_reason: str
    categorical_values: list[str] | None
    sample_values: list[str] | None


class InsightPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    schema_name: str
    table_name: str
    table_type: str
    row_count: int | None
    comment: str | None
    purpose: str
    description: str | None
    summary: str
    insight_document: str
    primary_key: list[str]
    foreign_keys: list[dict[str, Any]]
    referenced_by: list[dict[str, Any]]
    indexes: list[dict[str, Any]]
    analysis_notes: list[str]
    edited_at: datetime | None
    updated_at: datetime
    columns: list[ColumnPublic] = Field(default_factory=list)


class InsightUpdate(BaseModel):
    """A person's description of the table; null goes back to the purpose the analysis guessed."""

    model_config = ConfigDict(extra="forbid")

    description: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)] | None
    )


class ConnectionStats(BaseModel):
    status: str
    analysis_progress: float
    last_analyzed_at: datetime | None
    table_count: int
    total_rows: int
    column_count: int
    columns_by_type: dict[str, int]
    chat_sessions: int
    questions: int
    queries_run: int
    queries_failed: int
    average_execution_time_ms: float | None
    examples: int


class SchemaHit(BaseModel):
    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)

    schema_name: str = Field(alias="schema")
    table: str
    score: float
    summary: str


class SchemaSearchResults(BaseModel):
    items: list[SchemaHit]
    total: int


class ChatRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    question: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=settings.MAX_QUESTION_CHARS)
    ]
    session_id: uuid.UUID | None = None
    explain_mode: bool = False


class ChatMessagePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    role: str
    content: str
    status: str
    sql_query: str | None
    columns: list[str] | None
    rows: list[list[Any]] | None
    row_count: int | None
    execution_time_ms: int | None
    error: str | None
    explanation: str | None = None
    tables: list[str] = Field(default_factory=list)
    truncated: bool = False
    created_at: datetime

    @model_validator(mode="before")
    @classmethod
    def from_metadata(cls, value: Any) -> Any:
        metadata = getattr(value, "message_metadata", None)
        if not isinstance(metadata, dict):
            return value
        fields = {name: getattr(value, name) for name in cls.model_fields if hasattr(value, name)}
        fields.update(
            explanation=metadata.get("explanation"),
            tables=metadata.get("tables") or [],
            truncated=bool(metadata.get("truncated")),
        )
        return fields


class ChatAnswer(BaseModel):
    """200: the answer; 202: the pending answer the worker finishes (read the session to see it)."""

    session_id: uuid.UUID
    message: ChatMessagePublic


class ChatSessionPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    connection_id: uuid.UUID
    user_id: uuid.UUID
    title: str | None
    is_public: bool
    created_at: datetime
    updated_at: datetime


class ChatSessionDetail(ChatSessionPublic):
    share_token: str | None = Field(None, description="the public token, shown to the session's owner")
    messages: list[ChatMessagePublic]


class ShareRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    is_public: bool


class ShareAnswer(BaseModel):
    is_public: bool
    share_token: str | None
    share_url: str | None


class SharedMessage(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    role: str
    content: str
    status: str
    sql_query: str | None
    columns: list[str] | None
    rows: list[list[Any]] | None
    row_count: int | None
    execution_time_ms: int | None
    error: str | None
    created_at: datetime


class SharedChat(BaseModel):
    """A publicly shared session: its questions and answers, nothing about who asked."""

    title: str | None
    connection_name: str
    created_at: datetime
    messages: list[SharedMessage]


class SqlHistoryItem(BaseModel):
    message_id: uuid.UUID
    session_id: uuid.UUID
    user_id: uuid.UUID
    question: str | None
    sql_query: str
    row_count: int | None
    execution_time_ms: int | None
    error: str | None
    created_at: datetime


class ExampleCreate(BaseModel):
    """A question and the SQL that answers it, typed in."""

    model_config = ConfigDict(extra="forbid")

    question: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
    sql: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20_000)]


class ExampleFromAnswer(BaseModel):
    """An answer of a chat on this connection, approved: its question and its SQL."""

    model_config = ConfigDict(extra="forbid")

    message_id: uuid.UUID


class ExamplePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    question: str
    sql: str
    source: str
    message_id: uuid.UUID | None
    created_by: uuid.UUID | None
    created_at: datetime
