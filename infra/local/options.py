"""Knobs of the embedded default, read once from the environment (before `shared` is imported)."""

import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class LocalOptions:
    local_dir: Path  # PostgreSQL data, the mail outbox
    host: str
    port: int  # the API
    aws_port: int  # the moto server
    database_url: str | None  # an external PostgreSQL instead of the embedded one

    @classmethod
    def from_environment(cls) -> "LocalOptions":
        return cls(
            local_dir=Path(os.environ.get("AINAV_LOCAL_DIR", REPO_ROOT / ".local")).resolve(),
            host=os.environ.get("HOST", "127.0.0.1"),
            port=int(os.environ.get("PORT", "8000")),
            aws_port=int(os.environ.get("AINAV_LOCAL_AWS_PORT", "5100")),
            database_url=os.environ.get("DATABASE_URL") or None,
        )

    @property
    def pg_data_dir(self) -> Path:
        return self.local_dir / "pg"

    @property
    def outbox_dir(self) -> Path:
        return self.local_dir / "outbox"

    @property
    def aws_endpoint_url(self) -> str:
        return f"http://127.0.0.1:{self.aws_port}"
