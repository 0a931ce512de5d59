"""JSON Schema checks, for whoever holds a schema: a workflow's input_schema, a skill's input and output
schemas, a run's input, a skill node's params.

jsonschema (with attrs and referencing, ~130 ms) is imported where a schema is checked, not at module
import: the functions that never check one start without it."""

from typing import Any

from shared.errors import InvalidInputError

MAX_ERRORS_SHOWN = 3


def check_schema(schema: dict[str, Any], label: str = "input_schema") -> None:
    """`schema` must itself be a valid JSON Schema (draft 2020-12 unless it says), every `$ref` local."""
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import SchemaError
    from jsonschema.validators import validator_for

    try:
        validator_for(schema, default=Draft202012Validator).check_schema(schema)
    except SchemaError as exc:
        where = "/".join(str(part) for part in exc.path) or "(root)"
        raise InvalidInputError(f"{label} is not a valid JSON Schema at {where}: {exc.message}") from exc
    _check_references(schema, label)


def _check_references(schema: dict[str, Any], label: str) -> None:
    """Every `$ref` must resolve inside the schema (no remote references, none dangling)."""
    from referencing import Registry
    from referencing.jsonschema import DRAFT202012

    try:
        resolver = (
            Registry()
            .with_resource("urn:input-schema", DRAFT202012.create_resource(schema))
            .resolver(base_uri="urn:input-schema")
        )
        for path, reference in _references(schema):
            if not reference.startswith("#"):
                raise InvalidInputError(f"{label} {path}: only local $ref (#/...) are allowed")
            resolver.lookup(reference)
    except InvalidInputError:
        raise
    except Exception as exc:
        raise InvalidInputError(f"{label} has a $ref that does not resolve: {type(exc).__name__}") from exc


def _references(node: Any, path: str = "") -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                found.append((path or "/", value))
            else:
                found.extend(_references(value, f"{path}/{key}"))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found.extend(_references(value, f"{path}/{index}"))
    return found


def check_instance(schema: dict[str, Any], data: dict[str, Any], label: str = "input") -> None:
    """`data` must satisfy `schema`; 422 naming the first problems, each prefixed with `label`."""
    from jsonschema import Draft202012Validator
    from jsonschema.validators import validator_for

    validator = validator_for(schema, default=Draft202012Validator)(schema)
    try:
        errors = sorted(validator.iter_errors(data), key=lambda error: list(error.path))
    except Exception as exc:  # e.g. a $ref that resolves nowhere: the schema's fault, not a crash
        raise InvalidInputError(f"the input_schema cannot be applied: {type(exc).__name__}") from exc
    if errors:
        described = [
            f"{label}{''.join(f'.{part}' for part in error.path)}: {error.message}"
            for error in errors[:MAX_ERRORS_SHOWN]
        ]
        raise InvalidInputError("; ".join(described))
