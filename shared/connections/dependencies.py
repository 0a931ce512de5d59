"""Route dependencies that hand routes a connection with the caller's access (404 without one, 403 when
their share does not allow the route), and the chat sessions they may read or change."""

import uuid
from typing import Annotated

from fastapi import Depends

from shared.auth.dependencies import CurrentUser
from shared.connections import sessions, sharing
from shared.connections.models import ChatSession
from shared.connections.sharing import Access
from shared.db import SessionDep


def connection_access(connection_id: uuid.UUID, session: SessionDep, user: CurrentUser) -> Access:
    return sharing.access_to(session, connection_id, user)


AnyAccess = Annotated[Access, Depends(connection_access)]


def viewer(access: AnyAccess) -> Access:
    return sharing.require(access, "view", "reading the analysis")


def editor(access: AnyAccess) -> Access:
    return sharing.require(access, "owner", "changing the connection")


def owner(access: AnyAccess) -> Access:
    return sharing.require_owner(access, "delete it")


def readable_chat_session(session_id: uuid.UUID, access: AnyAccess, session: SessionDep) -> ChatSession:
    return sessions.readable(session, access, session_id)


def own_chat_session(session_id: uuid.UUID, access: AnyAccess, session: SessionDep) -> ChatSession:
    return sessions.own(session, access, session_id)


# any share (chat, view, owner) or the owner: chat and read one's own sessions
ChatAccess = AnyAccess
ViewAccess = Annotated[Access, Depends(viewer)]
EditAccess = Annotated[Access, Depends(editor)]
OwnerAccess = Annotated[Access, Depends(owner)]
ReadableChatSession = Annotated[ChatSession, Depends(readable_chat_session)]
OwnChatSession = Annotated[ChatSession, Depends(own_chat_session)]
