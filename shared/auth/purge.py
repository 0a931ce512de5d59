"""Sign-in rows the auth domain keeps a day past their expiry, then purges (maintenance calls this)."""

from datetime import timedelta

from sqlalchemy import delete
from sqlalchemy.orm import Session

from shared.auth.models import OAuthState, OneTimeToken, UserSession
from shared.config import get_utc_now

EXPIRED_ROW_RETENTION = timedelta(days=1)


def purge_expired(session: Session) -> int:
    """Spent or expired one-time tokens and OAuth states, and dead sessions; the caller commits."""
    cutoff = get_utc_now() - EXPIRED_ROW_RETENTION
    statements = [
        delete(OneTimeToken).where(OneTimeToken.expires_at < cutoff),
        delete(OAuthState).where(OAuthState.expires_at < cutoff),
        delete(UserSession).where(UserSession.expires_at < cutoff),
    ]
    return sum(session.execute(statement).rowcount for statement in statements)
