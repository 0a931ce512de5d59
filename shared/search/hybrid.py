"""Hybrid search: keyword (pg_trgm) and vector rankings fused by reciprocal rank fusion.

The catalog builds its two ranked queries and hands them here; RRF needs only ranks, so scores of
different scales (trigram similarity, cosine) never have to be compared."""

from collections.abc import Hashable, Sequence
from typing import TypeVar

from sqlalchemy import ColumnElement, func

RRF_K = 60  # the constant of Cormack et al.; dampens the weight of the very first ranks
Key = TypeVar("Key", bound=Hashable)


def reciprocal_rank_fusion(rankings: Sequence[Sequence[Key]], k: int = RRF_K) -> list[tuple[Key, float]]:
    """Fuse ranked lists of ids: score(d) = Σ 1 / (k + rank(d)), best first (ties keep first-seen order)."""
    scores: dict[Key, float] = {}
    for ranking in rankings:
        for rank, key in enumerate(ranking, start=1):
            scores[key] = scores.get(key, 0.0) + 1.0 / (k + rank)
    return sorted(scores.items(), key=lambda item: item[1], reverse=True)


def trigram_similarity(query: str, *columns: ColumnElement[str]) -> ColumnElement[float]:
    """The best pg_trgm word similarity of the query against any of the columns (nulls count as 0)."""
    return func.greatest(*(func.coalesce(func.word_similarity(query, column), 0.0) for column in columns))
