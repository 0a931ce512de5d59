"""Cron expressions of scheduled workflows: the common 5-field form and EventBridge's 6-field form.

Both are normalised to a pair: the 5-field expression croniter computes fire times with, and the
`cron(...)` expression EventBridge Scheduler runs. Their day-of-week numbers differ (cron: 0 = Sunday,
EventBridge: 1 = Sunday), and EventBridge wants `?` in one of the two day fields."""

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from croniter import CroniterBadCronError, CroniterBadDateError, CroniterError, croniter

from shared.errors import InvalidInputError
from shared.scheduling.timezones import parse_timezone

DAY_NAMES = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")
MAX_EXPRESSION_LENGTH = 200


@dataclass(frozen=True)
class CronExpression:
    standard: str  # "m h dom mon dow", dow 0-6 from Sunday
    eventbridge: str  # "cron(m h dom mon dow year)", dow 1-7 from Sunday

    def next_fire_times(self, timezone: str, count: int, after: datetime | None = None) -> list[datetime]:
        """The next `count` fire times in UTC, as the schedule's timezone sees the clock."""
        zone = parse_timezone(timezone)
        start = (after or datetime.now(UTC)).astimezone(zone)
        iterator = croniter(self.standard, start)
        return [iterator.get_next(datetime).astimezone(UTC) for _ in range(count)]


def _day_number(token: str, *, eventbridge: bool) -> int:
    """A day-of-week token as 0-6 from Sunday."""
    upper = token.upper()
    if upper in DAY_NAMES:
        return DAY_NAMES.index(upper)
    if not token.isdigit():
        raise ValueError(token)
    number = int(token)
    if eventbridge:
        if not 1 <= number <= 7:
            raise ValueError(token)
        return number - 1
    if not 0 <= number <= 7:
        raise ValueError(token)
    return number % 7


def _convert_days(field: str, *, from_eventbridge: bool) -> str:
    """Rewrite a day-of-week field for the other dialect; ranges and steps become explicit lists."""

    def to_target(day: int) -> str:
        return str(day) if from_eventbridge else str(day + 1)

    parts = []
    for element in field.split(","):
        nth = re.fullmatch(r"(\w+)#([1-5])", element)
        # "last <day> of the month": EventBridge writes 6L, croniter L5
        last = re.fullmatch(r"(\d)L", element) if from_eventbridge else re.fullmatch(r"L(\d)", element)
        if nth:
            parts.append(f"{to_target(_day_number(nth[1], eventbridge=from_eventbridge))}#{nth[2]}")
            continue
        if last:
            day = _day_number(last[1], eventbridge=from_eventbridge)
            parts.append(f"L{day}" if from_eventbridge else f"{day + 1}L")
            continue
        body, _, step_text = element.partition("/")
        step = int(step_text) if step_text else 1
        if step < 1:
            raise ValueError(element)
        if body == "*":
            days = list(range(7))
        elif "-" in body:
            low, high = body.split("-", 1)
            first = _day_number(low, eventbridge=from_eventbridge)
            final = _day_number(high, eventbridge=from_eventbridge)
            if high == "7" and not from_eventbridge:
                final = 7  # "5-7" is Friday to Sunday
            if final < first:
                raise ValueError(element)
            days = [day % 7 for day in range(first, final + 1)]
        else:
            days = [_day_number(body, eventbridge=from_eventbridge)]
        parts.extend(DAY_NAMES[day] for day in days[::step])
    return ",".join(dict.fromkeys(parts))


def _refuse(expression: str, why: str) -> InvalidInputError:
    return InvalidInputError(f"cron {expression!r} is not valid: {why}")


def parse_cron(expression: str) -> CronExpression:
    """Accept `m h dom mon dow` or EventBridge's `m h dom mon dow year` (optionally inside `cron(...)`)."""
    if not isinstance(expression, str) or len(expression) > MAX_EXPRESSION_LENGTH:
        raise InvalidInputError("cron must be a string of at most 200 characters")
    text = expression.strip()
    if text.startswith("cron(") and text.endswith(")"):
        text = text[5:-1].strip()
    fields = text.split()
    try:
        if len(fields) == 5:
            minute, hour, dom, month, dow = fields
            if "?" in (dom, dow):
                raise _refuse(expression, "'?' belongs to the 6-field EventBridge form")
            if dom != "*" and dow != "*":
                raise _refuse(
                    expression, "EventBridge runs either a day-of-month or a day-of-week rule; set one to *"
                )
            standard = " ".join(fields)
            eb_dom, eb_dow = (dom, "?") if dow == "*" else ("?", _convert_days(dow, from_eventbridge=False))
            eventbridge = f"cron({minute} {hour} {eb_dom} {month} {eb_dow} *)"
        elif len(fields) == 6:
            minute, hour, dom, month, dow, year = fields
            if (dom == "?") == (dow == "?"):
                raise _refuse(expression, "exactly one of day-of-month and day-of-week must be '?'")
            if year != "*":
                raise _refuse(expression, "only '*' is supported in the year field")
            std_dow = "*" if dow == "?" else _convert_days(dow, from_eventbridge=True)
            standard = f"{minute} {hour} {'*' if dom == '?' else dom} {month} {std_dow}"
            eventbridge = f"cron({' '.join(fields)})"
        else:
            raise _refuse(expression, f"expected 5 fields (or 6 for EventBridge), got {len(fields)}")
    except ValueError as exc:
        raise _refuse(expression, f"bad day-of-week {exc}") from exc
    if not croniter.is_valid(standard):
        raise _refuse(expression, "a field is out of range or malformed")
    try:
        croniter(standard, datetime.now(UTC)).get_next(datetime)
    except (CroniterBadCronError, CroniterBadDateError, CroniterError) as exc:
        raise _refuse(expression, "it never fires") from exc
    return CronExpression(standard=standard, eventbridge=eventbridge)
