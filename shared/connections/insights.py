"""Table insights and column metadata: written from an analysis (keeping the descriptions people gave
to tables that are still there), each table's document embedded into `table_insights.embedding`;
read, corrected by a person (and re-embedded), and counted."""

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from shared.api.pagination import PageParams, paginate
from shared.config import get_utc_now, settings
from shared.connections import documents
from shared.connections.classification import classify
from shared.connections.models import (
    ChatMessage,
    ChatSession,
    ColumnMetadata,
    DatabaseConnection,
    SqlExample,
    TableInsight,
)
from shared.connections.targets import TableInfo
from shared.embedding.service import embedding_service
from shared.errors import NotFoundError
from shared.users.models import User


def _columns_of(insight_id: uuid.UUID, table: TableInfo) -> list[ColumnMetadata]:
    columns = []
    for info in table.columns:
        kind = classify(info, threshold=settings.ANALYSIS_CATEGORY_THRESHOLD, row_count=table.row_count)
        columns.append(
            ColumnMetadata(
                id=uuid.uuid4(),
                table_insight_id=insight_id,
                position=info.position,
                column_name=info.name,
                data_type=info.data_type,
                is_nullable=info.is_nullable,
                is_primary_key=info.is_primary_key,
                is_foreign_key=info.foreign_key_ref is not None,
                foreign_key_ref=info.foreign_key_ref,
                comment=info.comment,
                distinct_count=info.distinct_count,
                null_count=info.null_count,
                semantic_type=kind.semantic_type,
                indexing_strategy=kind.indexing_strategy,
                classification_reason=kind.reason,
                categorical_values=info.categorical_values,
                sample_values=info.sample_values,
            )
        )
    return columns


def write_texts(insight: TableInsight, columns: Sequence[ColumnMetadata]) -> str:
    """Summary, document and keyword text from the insight's fields; returns the text to embed."""
    insight.summary = documents.summary(insight, columns)
    insight.insight_document = documents.document(insight, columns, insight.analysis_notes)
    insight.search_text = documents.search_text(insight, columns)
    return documents.embedding_text(insight, columns)


def embed(insights: Sequence[TableInsight], texts: Sequence[str]) -> None:
    vectors = embedding_service.embed_batch(list(texts))
    for insight, vector in zip(insights, vectors, strict=True):
        insight.embedding, insight.embedding_model = vector, embedding_service.model_name


def store_analysis(
    session: Session, connection: DatabaseConnection, tables: Sequence[TableInfo], notes: dict[str, list[str]]
) -> int:
    """Write one insight per analysed table (updated in place when the table was there before, so ids and
    people's descriptions stay), their columns, documents and embeddings; drop the tables that are gone."""
    existing = {
        (insight.schema_name, insight.table_name): insight
        for insight in session.scalars(
            select(TableInsight).where(TableInsight.connection_id == connection.id)
        )
    }
    written: list[tuple[TableInsight, list[ColumnMetadata]]] = []
    for table in tables:
        insight = existing.pop((table.schema, table.name), None)
        if insight is None:
            insight = TableInsight(
                id=uuid.uuid4(), connection_id=connection.id, schema_name=table.schema, table_name=table.name
            )
            session.add(insight)
        else:
            session.execute(delete(ColumnMetadata).where(ColumnMetadata.table_insight_id == insight.id))
        insight.table_type = table.table_type
        insight.row_count = table.row_count
        insight.comment = table.comment
        insight.primary_key = table.primary_key
        insight.foreign_keys = table.foreign_keys
        insight.referenced_by = table.referenced_by
        insight.indexes = table.indexes
        insight.analysis_notes = notes.get(table.qualified_name, [])
        columns = _columns_of(insight.id, table)
        insight.purpose = documents.guess_purpose(insight, columns)
        written.append((insight, columns))
    for gone in existing.values():
        session.delete(gone)
    session.flush()
    session.add_all([column for _, columns in written for column in columns])
    embed(
        [insight for insight, _ in written], [write_texts(insight, columns) for insight, columns in written]
    )
    session.flush()
    return len(written)


def columns_by_insight(
    session: Session, insight_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[ColumnMetadata]]:
    grouped: dict[uuid.UUID, list[ColumnMetadata]] = {insight_id: [] for insight_id in insight_ids}
    rows = session.scalars(
        select(ColumnMetadata)
        .where(ColumnMetadata.table_insight_id.in_(list(insight_ids)))
        .order_by(ColumnMetadata.table_insight_id, ColumnMetadata.position)
    )
    for column in rows:
        grouped[column.table_insight_id].append(column)
    return grouped


def list_insights(
    session: Session, connection: DatabaseConnection, page: PageParams
) -> tuple[list[tuple[TableInsight, list[ColumnMetadata]]], int]:
    query = (
        select(TableInsight)
        .where(TableInsight.connection_id == connection.id)
        .order_by(TableInsight.schema_name, TableInsight.table_name)
    )
    items, total = paginate(session, query, page)
    columns = columns_by_insight(session, [item.id for item in items])
    return [(item, columns[item.id]) for item in items], total


def get_insight(session: Session, connection: DatabaseConnection, insight_id: uuid.UUID) -> TableInsight:
    insight = session.get(TableInsight, insight_id)
    if insight is None or insight.connection_id != connection.id:
        raise NotFoundError("Insight not found")
    return insight


def describe(
    session: Session,
    connection: DatabaseConnection,
    insight_id: uuid.UUID,
    *,
    description: str | None,
    user: User,
) -> tuple[TableInsight, list[ColumnMetadata]]:
    """A person's description of the table (None goes back to the guessed purpose): the documents are
    written again from it and re-embedded, and later analyses keep it."""
    insight = get_insight(session, connection, insight_id)
    columns = columns_by_insight(session, [insight.id])[insight.id]
    insight.description = description
    insight.edited_by, insight.edited_at = user.id, get_utc_now()
    embed([insight], [write_texts(insight, columns)])
    session.commit()
    return insight, columns


def stats(session: Session, connection: DatabaseConnection) -> dict[str, Any]:
    """What the analysis found and how the connection has been used."""
    tables = session.execute(
        select(func.count(), func.coalesce(func.sum(TableInsight.row_count), 0)).where(
            TableInsight.connection_id == connection.id
        )
    ).one()
    kinds = dict(
        session.execute(
            select(ColumnMetadata.semantic_type, func.count())
            .join(TableInsight, TableInsight.id == ColumnMetadata.table_insight_id)
            .where(TableInsight.connection_id == connection.id)
            .group_by(ColumnMetadata.semantic_type)
        ).all()
    )
    answers = (
        select(ChatMessage)
        .join(ChatSession, ChatSession.id == ChatMessage.session_id)
        .where(ChatSession.connection_id == connection.id, ChatMessage.role == "assistant")
        .subquery()
    )
    queries, failed, average = session.execute(
        select(
            func.count(answers.c.sql_query),
            func.count(answers.c.error),
            func.avg(answers.c.execution_time_ms),
        )
    ).one()
    return {
        "status": connection.status,
        "analysis_progress": connection.analysis_progress,
        "last_analyzed_at": connection.last_analyzed_at,
        "table_count": tables[0],
        "total_rows": int(tables[1]),
        "column_count": sum(kinds.values()),
        "columns_by_type": kinds,
        "chat_sessions": session.scalar(
            select(func.count()).select_from(ChatSession).where(ChatSession.connection_id == connection.id)
        ),
        "questions": session.scalar(select(func.count()).select_from(answers)),
        "queries_run": queries,
        "queries_failed": failed,
        "average_execution_time_ms": round(float(average), 1) if average is not None else None,
        "examples": session.scalar(
            select(func.count()).select_from(SqlExample).where(SqlExample.connection_id == connection.id)
        ),
    }
