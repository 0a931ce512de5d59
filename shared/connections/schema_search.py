"""Which tables a question needs: the retrieval step of the chat, and `GET .../schema-search`.

Two rankings of a connection's table insights fused by reciprocal rank fusion: by meaning (the
question's embedding against each table document's, pgvector HNSW with iterative scans) and by words
(the question's words, singular, found in the table's name — which counts double — and its columns'
names). RRF needs only ranks, so a cosine and a word count never have to be compared."""

import uuid
from dataclasses import dataclass

from sqlalchemy import ColumnElement, case, func, literal, select, text
from sqlalchemy.orm import Session

from shared.config import settings
from shared.connections import glossary
from shared.connections.documents import singular
from shared.connections.models import TableInsight
from shared.embedding.service import embedding_service
from shared.search.hybrid import query_tokens, reciprocal_rank_fusion

CANDIDATES_PER_RANKING = 30
TABLE_NAME_WEIGHT = 2.0
# words of questions that name no table or column
QUESTION_WORDS = frozenset(
    {
        "how", "many", "much", "what", "which", "who", "whom", "whose", "where", "when", "why", "show",
        "list", "give", "tell", "find", "get", "are", "was", "were", "did", "does", "have", "has", "had",
        "there", "their", "them", "they", "our", "your", "all", "each", "per", "top", "than", "more", "less",
        "most", "over", "under", "between", "during", "since", "about", "please", "any", "every", "ever",
        "not", "only", "also", "both", "its", "been", "being", "into", "onto", "out", "one", "two",
    }
)  # fmt: skip


@dataclass(frozen=True)
class TableHit:
    insight: TableInsight
    score: float


def keywords(question: str) -> list[str]:
    """The question's words that may name a table or a column, singular (so `customers` finds
    `customer_id`), and the bigrams of its CJK runs."""
    stems = [singular(token) for token in query_tokens(question) if token not in QUESTION_WORDS]
    return list(dict.fromkeys(stems))


def _coverage(tokens: list[str], column: ColumnElement[str]) -> ColumnElement[float]:
    hits = [case((func.lower(column).contains(token, autoescape=True), 1.0), else_=0.0) for token in tokens]
    return sum(hits[1:], hits[0])


def keyword_ranking(session: Session, connection_id: uuid.UUID, question: str) -> list[uuid.UUID]:
    tokens = keywords(question)
    if not tokens:
        return []
    score = TABLE_NAME_WEIGHT * _coverage(tokens, TableInsight.table_name) + _coverage(
        tokens, TableInsight.search_text
    )
    return list(
        session.scalars(
            select(TableInsight.id)
            .where(TableInsight.connection_id == connection_id, score > literal(0.0))
            .order_by(score.desc(), TableInsight.table_name)
            .limit(CANDIDATES_PER_RANKING)
        )
    )


def semantic_ranking(session: Session, connection_id: uuid.UUID, vector: list[float]) -> list[uuid.UUID]:
    session.execute(text("SET LOCAL hnsw.iterative_scan = relaxed_order"))
    session.execute(text(f"SET LOCAL hnsw.ef_search = {int(settings.MEMORY_SEARCH_EF)}"))
    distance = TableInsight.embedding.cosine_distance(vector)
    return list(
        session.scalars(
            select(TableInsight.id)
            .where(TableInsight.connection_id == connection_id, TableInsight.embedding.is_not(None))
            .order_by(distance)
            .limit(CANDIDATES_PER_RANKING)
        )
    )


def search(
    session: Session, connection_id: uuid.UUID, question: str, k: int, vector: list[float] | None = None
) -> list[TableHit]:
    """The k tables the question most probably needs, best first (`vector`: the question's embedding,
    when the caller has it already)."""
    question = f"{question} {glossary.english_words(question)}".strip()
    vector = vector if vector is not None else embedding_service.generate_embedding(question)
    fused = reciprocal_rank_fusion(
        [keyword_ranking(session, connection_id, question), semantic_ranking(session, connection_id, vector)]
    )[:k]
    insights = {
        insight.id: insight
        for insight in session.scalars(select(TableInsight).where(TableInsight.id.in_([i for i, _ in fused])))
    }
    return [TableHit(insights[key], round(score, 6)) for key, score in fused if key in insights]
