"""PATCH bodies, as the services that apply them read them: the fields a caller sent, where null clears
a field that may be empty and is a 422 for one that may not (a field left out stays as it is)."""

from collections.abc import Collection
from typing import Any

from pydantic import BaseModel

from shared.errors import InvalidInputError


def changes_of(body: BaseModel, *, nullable: Collection[str]) -> dict[str, Any]:
    """The sent fields of `body` and their values; a 422 naming every field sent as null that is not
    in `nullable`."""
    fields = body.model_dump(exclude_unset=True)
    refused = sorted(name for name, value in fields.items() if value is None and name not in nullable)
    if refused:
        raise InvalidInputError(f"{', '.join(refused)} cannot be null")
    return fields
