"""The AI tool directory: public reads, hybrid search, and the superuser's writes."""

import uuid
from typing import Any

from pydantic import BaseModel
from sqlalchemy import ColumnElement, Select, String, cast, func, select
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload, selectinload

from shared.api.pagination import PageParams, paginate
from shared.catalog.models import Category, Scenario, Skill, Tool, tool_scenarios
from shared.catalog.schemas import (
    AUTH_CONFIG_PUBLIC_KEYS,
    CategoryPublic,
    CategoryUpdate,
    CategoryWrite,
    ScenarioPublic,
    ScenarioUpdate,
    ScenarioWrite,
    SkillPublic,
    SkillUpdate,
    SkillWrite,
    ToolDetail,
    ToolPublic,
    ToolSort,
    ToolUpdate,
    ToolWrite,
)
from shared.embedding.service import embedding_service
from shared.errors import ConflictError, InvalidInputError, NotFoundError
from shared.search.hybrid import reciprocal_rank_fusion, token_coverage, trigram_similarity
from shared.search.substring import contains_any

TOOL_SORTS: dict[str, list[Any]] = {
    "rating": [Tool.avg_rating.desc(), Tool.review_count.desc()],
    "stars": [Tool.github_stars.desc()],
    "newest": [Tool.created_at.desc()],
    "name": [func.lower(Tool.name)],
}
KEYWORD_THRESHOLD = 0.3
CANDIDATES_PER_RANKING = 30


# --- reads -------------------------------------------------------------------------------------


def list_categories(*, session: Session, page: PageParams) -> tuple[list[Category], int]:
    return paginate(session, select(Category).order_by(Category.order, Category.slug), page)


def list_scenarios(*, session: Session, page: PageParams) -> tuple[list[Scenario], int]:
    return paginate(session, select(Scenario).order_by(Scenario.slug), page)


def _with_relations(query: Select) -> Select:
    """Category in the same statement, scenarios in one more: a page costs 3 statements with its count."""
    return query.options(joinedload(Tool.category), selectinload(Tool.scenarios))


def _with_relation_slugs(query: Select) -> Select:
    """As _with_relations, loading only the slugs lists show (timestamps parse slowly in pg8000)."""
    return query.options(
        joinedload(Tool.category).load_only(Category.id, Category.slug),
        selectinload(Tool.scenarios).load_only(Scenario.id, Scenario.slug),
    )


def _utc_text(column: Any) -> ColumnElement[str]:
    """A timestamp as ISO 8601 text in UTC: pg8000 parses every timestamp with `strptime` (about 45 µs
    each, 40 a page), while pydantic reads the text in Rust and writes the same JSON."""
    return func.to_char(func.timezone("UTC", column), 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')


def _public_rows() -> Select:
    """ToolPublic's fields of tools in one statement: the category's slug joined, the scenarios' slugs
    aggregated, ids and timestamps as text, and the number of rows the filters match (a window over
    them, so a page needs no count statement). One round trip where the ORM made three."""
    scenario_slugs = (
        select(func.array_agg(aggregate_order_by(Scenario.slug, Scenario.slug)))
        .join(tool_scenarios, tool_scenarios.c.scenario_id == Scenario.id)
        .where(tool_scenarios.c.tool_id == Tool.id)
        .scalar_subquery()
    )
    plain = ToolPublic.model_fields.keys() - {"id", "category", "scenarios", "created_at", "updated_at"}
    return select(
        cast(Tool.id, String).label("id"),
        *(getattr(Tool, name).label(name) for name in sorted(plain)),
        Category.slug.label("category"),
        scenario_slugs.label("scenarios"),
        _utc_text(Tool.created_at).label("created_at"),
        _utc_text(Tool.updated_at).label("updated_at"),
        func.count().over().label("matching"),
    ).outerjoin(Category, Category.id == Tool.category_id)


def _as_public(row: Any) -> dict[str, Any]:
    public = dict(row._mapping)
    del public["matching"]
    public["scenarios"] = public["scenarios"] or []
    return public


def list_tools(
    *,
    session: Session,
    page: PageParams,
    sort: ToolSort = "rating",
    category: str | None = None,
    scenario: str | None = None,
    pricing_type: str | None = None,
    is_china_accessible: bool | None = None,
    requires_vpn: bool | None = None,
    has_api: bool | None = None,
    keyword: str | None = None,
) -> tuple[list[dict[str, Any]], int]:
    """A page of tools passing every filter given, as ToolPublic's fields; `keyword` is part of a name
    (English or Chinese) or of the slug, in any case."""
    conditions: list[ColumnElement[bool]] = []
    if keyword is not None:
        if not keyword.strip():
            raise InvalidInputError("q must not be blank")
        conditions.append(contains_any(keyword.strip(), Tool.name, Tool.name_zh, Tool.slug))
    if category is not None:
        conditions.append(Tool.category.has(Category.slug == category))
    if scenario is not None:
        conditions.append(Tool.scenarios.any(Scenario.slug == scenario))
    if pricing_type is not None:
        conditions.append(Tool.pricing_type == pricing_type)
    for column, wanted in (
        (Tool.is_china_accessible, is_china_accessible),
        (Tool.requires_vpn, requires_vpn),
        (Tool.has_api, has_api),
    ):
        if wanted is not None:
            conditions.append(column.is_(wanted))
    rows = session.execute(
        _public_rows()
        .where(*conditions)
        .order_by(*TOOL_SORTS[sort], Tool.slug)
        .offset(page.offset)
        .limit(page.page_size)
    ).all()
    if rows:
        return [_as_public(row) for row in rows], rows[0].matching
    # past the last page (or nothing matches): the window had no row to report the count on
    total = session.scalar(select(func.count()).select_from(Tool).where(*conditions)) or 0
    return [], total


def get_tool(*, session: Session, slug: str) -> Tool:
    tool = session.scalar(
        _with_relations(select(Tool).where(Tool.slug == slug)).options(selectinload(Tool.skills))
    )
    if tool is None:
        raise NotFoundError(f"No tool {slug!r}")
    return tool


def similar_tools(*, session: Session, tool: Tool, k: int) -> list[tuple[Tool, float]]:
    """Content-based neighbours by embedding."""
    if tool.embedding is None:
        return []
    distance = Tool.embedding.cosine_distance(tool.embedding)
    rows = (
        session.execute(
            _with_relation_slugs(select(Tool, distance.label("distance")))
            .where(Tool.id != tool.id, Tool.embedding.is_not(None))
            .order_by(distance)
            .limit(k)
        )
        .unique()
        .all()
    )
    return [(row.Tool, 1.0 - float(row.distance)) for row in rows]


def search_tools(*, session: Session, query: str, limit: int) -> list[tuple[dict[str, Any], float]]:
    """Keyword (pg_trgm: typos, Chinese) and semantic (embeddings) rankings fused by RRF."""
    text = query.strip()
    if not text:
        raise InvalidInputError("q must not be empty")
    keyword_score = (
        trigram_similarity(text, Tool.name, Tool.name_zh, Tool.slug)
        + 0.5 * trigram_similarity(text, Tool.description, Tool.description_zh)
        + token_coverage(text, Tool.name, Tool.name_zh, Tool.description, Tool.description_zh)
    )
    keyword = session.scalars(
        select(Tool.id)
        .where(keyword_score >= KEYWORD_THRESHOLD)
        .order_by(keyword_score.desc(), Tool.slug)
        .limit(CANDIDATES_PER_RANKING)
    ).all()
    distance = Tool.embedding.cosine_distance(embedding_service.generate_embedding(text))
    semantic = session.scalars(
        select(Tool.id).where(Tool.embedding.is_not(None)).order_by(distance).limit(CANDIDATES_PER_RANKING)
    ).all()
    fused = reciprocal_rank_fusion([keyword, semantic])[:limit]
    rows = session.execute(_public_rows().where(Tool.id.in_([i for i, _ in fused]))).all()
    tools = {row.id: _as_public(row) for row in rows}
    return [(tools[str(tool_id)], score) for tool_id, score in fused if str(tool_id) in tools]


def list_skills(*, session: Session, page: PageParams, tool: str | None = None) -> tuple[list[Skill], int]:
    query = (
        select(Skill).options(joinedload(Skill.tool)).where(Skill.is_active).order_by(Skill.slug, Skill.id)
    )
    if tool is not None:
        query = query.where(Skill.tool.has(Tool.slug == tool))
    return paginate(session, query, page)


def get_skill(*, session: Session, skill_id: uuid.UUID) -> Skill:
    skill = session.scalar(select(Skill).options(joinedload(Skill.tool)).where(Skill.id == skill_id))
    if skill is None:
        raise NotFoundError("Skill not found")
    return skill


# --- views -------------------------------------------------------------------------------------


def tool_public(tool: Tool, **extra: Any) -> dict[str, Any]:
    fields = ToolPublic.model_fields.keys() - {"category", "scenarios"}
    return {
        **{name: getattr(tool, name) for name in fields},
        "category": tool.category.slug if tool.category else None,
        "scenarios": sorted(s.slug for s in tool.scenarios),
        **extra,
    }


def skill_public(skill: Skill) -> SkillPublic:
    return SkillPublic(
        id=skill.id,
        tool=skill.tool.slug,
        slug=skill.slug,
        name=skill.name,
        name_zh=skill.name_zh,
        description=skill.description,
        description_zh=skill.description_zh,
        api_endpoint=skill.api_endpoint,
        http_method=skill.http_method,
        input_schema=skill.input_schema,
        output_schema=skill.output_schema,
        auth_type=skill.auth_type,
        auth_config={k: v for k, v in (skill.auth_config or {}).items() if k in AUTH_CONFIG_PUBLIC_KEYS},
        is_active=skill.is_active,
        usage_count=skill.usage_count,
        avg_latency_ms=skill.avg_latency_ms,
    )


def tool_detail(tool: Tool) -> ToolDetail:
    return ToolDetail(
        **tool_public(tool),
        category_detail=CategoryPublic.model_validate(tool.category) if tool.category else None,
        scenario_details=[
            ScenarioPublic.model_validate(s) for s in sorted(tool.scenarios, key=lambda s: s.slug)
        ],
        skills=[skill_public(s) for s in sorted(tool.skills, key=lambda s: s.slug) if s.is_active],
    )


# --- writes (superuser) ---------------------------------------------------------------------------


def _commit_unique(session: Session, what: str) -> None:
    try:
        session.commit()
    except IntegrityError as exc:
        session.rollback()
        raise ConflictError(f"A {what} with this slug already exists") from exc


def clearable_fields(model: type) -> frozenset[str]:
    """What a PATCH may set to null: the model's optional (nullable) columns."""
    return frozenset(column.key for column in model.__table__.columns if column.nullable)


def patch_fields(model: type, request: BaseModel) -> dict[str, Any]:
    """The fields a PATCH body changes. A null clears an optional field; on a required one it means
    "leave it as it is" (tools refuse it instead: `update_tool`)."""
    clearable = clearable_fields(model)
    return {
        name: value
        for name, value in request.model_dump(exclude_unset=True).items()
        if value is not None or name in clearable
    }


def _save_simple(session: Session, record: Category | Scenario, fields: dict[str, Any]) -> Any:
    for name, value in fields.items():
        setattr(record, name, value)
    session.add(record)
    _commit_unique(session, record.__tablename__.rstrip("s"))
    return record


def create_category(*, session: Session, request: CategoryWrite) -> Category:
    return _save_simple(session, Category(), request.model_dump())


def update_category(*, session: Session, category: Category, request: CategoryUpdate) -> Category:
    return _save_simple(session, category, patch_fields(Category, request))


def create_scenario(*, session: Session, request: ScenarioWrite) -> Scenario:
    return _save_simple(session, Scenario(), request.model_dump())


def update_scenario(*, session: Session, scenario: Scenario, request: ScenarioUpdate) -> Scenario:
    return _save_simple(session, scenario, patch_fields(Scenario, request))


def get_by_slug(*, session: Session, model: type, slug: str) -> Any:
    record = session.scalar(select(model).where(model.slug == slug))
    if record is None:
        raise NotFoundError(f"No {model.__tablename__.rstrip('s')} {slug!r}")
    return record


def delete_record(*, session: Session, record: Any) -> None:
    session.delete(record)
    session.commit()


def embedding_text(tool: Tool) -> str:
    """What a tool means: names, descriptions, category and scenarios, both languages."""
    parts = [tool.name, tool.name_zh, tool.description, tool.description_zh]
    if tool.category:
        parts += [tool.category.name, tool.category.name_zh]
    parts += [s.name for s in tool.scenarios] + [s.name_zh for s in tool.scenarios]
    return ". ".join(part for part in parts if part)


def refresh_embeddings(session: Session, tools: list[Tool]) -> None:
    vectors = embedding_service.embed_batch([embedding_text(tool) for tool in tools])
    for tool, vector in zip(tools, vectors, strict=True):
        tool.embedding = vector
        tool.embedding_model = embedding_service.model_name


def _apply_tool_fields(session: Session, tool: Tool, fields: dict[str, Any]) -> None:
    with session.no_autoflush:  # a half-built tool must not be flushed by the lookups below
        _assign_tool_fields(session, tool, fields)


def _assign_tool_fields(session: Session, tool: Tool, fields: dict[str, Any]) -> None:
    if "category" in fields:
        slug = fields.pop("category")
        tool.category = get_by_slug(session=session, model=Category, slug=slug) if slug else None
    if "scenarios" in fields:
        slugs = fields.pop("scenarios") or []
        found = list(session.scalars(select(Scenario).where(Scenario.slug.in_(slugs))))
        missing = set(slugs) - {s.slug for s in found}
        if missing:
            raise InvalidInputError(f"unknown scenarios: {', '.join(sorted(missing))}")
        tool.scenarios = found
    for name, value in fields.items():
        setattr(tool, name, value)


def create_tool(*, session: Session, request: ToolWrite) -> Tool:
    tool = Tool()
    _apply_tool_fields(session, tool, request.model_dump())
    session.add(tool)
    refresh_embeddings(session, [tool])
    _commit_unique(session, "tool")
    return get_tool(session=session, slug=tool.slug)


def update_tool(*, session: Session, tool: Tool, request: ToolUpdate) -> Tool:
    """Apply a PATCH: a null clears an optional field (category and scenarios included) and is a 422
    naming the field on a required one."""
    fields = request.model_dump(exclude_unset=True)
    required = {column.key for column in Tool.__table__.columns} - clearable_fields(Tool)
    refused = sorted(name for name in required if name in fields and fields[name] is None)
    if refused:
        raise InvalidInputError(f"{', '.join(refused)} cannot be null")
    _apply_tool_fields(session, tool, fields)
    refresh_embeddings(session, [tool])
    _commit_unique(session, "tool")
    return get_tool(session=session, slug=tool.slug)


def _save_skill(session: Session, skill: Skill, fields: dict[str, Any]) -> Skill:
    """Create or update a skill; its tool is named by slug."""
    if "tool" in fields:
        skill.tool = get_by_slug(session=session, model=Tool, slug=fields.pop("tool"))
    for name, value in fields.items():
        setattr(skill, name, value)
    session.add(skill)
    _commit_unique(session, "skill of this tool")
    return get_skill(session=session, skill_id=skill.id)


def create_skill(*, session: Session, request: SkillWrite) -> Skill:
    return _save_skill(session, Skill(), request.model_dump())


def update_skill(*, session: Session, skill: Skill, request: SkillUpdate) -> Skill:
    return _save_skill(session, skill, patch_fields(Skill, request))
