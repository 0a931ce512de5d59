"""OpenAPI descriptions of the error responses a route can return, all `{"detail": ...}`.

A route lists the codes of its own errors, `responses=error_responses(401, 404, *JSON_BODY)`;
`error_responses` adds the codes every route can return (ALWAYS). A 500 is never documented:
it must not happen, and the fuzz test (tests/shared/api/test_fuzz.py) fails when it does."""

from typing import Any

from pydantic import BaseModel

DESCRIPTIONS = {
    400: "The request cannot be honoured as sent, or its body is not readable JSON",
    401: "No or bad credentials",
    402: "Not enough credits for the model calls this needs",
    403: "Authenticated but not allowed",
    404: "Not found, or not yours",
    409: "Conflicts with the current state",
    413: "Too large",
    422: "Invalid input",
    429: "Rate limited; see Retry-After",
    503: "A dependency is unavailable; see Retry-After",
}

RETRY_AFTER = {
    "Retry-After": {"description": "Seconds to wait before retrying", "schema": {"type": "integer"}}
}
HEADERS: dict[int, dict[str, Any]] = {
    401: {
        "WWW-Authenticate": {"description": "The scheme to authenticate with", "schema": {"type": "string"}}
    },
    429: RETRY_AFTER,
    503: RETRY_AFTER,
}

# Every route reads the database, which may be unavailable (503 with Retry-After).
ALWAYS: tuple[int, ...] = (503,)
# A route with a JSON body: a body FastAPI cannot decode (400, e.g. not UTF-8) or one that is invalid (422).
JSON_BODY: tuple[int, ...] = (400, 422)


class ErrorResponse(BaseModel):
    detail: Any


def error_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """The `responses=` of a route: the given codes and ALWAYS, each with the error model."""
    responses: dict[int | str, dict[str, Any]] = {}
    for code in sorted({*codes, *ALWAYS}):
        responses[code] = {"model": ErrorResponse, "description": DESCRIPTIONS[code]}
        if code in HEADERS:
            responses[code]["headers"] = HEADERS[code]
    return responses
