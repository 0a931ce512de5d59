"""Fixed-window rate limits (`shared.quotas.check_rate`) for actions that leave no row to count."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from shared import quotas
from shared.config import get_utc_now
from shared.errors import RateLimitedError
from shared.executions.maintenance import purge_expired
from shared.quotas import RateWindow


def test_a_key_is_allowed_its_limit_per_window_and_others_are_counted_apart(db, monkeypatch):
    now = get_utc_now().replace(second=10, microsecond=0)
    monkeypatch.setattr(quotas, "get_utc_now", lambda: now)
    for _ in range(3):
        quotas.check_rate(db, key="a", limit=3, window=quotas.MINUTE, what="tries")
    with pytest.raises(RateLimitedError) as refused:
        quotas.check_rate(db, key="a", limit=3, window=quotas.MINUTE, what="tries")
    assert refused.value.message == "Too many tries: 3 per minute"
    assert refused.value.retry_after_seconds == 51
    quotas.check_rate(db, key="b", limit=3, window=quotas.MINUTE, what="tries")
    # the next minute is a new window
    monkeypatch.setattr(quotas, "get_utc_now", lambda: now + timedelta(minutes=1))
    quotas.check_rate(db, key="a", limit=3, window=quotas.MINUTE, what="tries")


def test_maintenance_purges_windows_older_than_a_day(db):
    now = get_utc_now()
    db.add_all(
        [
            RateWindow(key="spent", window_start=now - timedelta(days=2), count=1),
            RateWindow(key="recent", window_start=now - timedelta(minutes=5), count=1),
        ]
    )
    db.flush()
    purge_expired(db)
    assert set(db.scalars(select(RateWindow.key).where(RateWindow.key.in_(["spent", "recent"])))) == {
        "recent"
    }
