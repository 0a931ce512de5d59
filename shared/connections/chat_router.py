"""The NL→SQL chat of a connection, its sessions, public share links and SQL history; and
/v1/shared-chats/{token}, which anyone may read. Served by ConnectionsFunction (with router)."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Path, Response, status
from sqlalchemy.orm import Session

from shared.api.pagination import Page, PageDep
from shared.api.responses import JSON_BODY, error_responses
from shared.auth.dependencies import CurrentUser
from shared.connections import chat, sessions
from shared.connections.dependencies import ChatAccess, OwnChatSession, ReadableChatSession
from shared.connections.models import ChatSession
from shared.connections.schemas import (
    ChatAnswer,
    ChatMessagePublic,
    ChatRequest,
    ChatSessionDetail,
    ChatSessionPublic,
    ShareAnswer,
    SharedChat,
    SharedMessage,
    ShareRequest,
    SqlHistoryItem,
)
from shared.db import SessionDep

router = APIRouter(tags=["connections"])
ShareToken = Annotated[str, Path(min_length=1, max_length=200)]
CHAT_RESPONSES = {
    202: {"model": ChatAnswer, "description": "Not ready in time: a pending answer the worker finishes"},
    **error_responses(401, 402, 404, 409, 429, *JSON_BODY),
}


@router.post("/connections/{connection_id}/chat", response_model=ChatAnswer, responses=CHAT_RESPONSES)
def ask(
    body: ChatRequest, access: ChatAccess, user: CurrentUser, session: SessionDep, response: Response
) -> ChatAnswer:
    """Ask a question: 200 with the answer (its SQL, columns, rows, timing, or the error), or 202 with
    a pending answer when it takes longer; 409 until the connection's analysis is ready."""
    outcome = chat.ask(
        session,
        connection=access.connection,
        user=user,
        question=body.question,
        session_id=body.session_id,
        explain=body.explain_mode,
    )
    if not outcome.ready:
        response.status_code = status.HTTP_202_ACCEPTED
    return ChatAnswer(
        session_id=outcome.chat_session.id, message=ChatMessagePublic.model_validate(outcome.message)
    )


@router.get(
    "/connections/{connection_id}/chat-sessions",
    response_model=Page[ChatSessionPublic],
    responses=error_responses(401, 404, 422),
)
def list_chat_sessions(access: ChatAccess, session: SessionDep, page: PageDep) -> Page[ChatSessionPublic]:
    """Your sessions of the connection and, with a view share or more, the ones others made public."""
    items, total = sessions.list_sessions(session, access, page)
    return Page.of([ChatSessionPublic.model_validate(item) for item in items], total, page)


def detail(session: Session, chat_session: ChatSession, viewer_id: uuid.UUID) -> ChatSessionDetail:
    public = ChatSessionPublic.model_validate(chat_session).model_dump()
    token = sessions.share_token_of(chat_session) if chat_session.user_id == viewer_id else None
    messages = [
        ChatMessagePublic.model_validate(message) for message in sessions.messages_of(session, chat_session)
    ]
    return ChatSessionDetail(**public, share_token=token, messages=messages)


@router.get(
    "/connections/{connection_id}/chat-sessions/{session_id}",
    response_model=ChatSessionDetail,
    responses=error_responses(401, 404, 422),
)
def read_chat_session(
    chat_session: ReadableChatSession, user: CurrentUser, session: SessionDep
) -> ChatSessionDetail:
    """The session with its messages, oldest first (a pending answer shows `status: pending`)."""
    return detail(session, chat_session, user.id)


@router.delete(
    "/connections/{connection_id}/chat-sessions/{session_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(401, 403, 404, 422),
)
def delete_chat_session(chat_session: OwnChatSession, session: SessionDep) -> None:
    sessions.delete(session, chat_session)


@router.post(
    "/connections/{connection_id}/chat-sessions/{session_id}/share",
    response_model=ShareAnswer,
    responses=error_responses(401, 403, 404, *JSON_BODY),
)
def share_chat_session(body: ShareRequest, chat_session: OwnChatSession, session: SessionDep) -> ShareAnswer:
    """Share the session publicly (the same token while it stays shared), or stop (the link then 404s)."""
    token = sessions.set_public(session, chat_session, body.is_public)
    return ShareAnswer(
        is_public=chat_session.is_public,
        share_token=token,
        share_url=sessions.share_url(token) if token else None,
    )


@router.get(
    "/connections/{connection_id}/sql-history",
    response_model=Page[SqlHistoryItem],
    responses=error_responses(401, 404, 422),
)
def sql_history(access: ChatAccess, session: SessionDep, page: PageDep) -> Page[SqlHistoryItem]:
    """The queries run on the connection, newest first: yours, or with an owner share everyone's."""
    items, total = sessions.sql_history(session, access, page)
    return Page.of(
        [
            SqlHistoryItem(
                message_id=message.id,
                session_id=message.session_id,
                user_id=chat_session.user_id,
                question=question,
                sql_query=message.sql_query or "",
                row_count=message.row_count,
                execution_time_ms=message.execution_time_ms,
                error=message.error,
                created_at=message.created_at,
            )
            for message, chat_session, question in items
        ],
        total,
        page,
    )


@router.get("/shared-chats/{share_token}", response_model=SharedChat, responses=error_responses(404, 422))
def read_shared_chat(share_token: ShareToken, session: SessionDep) -> SharedChat:
    """A publicly shared session, for anyone with its token (404 once it is unshared)."""
    chat_session, connection = sessions.shared(session, share_token)
    return SharedChat(
        title=chat_session.title,
        connection_name=connection.name,
        created_at=chat_session.created_at,
        messages=[
            SharedMessage.model_validate(message) for message in sessions.messages_of(session, chat_session)
        ],
    )
