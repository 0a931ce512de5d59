"""IANA time zone names, as schedules and user profiles accept them. Light on purpose (no croniter):
the profiles' schemas import it."""

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from shared.errors import InvalidInputError

MAX_TIMEZONE_LENGTH = 64
# files of the zone database that are no zone of their own: the host's clock, and helpers
NOT_ZONES = frozenset({"localtime", "posixrules", "Factory"})
NOT_A_ZONE = "is not an IANA time zone such as Asia/Shanghai"


def parse_timezone(name: str) -> ZoneInfo:
    """The zone `name` names; a 422 otherwise (which does not repeat a long name)."""
    try:
        if len(name) > MAX_TIMEZONE_LENGTH or name in NOT_ZONES:
            raise ValueError(name)
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:
        shown = repr(name) if len(name) <= MAX_TIMEZONE_LENGTH else "this long name"
        raise InvalidInputError(f"timezone {shown} {NOT_A_ZONE}") from exc
