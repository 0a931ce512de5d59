"""Credits that never overspend: holds take bonus credits first, settle to the real cost, release on
failure; every change is a ledger row with the balances after it; no balance ever goes negative."""

import threading
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import create_engine, delete, select, update
from sqlalchemy.orm import Session

from shared.config import get_utc_now
from shared.errors import InvalidInputError, NotFoundError, PaymentRequiredError
from shared.llm import credits
from shared.llm.models import CreditHold, CreditTransaction
from shared.users.models import User
from tests.factories import make_user


def ledger(db: Session, user: User) -> list[tuple[str, Decimal, Decimal, Decimal, Decimal]]:
    rows = db.scalars(
        select(CreditTransaction)
        .where(CreditTransaction.user_id == user.id)
        .order_by(CreditTransaction.created_at, CreditTransaction.id)
    )
    return [(r.kind, r.amount, r.bonus_amount, r.credits_after, r.bonus_credits_after) for r in rows]


def funded(db: Session, credit: str, bonus: str) -> User:
    return make_user(db, credits=Decimal(credit), bonus_credits=Decimal(bonus))


def age(db, held, by: timedelta) -> None:  # type: ignore[no-untyped-def]
    """Make a hold look as old as a call whose worker died."""
    db.execute(update(CreditHold).where(CreditHold.id == held.id).values(created_at=get_utc_now() - by))


def test_a_hold_takes_bonus_credits_first_then_credits(db):
    user = funded(db, "10", "3")
    held = credits.hold(db, user_id=user.id, amount=Decimal("4.5"), reference="execution:x")
    assert (held.bonus_credits, held.credits) == (Decimal("3"), Decimal("1.5"))
    assert credits.balances(db, user.id) == credits.Balances(Decimal("8.5"), Decimal("0"))
    assert ledger(db, user) == [("hold", Decimal("-1.5"), Decimal("-3"), Decimal("8.5"), Decimal("0"))]


def test_a_hold_the_balances_cannot_cover_is_402_and_changes_nothing(db):
    user = funded(db, "1", "0.5")
    with pytest.raises(PaymentRequiredError, match=r"up to 2\.0000 credits and 1\.5000 are available"):
        credits.hold(db, user_id=user.id, amount=Decimal("2.0000"), reference="execution:x")
    assert credits.balances(db, user.id).total == Decimal("1.5")
    assert ledger(db, user) == []


def test_settling_charges_the_real_cost_bonus_first_and_gives_back_the_rest(db):
    # GIVEN a hold of 4 taken from 3 bonus credits and 1 credit
    user = funded(db, "10", "3")
    held = credits.hold(db, user_id=user.id, amount=Decimal("4"), reference="execution:x")
    # WHEN the call really cost 2.5
    charged = credits.settle(db, held, Decimal("2.5"))
    # THEN 2.5 bonus credits are spent, the rest comes back, and the ledger says each step
    assert charged == Decimal("2.5")
    assert credits.balances(db, user.id) == credits.Balances(Decimal("10"), Decimal("0.5"))
    assert ledger(db, user) == [
        ("hold", Decimal("-1"), Decimal("-3"), Decimal("9"), Decimal("0")),
        ("release", Decimal("1"), Decimal("3"), Decimal("10"), Decimal("3")),
        ("consume", Decimal("0"), Decimal("-2.5"), Decimal("10"), Decimal("0.5")),
    ]
    assert db.scalars(select(CreditHold).where(CreditHold.user_id == user.id)).all() == []


def test_a_cost_beyond_the_hold_takes_only_what_the_balances_have(db):
    user = funded(db, "1", "0")
    held = credits.hold(db, user_id=user.id, amount=Decimal("0.8"), reference="execution:x")
    assert credits.settle(db, held, Decimal("5")) == Decimal("1")
    assert credits.balances(db, user.id).total == Decimal("0")


def test_a_failed_call_gets_its_whole_hold_back(db):
    user = funded(db, "2", "1")
    held = credits.hold(db, user_id=user.id, amount=Decimal("2"), reference="execution:x")
    credits.release(db, held, note="the call failed")
    assert credits.balances(db, user.id) == credits.Balances(Decimal("2"), Decimal("1"))
    assert ledger(db, user)[-1] == ("release", Decimal("1"), Decimal("1"), Decimal("2"), Decimal("1"))


def test_maintenance_releases_holds_whose_call_cannot_still_be_running(db):
    user = funded(db, "5", "0")
    old = credits.hold(db, user_id=user.id, amount=Decimal("2"), reference="execution:lost")
    age(db, old, timedelta(hours=1))
    credits.hold(db, user_id=user.id, amount=Decimal("1"), reference="execution:running")
    db.flush()
    assert credits.release_stale_holds(db, older_than=get_utc_now() - timedelta(minutes=10)) == 1
    assert credits.balances(db, user.id).total == Decimal("4")


def test_grants_add_or_take_away_but_never_below_zero(db):
    user = funded(db, "1", "0")
    admin = make_user(db)
    entries = credits.grant(
        db,
        user_id=user.id,
        credits=Decimal("5"),
        bonus_credits=Decimal("2"),
        note="welcome",
        actor_id=admin.id,
    )
    assert [(e.kind, e.amount, e.bonus_amount, e.actor_id) for e in entries] == [
        ("grant", Decimal("5"), Decimal("0"), admin.id),
        ("bonus_grant", Decimal("0"), Decimal("2"), admin.id),
    ]
    credits.grant(db, user_id=user.id, credits=Decimal("-6"), note="correction")
    assert credits.balances(db, user.id) == credits.Balances(Decimal("0"), Decimal("2"))
    with pytest.raises(InvalidInputError, match="below zero"):
        credits.grant(db, user_id=user.id, bonus_credits=Decimal("-2.0001"), note="too much")
    with pytest.raises(NotFoundError):
        credits.grant(db, user_id=uuid.uuid4(), credits=Decimal("1"), note="nobody")


def test_concurrent_holds_never_overspend(admin_engine):
    """Twenty callers race to hold 1 credit each against a balance of 5 (+0 bonus): five win, fifteen
    get a 402, and the balance ends at zero, never below."""
    engine = create_engine(admin_engine.url, pool_size=20, max_overflow=0)
    with Session(engine) as setup:
        user = User(email=f"race-{uuid.uuid4().hex[:8]}@example.com", username=f"race_{uuid.uuid4().hex[:8]}")
        user.credits, user.bonus_credits = Decimal("3"), Decimal("2")
        setup.add(user)
        setup.commit()
        user_id = user.id
    results: list[str] = []
    start = threading.Barrier(20)

    def race() -> None:
        with Session(engine) as session:
            start.wait()
            try:
                credits.hold(session, user_id=user_id, amount=Decimal("1"), reference="race")
                session.commit()
                results.append("held")
            except PaymentRequiredError:
                session.rollback()
                results.append("refused")

    threads = [threading.Thread(target=race) for _ in range(20)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        with Session(engine) as check:
            assert sorted(results) == ["held"] * 5 + ["refused"] * 15
            assert credits.balances(check, user_id) == credits.Balances(Decimal("0"), Decimal("0"))
            assert len(check.scalars(select(CreditHold).where(CreditHold.user_id == user_id)).all()) == 5
    finally:
        with Session(engine) as cleanup:
            cleanup.execute(delete(User).where(User.id == user_id))
            cleanup.commit()
        engine.dispose()


def test_a_hold_released_by_maintenance_is_not_given_back_twice_when_its_call_finishes(db):
    # GIVEN a hold that maintenance released while its call was still running
    user = funded(db, "5", "0")
    held = credits.hold(db, user_id=user.id, amount=Decimal("2"), reference="execution:slow")
    age(db, held, timedelta(hours=1))
    credits.release_stale_holds(db, older_than=get_utc_now() - timedelta(minutes=10))
    # WHEN the call finishes after all and settles, and a failure path releases it again
    assert credits.settle(db, held, Decimal("0.5")) == Decimal("0.5")
    credits.release(db, held)
    # THEN the hold came back once and the call was charged once
    assert credits.balances(db, user.id).total == Decimal("4.5")
    assert [kind for kind, *_ in ledger(db, user)] == ["hold", "release", "consume"]
