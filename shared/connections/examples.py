"""Learning from approved answers: question→SQL pairs of a connection, typed in by a person or taken
from a chat answer they approved. Each is checked and test-run like generated SQL before it is kept;
the nearest ones to a new question are offered to the model as examples."""

import uuid

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from shared.api.pagination import PageParams, paginate
from shared.config import settings
from shared.connections import targets
from shared.connections.models import ChatMessage, ChatSession, DatabaseConnection, SqlExample
from shared.connections.targets import TargetError
from shared.embedding.service import embedding_service
from shared.errors import InvalidInputError, NotFoundError
from shared.users.models import User


def check_and_run(connection: DatabaseConnection, sql: str) -> str:
    """The statement if it is one safe read-only query that runs on the connection's database; 422 with
    the reason otherwise."""
    from shared.connections import sql_guard  # sqlglot (~60 ms) when an example is checked

    try:
        target = targets.target_of(connection)
        checked = sql_guard.check(sql, dialect=target.dialect.sqlglot_dialect)
        with target.read_only(statement_timeout_ms=settings.SQL_STATEMENT_TIMEOUT_MS) as reader:
            reader.fetch(checked.sql, max_rows=1)
    except sql_guard.RefusedSQL as exc:
        raise InvalidInputError(f"The SQL is refused: {exc}") from None
    except TargetError as exc:
        raise InvalidInputError(f"The SQL did not run: {exc}") from None
    return checked.sql


def add(
    session: Session,
    connection: DatabaseConnection,
    *,
    user: User,
    question: str,
    sql: str,
    message_id: uuid.UUID | None = None,
) -> SqlExample:
    example = SqlExample(
        connection_id=connection.id,
        question=question,
        sql=check_and_run(connection, sql),
        source="chat" if message_id else "manual",
        message_id=message_id,
        created_by=user.id,
        embedding=embedding_service.generate_embedding(question),
        embedding_model=embedding_service.model_name,
    )
    session.add(example)
    session.commit()
    return example


def approved_answer(
    session: Session, connection: DatabaseConnection, message_id: uuid.UUID
) -> tuple[str, str]:
    """The question and the SQL of an answer of a chat on this connection (422 for one without SQL that
    ran, 404 for no such answer)."""
    answer = session.scalar(
        select(ChatMessage)
        .join(ChatSession, ChatSession.id == ChatMessage.session_id)
        .where(ChatMessage.id == message_id, ChatSession.connection_id == connection.id)
    )
    if answer is None or answer.role != "assistant":
        raise NotFoundError("No such answer in this connection's chats")
    if not answer.sql_query or answer.error:
        raise InvalidInputError("Only an answer whose SQL ran without error can be approved")
    question = session.scalar(
        select(ChatMessage.content)
        .where(
            ChatMessage.session_id == answer.session_id,
            ChatMessage.role == "user",
            ChatMessage.created_at <= answer.created_at,
        )
        .order_by(ChatMessage.created_at.desc())
        .limit(1)
    )
    if not question:
        raise InvalidInputError("The answer has no question before it")
    return question, answer.sql_query


def nearest(session: Session, connection_id: uuid.UUID, vector: list[float], k: int) -> list[SqlExample]:
    if k <= 0:
        return []
    distance = SqlExample.embedding.cosine_distance(vector)
    return list(
        session.scalars(
            select(SqlExample)
            .where(SqlExample.connection_id == connection_id, SqlExample.embedding.is_not(None))
            .order_by(distance)
            .limit(k)
        )
    )


def list_examples(
    session: Session, connection: DatabaseConnection, page: PageParams
) -> tuple[list[SqlExample], int]:
    query = (
        select(SqlExample)
        .where(SqlExample.connection_id == connection.id)
        .order_by(SqlExample.created_at.desc(), SqlExample.id)
    )
    return paginate(session, query, page)


def remove(session: Session, connection: DatabaseConnection, example_id: uuid.UUID) -> None:
    deleted = session.execute(
        delete(SqlExample)
        .where(SqlExample.id == example_id, SqlExample.connection_id == connection.id)
        .returning(SqlExample.id)
    ).first()
    if deleted is None:
        raise NotFoundError("Example not found")
    session.commit()
