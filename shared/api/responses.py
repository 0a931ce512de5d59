"""OpenAPI descriptions of the error responses a route can return, all `{"detail": ...}`."""

from typing import Any

from pydantic import BaseModel

DESCRIPTIONS = {
    400: "The request cannot be honoured as sent",
    401: "No or bad credentials",
    403: "Authenticated but not allowed",
    404: "Not found, or not yours",
    409: "Conflicts with the current state",
    413: "Too large",
    422: "Invalid input",
    429: "Rate limited; see Retry-After",
    503: "A dependency is unavailable; see Retry-After",
}


class ErrorResponse(BaseModel):
    detail: Any


def error_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    return {code: {"model": ErrorResponse, "description": DESCRIPTIONS[code]} for code in codes}
