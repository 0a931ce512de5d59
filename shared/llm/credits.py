"""Credits that never overspend: a call holds its maximum cost with one conditional UPDATE (bonus
credits first), settles to its real cost afterwards, and releases the hold when it fails. Every change
of a balance is a row of the ledger, with both balances after it. Callers commit."""

import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import delete, select, text, update
from sqlalchemy.orm import Session

from shared.api.pagination import PageParams, paginate
from shared.errors import InvalidInputError, NotFoundError, PaymentRequiredError
from shared.llm.models import CreditHold, CreditTransaction
from shared.users.models import User

ZERO = Decimal(0)

# One statement takes `amount` from the bonus credits first, then the credits, only if the two cover
# it; the row lock of the subquery makes concurrent holds queue, so none can overspend.
HOLD_STATEMENT = text(
    """
    UPDATE users AS u
    SET bonus_credits = u.bonus_credits - LEAST(u.bonus_credits, :amount),
        credits = u.credits - GREATEST(:amount - u.bonus_credits, 0)
    FROM (SELECT id, bonus_credits AS before FROM users WHERE id = :user_id FOR UPDATE) AS old
    WHERE u.id = old.id AND u.bonus_credits + u.credits >= :amount
    RETURNING LEAST(old.before, :amount) AS from_bonus, u.credits, u.bonus_credits
    """
)


# Give back a hold (:hc credits, :hb bonus credits) and take :cost, bonus credits first, capped at what
# the balances have; returns the balances between the two steps and after both.
SETTLE_STATEMENT = text(
    """
    UPDATE users AS u
    SET bonus_credits = old.bonus + :hb - LEAST(old.bonus + :hb, :cost),
        credits = old.credits + :hc - LEAST(old.credits + :hc, GREATEST(:cost - (old.bonus + :hb), 0))
    FROM (SELECT id, credits, bonus_credits AS bonus FROM users WHERE id = :user_id FOR UPDATE) AS old
    WHERE u.id = old.id
    RETURNING old.credits + :hc AS released_credits, old.bonus + :hb AS released_bonus,
              u.credits, u.bonus_credits
    """
)


@dataclass(frozen=True)
class Balances:
    credits: Decimal
    bonus_credits: Decimal

    @property
    def total(self) -> Decimal:
        return self.credits + self.bonus_credits


def balances(session: Session, user_id: uuid.UUID) -> Balances:
    row = session.execute(select(User.credits, User.bonus_credits).where(User.id == user_id)).one_or_none()
    if row is None:
        raise NotFoundError("User not found")
    return Balances(row.credits, row.bonus_credits)


def _add(session: Session, user_id: uuid.UUID, credits: Decimal, bonus_credits: Decimal) -> Balances:
    """Change both balances by signed amounts in one statement; returns them after."""
    row = session.execute(
        update(User)
        .where(User.id == user_id)
        .values(credits=User.credits + credits, bonus_credits=User.bonus_credits + bonus_credits)
        .returning(User.credits, User.bonus_credits)
    ).one()
    return Balances(row.credits, row.bonus_credits)


def _record(
    session: Session,
    *,
    user_id: uuid.UUID,
    kind: str,
    credits: Decimal,
    bonus_credits: Decimal,
    after: Balances,
    reference: str | None = None,
    note: str | None = None,
    actor_id: uuid.UUID | None = None,
) -> CreditTransaction:
    entry = CreditTransaction(
        user_id=user_id,
        kind=kind,
        amount=credits,
        bonus_amount=bonus_credits,
        credits_after=after.credits,
        bonus_credits_after=after.bonus_credits,
        reference=reference,
        note=note,
        actor_id=actor_id,
    )
    session.add(entry)
    return entry


def hold(session: Session, *, user_id: uuid.UUID, amount: Decimal, reference: str) -> CreditHold:
    """Take `amount` (bonus credits first) for a call about to be made; 402 if the balances cannot
    cover it."""
    row = session.execute(HOLD_STATEMENT, {"user_id": user_id, "amount": amount}).one_or_none()
    if row is None:
        available = balances(session, user_id).total
        raise PaymentRequiredError(
            f"Not enough credits: this call may cost up to {amount} credits and {available} are available"
        )
    from_bonus = Decimal(row.from_bonus)
    held = CreditHold(
        user_id=user_id, credits=amount - from_bonus, bonus_credits=from_bonus, reference=reference
    )
    session.add(held)
    after = Balances(row.credits, row.bonus_credits)
    _record(
        session,
        user_id=user_id,
        kind="hold",
        credits=-held.credits,
        bonus_credits=-from_bonus,
        after=after,
        reference=reference,
    )
    session.flush()
    return held


def _take_hold(session: Session, held: CreditHold) -> tuple[Decimal, Decimal]:
    """Remove the hold, once: the (credits, bonus credits) it held, or zeros when it is gone already
    (maintenance released it while its call was still running), so nothing is given back twice."""
    row = session.execute(
        delete(CreditHold)
        .where(CreditHold.id == held.id)
        .returning(CreditHold.credits, CreditHold.bonus_credits)
    ).one_or_none()
    return (row.credits, row.bonus_credits) if row is not None else (ZERO, ZERO)


def release(session: Session, held: CreditHold, note: str | None = None) -> None:
    """The call did not happen (failure, timeout, cancel): everything held goes back."""
    credits_held, bonus_held = _take_hold(session, held)
    if not credits_held and not bonus_held:
        return
    after = _add(session, held.user_id, credits_held, bonus_held)
    _record(
        session,
        user_id=held.user_id,
        kind="release",
        credits=credits_held,
        bonus_credits=bonus_held,
        after=after,
        reference=held.reference,
        note=note,
    )


def settle(session: Session, held: CreditHold, cost: Decimal) -> Decimal:
    """Give back the call's hold and charge its real cost, bonus credits first, in one statement;
    returns what was charged. A cost above the hold (a provider ignoring max_tokens) takes what the
    balances have and never more, so no balance goes negative."""
    credits_held, bonus_held = _take_hold(session, held)
    row = session.execute(
        SETTLE_STATEMENT, {"user_id": held.user_id, "hc": credits_held, "hb": bonus_held, "cost": cost}
    ).one()
    released = Balances(row.released_credits, row.released_bonus)
    after = Balances(row.credits, row.bonus_credits)
    if credits_held or bonus_held:
        _record(
            session,
            user_id=held.user_id,
            kind="release",
            credits=credits_held,
            bonus_credits=bonus_held,
            after=released,
            reference=held.reference,
        )
    _record(
        session,
        user_id=held.user_id,
        kind="consume",
        credits=after.credits - released.credits,
        bonus_credits=after.bonus_credits - released.bonus_credits,
        after=after,
        reference=held.reference,
    )
    session.flush()
    return released.total - after.total


def release_stale_holds(session: Session, older_than: datetime) -> int:
    """Holds whose call can no longer be running (its worker died) go back to their owners."""
    stale = session.scalars(
        select(CreditHold).where(CreditHold.created_at < older_than).with_for_update(skip_locked=True)
    ).all()
    for held in stale:
        release(session, held, note="released by maintenance: the call did not finish")
    return len(stale)


def grant(
    session: Session,
    *,
    user_id: uuid.UUID,
    credits: Decimal = ZERO,
    bonus_credits: Decimal = ZERO,
    note: str | None = None,
    actor_id: uuid.UUID | None = None,
) -> list[CreditTransaction]:
    """Add (or, negative, take away) credits and bonus credits; 422 if a balance would go below zero."""
    user = session.scalar(select(User).where(User.id == user_id).with_for_update())
    if user is None:
        raise NotFoundError("User not found")
    if user.credits + credits < 0 or user.bonus_credits + bonus_credits < 0:
        raise InvalidInputError(
            f"A balance would go below zero: the user has {user.credits} credits and "
            f"{user.bonus_credits} bonus credits"
        )
    entries = []
    for kind, to_credits, to_bonus in (("grant", credits, ZERO), ("bonus_grant", ZERO, bonus_credits)):
        if to_credits or to_bonus:
            after = _add(session, user_id, to_credits, to_bonus)
            entries.append(
                _record(
                    session,
                    user_id=user_id,
                    kind=kind,
                    credits=to_credits,
                    bonus_credits=to_bonus,
                    after=after,
                    note=note,
                    actor_id=actor_id,
                )
            )
    session.flush()
    return entries


def list_transactions(
    session: Session, *, user_id: uuid.UUID, page: PageParams, kind: str | None = None
) -> tuple[list[CreditTransaction], int]:
    """A user's ledger, newest first."""
    query = select(CreditTransaction).where(CreditTransaction.user_id == user_id)
    if kind is not None:
        query = query.where(CreditTransaction.kind == kind)
    return paginate(session, query.order_by(CreditTransaction.created_at.desc(), CreditTransaction.id), page)
