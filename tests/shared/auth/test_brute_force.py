"""More than 5 failures for one account, or 20 from one IP, within 15 minutes → 429 with Retry-After."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from shared.auth.models import LoginLog
from tests.accounts import login, signup

pytestmark = pytest.mark.usefixtures("mailbox")


def fail(client, identifier: str, times: int) -> None:
    for _ in range(times):
        assert login(client, identifier, "wrong password").status_code == 401


def age_failures(db, minutes: int) -> None:
    db.execute(
        update(LoginLog)
        .where(LoginLog.status == "failure")
        .values(created_at=LoginLog.created_at - timedelta(minutes=minutes))
    )


def test_the_sixth_attempt_after_five_failures_is_429_even_with_the_right_password(client):
    signup(client, email="target@example.com")
    fail(client, "target@example.com", 5)
    response = login(client, "target@example.com")
    assert response.status_code == 429
    assert 0 < int(response.headers["retry-after"]) <= 15 * 60
    assert "Too many failed sign-in attempts" in response.json()["detail"]


def test_failures_by_username_and_by_email_count_for_the_same_account(client):
    signup(client, email="both@example.com", username="both_ways")
    fail(client, "both@example.com", 3)
    for _ in range(2):
        assert login(client, "both_ways", "wrong password", field="username").status_code == 401
    assert login(client, "both@example.com").status_code == 429


def test_blocked_attempts_are_logged_but_do_not_extend_the_block(client, db):
    signup(client, email="patient@example.com")
    fail(client, "patient@example.com", 5)
    assert login(client, "patient@example.com").status_code == 429
    assert login(client, "patient@example.com").status_code == 429
    blocked = db.scalar(select(func.count()).select_from(LoginLog).where(LoginLog.status == "blocked"))
    assert blocked == 2
    # WHEN the failures leave the 15-minute window
    age_failures(db, 16)
    # THEN the right password works again
    assert login(client, "patient@example.com").status_code == 200


def test_failures_older_than_the_window_do_not_count(client, db):
    signup(client, email="old@example.com")
    fail(client, "old@example.com", 5)
    age_failures(db, 16)
    fail(client, "old@example.com", 4)
    assert login(client, "old@example.com").status_code == 200


def test_other_accounts_are_not_blocked_by_one_accounts_failures(client):
    signup(client, email="victim@example.com")
    signup(client, email="bystander@example.com")
    fail(client, "victim@example.com", 5)
    assert login(client, "bystander@example.com").status_code == 200


def test_twenty_failures_from_one_ip_block_that_ip_for_every_account(client):
    signup(client, email="innocent@example.com")
    for n in range(20):
        fail(client, f"spray{n}@example.com", 1)  # one guess each at many accounts
    response = login(client, "innocent@example.com")
    assert response.status_code == 429
    assert int(response.headers["retry-after"]) > 0
