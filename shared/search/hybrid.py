"""Hybrid search: keyword (pg_trgm) and vector rankings fused by reciprocal rank fusion.

The catalog builds its two ranked queries and hands them here; RRF needs only ranks, so scores of
different scales (trigram similarity, cosine) never have to be compared."""

import re
from collections.abc import Hashable, Sequence
from typing import TypeVar

from sqlalchemy import ColumnElement, case, func, literal

RRF_K = 60  # the constant of Cormack et al.; dampens the weight of the very first ranks
Key = TypeVar("Key", bound=Hashable)


def reciprocal_rank_fusion(rankings: Sequence[Sequence[Key]], k: int = RRF_K) -> list[tuple[Key, float]]:
    """Fuse ranked lists of ids: score(d) = Σ 1 / (k + rank(d)), best first (ties keep first-seen order)."""
    scores: dict[Key, float] = {}
    for ranking in rankings:
        for rank, key in enumerate(ranking, start=1):
            scores[key] = scores.get(key, 0.0) + 1.0 / (k + rank)
    return sorted(scores.items(), key=lambda item: item[1], reverse=True)


STOPWORDS = frozenset({"the", "and", "for", "with", "that", "this", "from", "into", "tool", "tools", "app"})


def query_tokens(query: str) -> list[str]:
    """Latin words of 3+ letters (lower-cased, no stopwords) and every bigram of each CJK run:
    Chinese has no spaces, so "写作助手" is matched as 写作, 作助, 助手."""
    tokens: list[str] = []
    for run in re.findall(r"[\u4e00-\u9fff]+|[A-Za-z0-9]+", query):
        if re.match(r"[\u4e00-\u9fff]", run):
            tokens += [run] if len(run) == 1 else [run[i : i + 2] for i in range(len(run) - 1)]
        elif len(run) >= 3 and run.lower() not in STOPWORDS:
            tokens.append(run.lower())
    return list(dict.fromkeys(tokens))


def token_coverage(query: str, *columns: ColumnElement[str]) -> ColumnElement[float]:
    """The share of the query's tokens found (case-insensitively) anywhere in the columns."""
    tokens = query_tokens(query)
    if not tokens:
        return literal(0.0)
    text = func.lower(func.concat_ws(" ", *columns))
    hits = [case((text.contains(token, autoescape=True), 1.0), else_=0.0) for token in tokens]
    return sum(hits[1:], hits[0]) / len(tokens)


def trigram_similarity(query: str, *columns: ColumnElement[str]) -> ColumnElement[float]:
    """The best pg_trgm word similarity of the query against any of the columns (nulls count as 0)."""
    return func.greatest(*(func.coalesce(func.word_similarity(query, column), 0.0) for column in columns))
