"""Input schemas (JSON Schema), run inputs and trigger configurations of workflows."""

from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError
from jsonschema.validators import validator_for

from shared.errors import InvalidInputError
from shared.scheduling.cron import parse_cron, parse_timezone

SCHEDULE_KEYS = {"cron", "timezone", "enabled", "input"}
MAX_ERRORS_SHOWN = 3


def check_input_schema(schema: dict[str, Any]) -> None:
    """A workflow's `input_schema` must itself be a valid JSON Schema (draft 2020-12 unless it says)."""
    try:
        validator_for(schema, default=Draft202012Validator).check_schema(schema)
    except SchemaError as exc:
        where = "/".join(str(part) for part in exc.path) or "(root)"
        raise InvalidInputError(f"input_schema is not a valid JSON Schema at {where}: {exc.message}") from exc


def check_input(schema: dict[str, Any], data: dict[str, Any], label: str = "input") -> None:
    """A run's input must satisfy the workflow's input_schema; 422 naming the first problems."""
    validator = validator_for(schema, default=Draft202012Validator)(schema)
    errors = sorted(validator.iter_errors(data), key=lambda error: list(error.path))
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
