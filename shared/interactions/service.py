"""Interaction tracking, personalised tool recommendations with reasons, and trending items.

A user's profile is the weighted, time-decayed mean of the embeddings of the tools they touched;
candidates are the nearest unused tools, scored by similarity blended with popularity."""

import math
import uuid
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, literal, select, true
from sqlalchemy.orm import Session, joinedload, selectinload

from shared.admin import runtime_config
from shared.catalog.models import Tool
from shared.config import get_utc_now, settings
from shared.errors import NotFoundError, RateLimitedError
from shared.interactions.models import ACTION_WEIGHTS, UserInteraction
from shared.users.models import User
from shared.workflows.models import AgentWorkflow

if TYPE_CHECKING:  # the schemas pull in the catalog's (~85 ms); the workflows function needs neither
    from shared.interactions.schemas import InteractionCreate

CANDIDATE_POOL = 200


def _with_relations(query: Any) -> Any:
    return query.options(joinedload(Tool.category), selectinload(Tool.scenarios))


STRONG_SIMILARITY = 0.45  # above this, "because you liked X" beats "popular in <category>"
MAX_INTERESTS = 3  # a user's touched tools form at most this many interests
SAME_INTEREST = 0.45  # a touched tool this similar to an interest's centroid joins it
PAST_TENSE = {"view": "viewed", "click": "opened", "run": "ran", "like": "liked", "fork": "forked"}


def record(
    *,
    session: Session,
    user_id: uuid.UUID,
    item_type: str,
    item_id: uuid.UUID,
    action: str,
    meta_data: dict[str, Any] | None = None,
) -> UserInteraction:
    """Append one interaction (the caller commits); used by the API and by runs and forks."""
    interaction = UserInteraction(
        user_id=user_id,
        item_type=item_type,
        item_id=item_id,
        action=action,
        weight=ACTION_WEIGHTS[action],
        meta_data=meta_data or {},
    )
    session.add(interaction)
    return interaction


def track(*, session: Session, user: User, request: "InteractionCreate") -> UserInteraction:
    """Record a client-reported interaction: the item must exist (and be visible), within a rate limit."""
    since = get_utc_now() - timedelta(minutes=1)
    recent = (
        session.scalar(
            select(func.count())
            .select_from(UserInteraction)
            .where(UserInteraction.user_id == user.id, UserInteraction.created_at > since)
        )
        or 0
    )
    if recent >= runtime_config.effective(session, "INTERACTION_RATE_LIMIT_PER_MINUTE"):
        raise RateLimitedError("Too many interactions; slow down", retry_after_seconds=60)
    if request.item_type == "tool":
        exists = session.scalar(select(Tool.id).where(Tool.id == request.item_id))
    else:
        exists = session.scalar(
            select(AgentWorkflow.id).where(
                AgentWorkflow.id == request.item_id,
                AgentWorkflow.is_public | (AgentWorkflow.user_id == user.id),
            )
        )
    if exists is None:
        raise NotFoundError(f"No {request.item_type} {request.item_id}")
    interaction = record(
        session=session,
        user_id=user.id,
        item_type=request.item_type,
        item_id=request.item_id,
        action=request.action,
        meta_data=request.meta_data,
    )
    session.commit()
    return interaction


def decay(age_seconds: float, half_life_seconds: float) -> float:
    return 0.5 ** (max(age_seconds, 0.0) / half_life_seconds)


def _profile(session: Session, user_id: uuid.UUID) -> tuple[dict[uuid.UUID, float], dict[uuid.UUID, str]]:
    """Per tool the user touched: decayed interest, and their strongest action on it."""
    now = get_utc_now()
    half_life = settings.INTERACTION_HALF_LIFE_DAYS * 86400
    interest: dict[uuid.UUID, float] = {}
    strongest: dict[uuid.UUID, str] = {}
    rows = session.execute(
        select(
            UserInteraction.item_id,
            UserInteraction.action,
            UserInteraction.weight,
            UserInteraction.created_at,
        ).where(UserInteraction.user_id == user_id, UserInteraction.item_type == "tool")
    ).all()
    for row in rows:
        interest[row.item_id] = interest.get(row.item_id, 0.0) + row.weight * decay(
            (now - row.created_at).total_seconds(), half_life
        )
        if (
            ACTION_WEIGHTS[row.action] > ACTION_WEIGHTS.get(strongest.get(row.item_id, "view"), 0)
            or row.item_id not in strongest
        ):
            strongest[row.item_id] = row.action
    return interest, strongest


def popularity(tool: Tool, recent: float) -> float:
    """0..1: rating, GitHub stars and recent interactions, each squashed."""
    rating = (tool.avg_rating or 0.0) / 5.0
    stars = min(math.log10(1 + (tool.github_stars or 0)) / 6.0, 1.0)
    buzz = 1.0 - math.exp(-recent / 10.0)
    return 0.6 * rating + 0.2 * stars + 0.2 * buzz


def _recent_tool_buzz(session: Session) -> dict[uuid.UUID, float]:
    return {row.item_id: row.score for row in _trending_rows(session, "tool", limit=1000)}


def recommend(*, session: Session, user: User, limit: int = 100) -> list[tuple[Tool, float, str]]:
    """Tools for this user, best first, each with a reason; trending tools for a user with no history.

    The tools a user touched are grouped into interests (at most MAX_INTERESTS centroids of similar
    tools); each interest brings its nearest unused tools, scored by similarity blended with
    popularity, and the list interleaves them in proportion to each interest's weight, so a user who
    likes writing tools and video tools sees both instead of whatever lies between them."""
    import numpy as np  # from the embedding layer: only the recommendations route loads it

    interest, strongest = _profile(session, user.id)
    buzz = _recent_tool_buzz(session)
    if not interest:
        return [
            (tool, score, "Trending this week" if buzz.get(tool.id) else f"Popular in {_category_name(tool)}")
            for tool, score in trending_tools(session=session, limit=limit)
        ]
    touched = session.execute(
        select(Tool.id, Tool.name, Tool.embedding).where(Tool.id.in_(list(interest)))
    ).all()
    vectors = {
        row.id: np.array(row.embedding, dtype=np.float32) for row in touched if row.embedding is not None
    }
    names = {row.id: row.name for row in touched}
    if not vectors:
        return [
            (tool, score, "Trending this week")
            for tool, score in trending_tools(session=session, limit=limit)
        ]
    weight = settings.RECOMMENDATION_SIMILARITY_WEIGHT
    touched_ids = list(vectors)
    touched_matrix = np.stack([vectors[i] for i in touched_ids])
    ranked_per_interest = []
    for centroid, _ in (groups := interests(vectors, interest)):
        distance = Tool.embedding.cosine_distance(centroid.tolist())
        candidates = session.execute(
            _with_relations(select(Tool, distance.label("distance"), Tool.embedding))
            .where(Tool.id.not_in(list(interest)), Tool.embedding.is_not(None))
            .order_by(distance)
            .limit(CANDIDATE_POOL)
        ).all()
        scored = []
        for row in candidates:
            similarity = 1.0 - float(row.distance)
            score = weight * similarity + (1 - weight) * popularity(row.Tool, buzz.get(row.Tool.id, 0.0))
            nearest = touched_matrix @ np.array(row.embedding, dtype=np.float32)
            best = int(np.argmax(nearest))
            anchor = touched_ids[best]
            if float(nearest[best]) >= STRONG_SIMILARITY:
                reason = f"Because you {PAST_TENSE[strongest[anchor]]} {names[anchor]}"
            else:
                reason = f"Popular in {_category_name(row.Tool)}"
            scored.append((row.Tool, round(score, 6), reason))
        scored.sort(key=lambda item: item[1], reverse=True)
        ranked_per_interest.append(scored)
    return interleave(ranked_per_interest, [share for _, share in groups], limit)


def interests(vectors: dict[uuid.UUID, Any], interest: dict[uuid.UUID, float]) -> list[tuple[Any, float]]:
    """The user's interests: greedy clusters of the touched tools (strongest first), each a normalised,
    interest-weighted centroid with its share of the total interest. Past MAX_INTERESTS clusters, a
    tool joins the nearest one."""
    import numpy as np

    groups: list[list[uuid.UUID]] = []
    centroids: list[Any] = []
    for tool_id in sorted(vectors, key=lambda t: interest[t], reverse=True):
        vector = vectors[tool_id]
        similarities = [float(centroid @ vector) for centroid in centroids]
        if similarities and (max(similarities) >= SAME_INTEREST or len(groups) == MAX_INTERESTS):
            chosen = int(np.argmax(similarities))
            groups[chosen].append(tool_id)
        else:
            groups.append([tool_id])
            centroids.append(vector)
            chosen = len(groups) - 1
        summed = sum(interest[member] * vectors[member] for member in groups[chosen])
        centroids[chosen] = summed / (np.linalg.norm(summed) or 1.0)
    total = sum(interest[tool_id] for tool_id in vectors) or 1.0
    return [
        (centroid, sum(interest[member] for member in group) / total)
        for centroid, group in zip(centroids, groups, strict=True)
    ]


def interleave(ranked: list[list[tuple[Tool, float, str]]], shares: list[float], limit: int) -> list:
    """One list from several ranked ones: each next place goes to the list furthest behind its share
    (weighted round-robin), skipping tools already placed."""
    placed: list[tuple[Tool, float, str]] = []
    seen: set[uuid.UUID] = set()
    taken = [0] * len(ranked)
    positions = [0] * len(ranked)
    while len(placed) < limit:
        open_lists = [i for i in range(len(ranked)) if positions[i] < len(ranked[i])]
        if not open_lists:
            break
        behind = max(open_lists, key=lambda i: shares[i] * (len(placed) + 1) - taken[i])
        tool, score, reason = ranked[behind][positions[behind]]
        positions[behind] += 1
        if tool.id in seen:
            continue
        seen.add(tool.id)
        taken[behind] += 1
        placed.append((tool, score, reason))
    return placed


def _category_name(tool: Tool) -> str:
    return tool.category.name if tool.category else "AI tools"


def _trending_rows(session: Session, item_type: str, limit: int) -> list[Any]:
    """Σ weight · 0.5^(age / half-life) per item over the trending window."""
    now = get_utc_now()
    age_hours = func.extract("epoch", literal(now) - UserInteraction.created_at) / 3600.0
    score = func.sum(UserInteraction.weight * func.power(0.5, age_hours / settings.TRENDING_HALF_LIFE_HOURS))
    return list(
        session.execute(
            select(UserInteraction.item_id, score.label("score"))
            .where(
                UserInteraction.item_type == item_type,
                UserInteraction.created_at > now - timedelta(days=settings.TRENDING_WINDOW_DAYS),
            )
            .group_by(UserInteraction.item_id)
            .order_by(score.desc())
            .limit(limit)
        ).all()
    )


def trending_tools(*, session: Session, limit: int) -> list[tuple[Tool, float]]:
    """Tools by recent interest; with too little activity, filled up by rating (cold start)."""
    rows = _trending_rows(session, "tool", limit)
    chosen = [r.item_id for r in rows]
    tools = {
        t.id: t for t in session.scalars(_with_relations(select(Tool).where(Tool.id.in_(chosen)))).unique()
    }
    ranked = [(tools[r.item_id], round(float(r.score), 6)) for r in rows if r.item_id in tools]
    if len(ranked) < limit:
        seen = {tool.id for tool, _ in ranked}
        fill = (
            session.scalars(
                _with_relations(select(Tool))
                .where(Tool.id.not_in(seen) if seen else true())
                .order_by(Tool.avg_rating.desc(), Tool.review_count.desc())
                .limit(limit - len(ranked))
            )
            .unique()
            .all()
        )
        ranked += [(tool, 0.0) for tool in fill]
    return ranked


def trending_workflows(*, session: Session, limit: int) -> list[tuple[AgentWorkflow, float]]:
    rows = _trending_rows(session, "workflow", limit * 2)
    workflows = {
        w.id: w
        for w in session.scalars(
            select(AgentWorkflow).where(
                AgentWorkflow.id.in_([r.item_id for r in rows]), AgentWorkflow.is_public
            )
        )
    }
    return [(workflows[r.item_id], round(float(r.score), 6)) for r in rows if r.item_id in workflows][:limit]
