"""Account helpers for API tests: sign up, sign in, and the headers that carry the result."""

import itertools
from typing import Any

from fastapi.testclient import TestClient

PASSWORD = "correct horse battery"
_sequence = itertools.count(1)


def signup(client: TestClient, **overrides: Any) -> dict[str, Any]:
    """Register a fresh account through the API; returns the response body plus the password."""
    n = next(_sequence)
    body = {"email": f"member{n}@example.com", "username": f"member_{n}", "password": PASSWORD, **overrides}
    response = client.post("/v1/auth/register", json=body)
    assert response.status_code == 201, response.text
    return {**response.json(), "password": body["password"]}


def bearer(tokens: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens['access_token']}"}


def login(client: TestClient, identifier: str, password: str = PASSWORD, field: str = "email"):  # type: ignore[no-untyped-def]
    return client.post("/v1/auth/login", json={field: identifier, "password": password})
