"""The target database of the tests: the demo shop (infra/local/demo_database.py), created once per run
on the test server beside the app's database (the `shop` fixture of tests/conftest.py). Analyses and
queries never change it."""

import os
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import make_url

SHOP_TABLES = 17


@dataclass(frozen=True)
class Shop:
    url: str  # libpq style
    host: str  # the embedded server's socket directory (or a loopback host)
    port: int
    database: str
    username: str

    def fields(self, **overrides: Any) -> dict[str, Any]:
        """The body of POST /v1/connections that reaches it."""
        return {
            "name": "Shop",
            "host": self.host,
            "port": self.port,
            "database": self.database,
            "username": self.username,
            **overrides,
        }


def create_shop(name: str) -> Shop:
    """The shop as database `name` on the test server (made anew)."""
    from infra.local.demo_database import create_demo_database

    url = create_demo_database(
        os.environ["TEST_ADMIN_DATABASE_URL"], name, replace=True, progress=lambda line: None
    )
    parsed = make_url(url)
    return Shop(
        url=url,
        host=str(parsed.query.get("host") or parsed.host),
        port=parsed.port or 5432,
        database=name,
        username=parsed.username or "postgres",
    )
