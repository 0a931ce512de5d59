"""Who a request acts as: the user of a live access token (API keys: shared.auth.api_keys).

Apart from the sign-in service (shared.auth.service), so that every function's auth dependency imports
only this: no passwords, no mail, no user administration."""

import uuid
from dataclasses import dataclass

from sqlalchemy.orm import Session

from shared.auth import sessions as session_service
from shared.auth.security import decode_access_token
from shared.errors import AuthenticationError
from shared.users.models import User


@dataclass(frozen=True)
class Principal:
    """Who a request acts as, and through which sign-in (None for API keys)."""

    user: User
    session_family_id: uuid.UUID | None = None


def authenticate_access_token(*, session: Session, token: str) -> Principal:
    """The user of a valid access token whose sign-in is still live."""
    claims = decode_access_token(token)
    user = session.get(User, claims.user_id)
    if user is None or not user.is_active:
        raise AuthenticationError("Invalid access token")
    if not session_service.family_is_live(session=session, family_id=claims.session_family_id):
        raise AuthenticationError("This session has ended; sign in again")
    return Principal(user=user, session_family_id=claims.session_family_id)
