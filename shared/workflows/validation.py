"""Trigger configurations of workflows (JSON Schema checks: shared.json_schema)."""

from typing import Any

from shared.errors import InvalidInputError
from shared.json_schema import check_instance
from shared.scheduling.cron import parse_cron
from shared.scheduling.timezones import parse_timezone

SCHEDULE_KEYS = {"cron", "timezone", "enabled", "input"}


def normalize_trigger(
    trigger_type: str, config: dict[str, Any], input_schema: dict[str, Any], *, default_timezone: str = "UTC"
) -> dict[str, Any]:
    """The stored trigger_config: a schedule's {cron, timezone, enabled, input}, in `default_timezone`
    (the owner's) unless it names one; nothing for the other triggers."""
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
    timezone = config.get("timezone", default_timezone)
    if not isinstance(timezone, str):
        raise InvalidInputError("trigger_config.timezone must be a string such as Asia/Shanghai")
    parse_timezone(timezone)
    enabled = config.get("enabled", True)
    if not isinstance(enabled, bool):
        raise InvalidInputError("trigger_config.enabled must be true or false")
    run_input = config.get("input", {})
    if not isinstance(run_input, dict):
        raise InvalidInputError("trigger_config.input must be an object")
    check_instance(input_schema, run_input, label="trigger_config.input")
    return {"cron": cron.strip(), "timezone": timezone, "enabled": enabled, "input": run_input}
