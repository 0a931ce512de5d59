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

# Holding is one statement: take :amount from the bonus credits first, then the credits, only if the two
# cover it (the row lock of `old` makes concurrent holds queue, so none can overspend), and write the
# hold and its ledger row with the balances after it.
HOLD_STATEMENT = text(
    """
    WITH old AS (SELECT id, bonus_credits AS bonus FROM users WHERE id = :user_id FOR UPDATE),
    taken AS (
        UPDATE users AS u
        SET bonus_credits = u.bonus_credits - LEAST(u.bonus_credits, :amount),
            credits = u.credits - GREATEST(:amount - u.bonus_credits, 0)
        FROM old
        WHERE u.id = old.id AND u.bonus_credits + u.credits >= :amount
        RETURNING u.id, LEAST(old.bonus, :amount) AS from_bonus, u.credits, u.bonus_credits
    ),
    held AS (
        INSERT INTO credit_holds (id, user_id, credits, bonus_credits, reference, created_at)
        SELECT :hold_id, id, :amount - from_bonus, from_bonus, :reference, clock_timestamp() FROM taken
    ),
    entry AS (
        INSERT INTO credit_transactions
            (id, user_id, kind, amount, bonus_amount, credits_after, bonus_credits_after, reference,
             created_at)
        SELECT gen_random_uuid(), id, 'hold', from_bonus - :amount, -from_bonus, credits, bonus_credits,
               :reference, clock_timestamp()
        FROM taken
    )
    SELECT from_bonus FROM taken
    """
)

# Settling is one statement: remove the hold (once: a hold maintenance released already gives back
# nothing), give it back, take :cost bonus credits first but never more than the balances have, and
# write the ledger rows (release, then consume) with the balances after each.
SETTLE_STATEMENT = text(
    """
    WITH gone AS (DELETE FROM credit_holds WHERE id = :hold_id RETURNING credits, bonus_credits),
    back AS (
        SELECT COALESCE(sum(credits), 0) AS hc, COALESCE(sum(bonus_credits), 0) AS hb FROM gone
    ),
    charge AS (
        SELECT u.id, back.hc, back.hb, u.credits + back.hc AS credits, u.bonus_credits + back.hb AS bonus,
               LEAST(u.bonus_credits + back.hb, :cost) AS from_bonus,
               LEAST(u.credits + back.hc, GREATEST(:cost - (u.bonus_credits + back.hb), 0)) AS from_credits
        FROM users AS u, back
        WHERE u.id = :user_id
        FOR UPDATE OF u
    ),
    paid AS (
        UPDATE users AS u
        SET credits = charge.credits - charge.from_credits, bonus_credits = charge.bonus - charge.from_bonus
        FROM charge
        WHERE u.id = charge.id
    ),
    entries AS (
        INSERT INTO credit_transactions
            (id, user_id, kind, amount, bonus_amount, credits_after, bonus_credits_after, reference,
             created_at)
        SELECT gen_random_uuid(), id, 'release', hc, hb, credits, bonus, :reference, clock_timestamp()
        FROM charge WHERE hc + hb > 0
        UNION ALL
        SELECT gen_random_uuid(), id, 'consume', -from_credits, -from_bonus, credits - from_credits,
               bonus - from_bonus, :reference, clock_timestamp()
        FROM charge
    )
    SELECT from_bonus + from_credits AS charged FROM charge
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
    cover it. The hold returned is what settle() or release() are given back."""
    hold_id = uuid.uuid4()
    from_bonus = session.scalar(
        HOLD_STATEMENT, {"user_id": user_id, "amount": amount, "hold_id": hold_id, "reference": reference}
    )
    if from_bonus is None:
        available = balances(session, user_id).total
        raise PaymentRequiredError(
            f"Not enough credits: this call may cost up to {amount} credits and {available} are available"
        )
    return CreditHold(
        id=hold_id,
        user_id=user_id,
        credits=amount - from_bonus,
        bonus_credits=from_bonus,
        reference=reference,
    )


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
    charged = session.scalar(
        SETTLE_STATEMENT,
        {"hold_id": held.id, "user_id": held.user_id, "cost": cost, "reference": held.reference},
    )
    return Decimal(charged)


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
