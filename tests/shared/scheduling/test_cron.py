"""Cron in both dialects: validation, the EventBridge form, and the next fire times."""

from datetime import UTC, datetime

import pytest

from shared.errors import InvalidInputError
from shared.scheduling.cron import parse_cron
from shared.scheduling.timezones import parse_timezone


@pytest.mark.parametrize(
    ("expression", "standard", "eventbridge"),
    [
        ("0 9 * * *", "0 9 * * *", "cron(0 9 * * ? *)"),
        ("*/15 * * * *", "*/15 * * * *", "cron(*/15 * * * ? *)"),
        ("0 9 * * 1-5", "0 9 * * 1-5", "cron(0 9 ? * MON,TUE,WED,THU,FRI *)"),
        ("0 9 * * 0", "0 9 * * 0", "cron(0 9 ? * SUN *)"),
        ("0 9 * * 5-7", "0 9 * * 5-7", "cron(0 9 ? * FRI,SAT,SUN *)"),
        ("0 8 1 * *", "0 8 1 * *", "cron(0 8 1 * ? *)"),
        ("0 9 * * 1#2", "0 9 * * 1#2", "cron(0 9 ? * 2#2 *)"),
        ("0 9 ? * MON-FRI *", "0 9 * * MON,TUE,WED,THU,FRI", "cron(0 9 ? * MON-FRI *)"),
        ("cron(0 10 ? * 6L *)", "0 10 * * L5", "cron(0 10 ? * 6L *)"),
        ("30 7 15 * ? *", "30 7 15 * *", "cron(30 7 15 * ? *)"),
        ("0 9 ? * 2 *", "0 9 * * MON", "cron(0 9 ? * 2 *)"),  # EventBridge counts Sunday as 1
    ],
)
def test_both_dialects_become_one_pair(expression, standard, eventbridge):
    parsed = parse_cron(expression)
    assert (parsed.standard, parsed.eventbridge) == (standard, eventbridge)


@pytest.mark.parametrize(
    ("expression", "why"),
    [
        ("0 9 * *", "expected 5 fields"),
        ("0 9 * * * * *", "expected 5 fields"),
        ("61 * * * *", "out of range"),
        ("0 25 * * *", "out of range"),
        ("0 9 1 * 1", "either a day-of-month or a day-of-week"),
        ("0 9 ? * ? *", "exactly one of day-of-month and day-of-week must be '?'"),
        ("0 9 1 * 2 *", "exactly one of day-of-month and day-of-week must be '?'"),
        ("0 9 ? * MON 2027", "only '*' is supported in the year field"),
        ("0 9 30 2 *", "never fires"),
        ("0 9 * * 8", "bad day-of-week"),
        ("0 9 ? * 0 *", "bad day-of-week"),
    ],
)
def test_invalid_expressions_are_422_with_a_reason(expression, why):
    with pytest.raises(InvalidInputError) as error:
        parse_cron(expression)
    assert why in error.value.message


def test_fire_times_follow_the_schedules_timezone():
    # 09:00 on weekdays in Shanghai is 01:00 UTC
    after = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)  # a Friday
    times = parse_cron("0 9 * * 1-5").next_fire_times("Asia/Shanghai", 3, after)
    assert times == [
        datetime(2026, 11, 23, 1, 0, tzinfo=UTC),
        datetime(2026, 11, 24, 1, 0, tzinfo=UTC),
        datetime(2026, 11, 25, 1, 0, tzinfo=UTC),
    ]


def test_fire_times_cross_daylight_saving_in_local_time():
    after = datetime(2026, 3, 7, 12, 0, tzinfo=UTC)
    first, second = parse_cron("0 9 * * *").next_fire_times("America/New_York", 2, after)
    assert (first.hour, second.hour) == (14, 13)  # EST then EDT: 09:00 local both days


def test_an_unknown_timezone_is_422():
    with pytest.raises(InvalidInputError, match="IANA"):
        parse_timezone("Mars/Olympus_Mons")
