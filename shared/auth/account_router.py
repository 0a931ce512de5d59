"""/v1/users/me: the caller's sign-ins (sessions), sign-in history and linked providers (UsersFunction;
the logic is auth's, beside the sessions and the login log)."""

import uuid
from datetime import datetime
from typing import Literal

from fastapi import APIRouter, status
from pydantic import BaseModel

from shared.api.pagination import Page, PageDep
from shared.api.responses import error_responses
from shared.auth import connections, login_history, user_agents
from shared.auth import sessions as session_service
from shared.auth.dependencies import CurrentPrincipal, CurrentUser
from shared.db import SessionDep

router = APIRouter(prefix="/users/me", tags=["users"])


class SessionPublic(BaseModel):
    id: uuid.UUID  # the sign-in (its family of refresh tokens)
    device: str | None
    os: str | None
    browser: str | None
    user_agent: str | None
    ip: str | None
    created_at: datetime
    last_used_at: datetime | None
    current: bool


class SignInPublic(BaseModel):
    """One attempt on the caller's account."""

    id: uuid.UUID
    method: str
    status: str
    ip: str | None
    city: str | None
    os: str | None
    browser: str | None
    device: str | None
    created_at: datetime


class ConnectionPublic(BaseModel):
    provider: str
    linked: bool


@router.get("/sessions", response_model=list[SessionPublic], responses=error_responses(401))
def list_my_sessions(principal: CurrentPrincipal, session: SessionDep) -> list[SessionPublic]:
    """The caller's live sign-ins, most recently used first; `current` is the one of this token."""
    views = []
    for record in session_service.live_sign_ins(session=session, user_id=principal.user.id):
        agent = user_agents.parse(record.user_agent)
        views.append(
            SessionPublic(
                id=record.family_id,
                device=agent.device,
                os=agent.os,
                browser=agent.browser,
                user_agent=record.user_agent,
                ip=record.ip,
                created_at=record.signed_in_at,
                last_used_at=record.last_used_at,
                current=record.family_id == principal.session_family_id,
            )
        )
    return views


@router.delete(
    "/sessions/{session_id}", status_code=status.HTTP_204_NO_CONTENT, responses=error_responses(401, 404, 422)
)
def end_my_session(session_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> None:
    """Sign one of the caller's sign-ins out (its refresh token and access tokens stop at once)."""
    session_service.end_sign_in(session=session, user_id=user.id, family_id=session_id)


@router.get("/login-history", response_model=Page[SignInPublic], responses=error_responses(401, 422))
def read_my_login_history(user: CurrentUser, session: SessionDep, page: PageDep) -> Page[SignInPublic]:
    """Sign-ins and failed attempts on the caller's account, newest first."""
    rows, total = login_history.history_of(session=session, user_id=user.id, page=page)
    return Page.of([SignInPublic.model_validate(row, from_attributes=True) for row in rows], total, page)


@router.get("/connections", response_model=list[ConnectionPublic], responses=error_responses(401))
def list_my_connections(user: CurrentUser) -> list[ConnectionPublic]:
    return [ConnectionPublic(provider=c.provider, linked=c.linked) for c in connections.connections_of(user)]


@router.delete(
    "/connections/{provider}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(401, 404, 409, 422),
)
def unlink_my_connection(
    provider: Literal["github", "wechat"], user: CurrentUser, session: SessionDep
) -> None:
    """Unlink a provider; 409 if it is the account's only way to sign in."""
    connections.unlink(session=session, user=user, provider=provider)
