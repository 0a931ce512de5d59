from typing import Any, Literal

from pydantic import BaseModel


class DatabaseHealth(BaseModel):
    status: Literal["ok", "unavailable"]
    server_version: str | None = None


class HealthStatus(BaseModel):
    status: Literal["ok", "degraded"]
    version: str
    environment: str
    database: DatabaseHealth


class HealthDetail(BaseModel):
    """Each part: `status` ok or unavailable (with the error's type), and what it found."""

    database: dict[str, Any]
    queue: dict[str, Any]
    dead_letter_queue: dict[str, Any]
    mail: dict[str, Any]
    embedding: dict[str, Any]
    llm: dict[str, Any]
    schedules: dict[str, Any]


class DetailedHealthStatus(HealthStatus):
    detail: HealthDetail | None = None
