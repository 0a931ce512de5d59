"""Input schemas (JSON Schema), run inputs and trigger configurations of workflows.

jsonschema (with attrs and referencing, ~130 ms) is imported where a schema is checked, not at module
import: the functions that only read workflows start without it."""

from typing import Any

from shared.errors import InvalidInputError
from shared.scheduling.cron import parse_cron, parse_timezone

SCHEDULE_KEYS = {"cron", "timezone", "enabled", "input"}
MAX_ERRORS_SHOWN = 3


def check_input_schema(schema: dict[str, Any]) -> None:
    """A workflow's `input_schema` must itself be a valid JSON Schema (draft 2020-12 unless it says)."""
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import SchemaError
    from jsonschema.validators import validator_for

    try:
        validator_for(schema, default=Draft202012Validator).check_schema(schema)
    except SchemaError as exc:
        where = "/".join(str(part) for part in exc.path) or "(root)"
        raise InvalidInputError(f"input_schema is not a valid JSON Schema at {where}: {exc.message}") from exc
    _check_references(schema)


def _check_references(schema: dict[str, Any]) -> None:
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
                raise InvalidInputError(f"input_schema {path}: only local $ref (#/...) are allowed")
            resolver.lookup(reference)
    except InvalidInputError:
        raise
    except Exception as exc:
        raise InvalidInputError(
            f"input_schema has a $ref that does not resolve: {type(exc).__name__}"
        ) from exc


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


def check_input(schema: dict[str, Any], data: dict[str, Any], label: str = "input") -> None:
    """A run's input must satisfy the workflow's input_schema; 422 naming the first problems."""
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


def normalize_trigger(
    trigger_type: str, config: dict[str, Any], input_schema: dict[str, Any]
) -> dict[str, Any]:
    """The stored trigger_config: a schedule's {cron, timezone, enabled, input}; nothing for the others."""
    if trigger_type != "schedule":
        if config:
            raise InvalidInputError(f"trigger_config must be empty for a {trigger_type} trigger")
        return {}
    unknown = set(config) - SCHEDULE_KEYS
    if unknown:
        raise InvalidInputError(f"trigger_config has unknown keys: {', '.join(sorted(unknown))}")
    if "cron" not in config:
        raise InvalidInputError("trigger_config.cron is required for a schedule trigger")
    cron = config["cron"]
    parse_cron(cron)
    timezone = config.get("timezone", "UTC")
    if not isinstance(timezone, str):
        raise InvalidInputError("trigger_config.timezone must be a string such as Asia/Shanghai")
    parse_timezone(timezone)
    enabled = config.get("enabled", True)
    if not isinstance(enabled, bool):
        raise InvalidInputError("trigger_config.enabled must be true or false")
    run_input = config.get("input", {})
    if not isinstance(run_input, dict):
        raise InvalidInputError("trigger_config.input must be an object")
    check_input(input_schema, run_input, label="trigger_config.input")
    return {"cron": cron.strip(), "timezone": timezone, "enabled": enabled, "input": run_input}
