"""/v1/catalog: public reads and search; writes for holders of catalog:write."""

from typing import Annotated

from fastapi import APIRouter, Query, status

from shared.admin.dependencies import CatalogWriter
from shared.api.pagination import Page, PageDep
from shared.api.responses import JSON_BODY, error_responses
from shared.catalog import service as catalog_service
from shared.catalog.dependencies import CategoryBySlug, ScenarioBySlug, SkillById, ToolBySlug
from shared.catalog.schemas import (
    CategoryPublic,
    CategoryUpdate,
    CategoryWrite,
    PricingType,
    ScenarioPublic,
    ScenarioUpdate,
    ScenarioWrite,
    SearchHit,
    SkillPublic,
    SkillUpdate,
    SkillWrite,
    ToolDetail,
    ToolPublic,
    ToolSort,
    ToolUpdate,
    ToolWrite,
)
from shared.db import SessionDep
from shared.errors import InvalidInputError

router = APIRouter(prefix="/catalog", tags=["catalog"])
ADMIN_WRITE = error_responses(401, 403, 404, 409, *JSON_BODY)
ADMIN_DELETE = error_responses(401, 403, 404, 409, 422)


def page_of(items, total: int, page: PageDep, view) -> Page:  # type: ignore[no-untyped-def]
    return Page.of([view(item) for item in items], total, page)


# --- public reads --------------------------------------------------------------------------------


@router.get("/categories", response_model=Page[CategoryPublic], responses=error_responses(422))
def list_categories(session: SessionDep, page: PageDep) -> Page[CategoryPublic]:
    return page_of(
        *catalog_service.list_categories(session=session, page=page), page, CategoryPublic.model_validate
    )


@router.get("/scenarios", response_model=Page[ScenarioPublic], responses=error_responses(422))
def list_scenarios(session: SessionDep, page: PageDep) -> Page[ScenarioPublic]:
    return page_of(
        *catalog_service.list_scenarios(session=session, page=page), page, ScenarioPublic.model_validate
    )


@router.get("/tools", response_model=Page[ToolPublic], responses=error_responses(422))
def list_tools(
    session: SessionDep,
    page: PageDep,
    sort: ToolSort = "rating",
    category: Annotated[str | None, Query(max_length=100)] = None,
    scenario: Annotated[str | None, Query(max_length=100)] = None,
    pricing_type: PricingType | None = None,
    is_china_accessible: bool | None = None,
    requires_vpn: bool | None = None,
    has_api: bool | None = None,
    q: Annotated[
        str | None,
        Query(min_length=1, max_length=100, description="part of a name (English or 中文) or of the slug"),
    ] = None,
) -> Page[ToolPublic]:
    items, total = catalog_service.list_tools(
        session=session,
        page=page,
        sort=sort,
        category=category,
        scenario=scenario,
        pricing_type=pricing_type,
        is_china_accessible=is_china_accessible,
        requires_vpn=requires_vpn,
        has_api=has_api,
        keyword=q,
    )
    return page_of(items, total, page, lambda fields: ToolPublic(**fields))


@router.get("/tools/{slug}", response_model=ToolDetail, responses=error_responses(404, 422))
def read_tool(tool: ToolBySlug) -> ToolDetail:
    return catalog_service.tool_detail(tool)


@router.get("/tools/{slug}/similar", response_model=Page[SearchHit], responses=error_responses(404, 422))
def similar_tools(
    tool: ToolBySlug, session: SessionDep, k: Annotated[int, Query(ge=1, le=50)] = 10
) -> Page[SearchHit]:
    hits = catalog_service.similar_tools(session=session, tool=tool, k=k)
    items = [SearchHit(**catalog_service.tool_public(hit, score=round(score, 6))) for hit, score in hits]
    return Page(items=items, total=len(items), page=1, page_size=k)


@router.get("/search", response_model=Page[SearchHit], responses=error_responses(422))
def search(
    session: SessionDep,
    q: Annotated[
        str, Query(min_length=1, max_length=200, description="keywords or a question, English or 中文")
    ],
    limit: Annotated[int, Query(ge=1, le=50)] = 20,
) -> Page[SearchHit]:
    if not q.strip():
        raise InvalidInputError("q must not be blank")
    hits = catalog_service.search_tools(session=session, query=q, limit=limit)
    items = [SearchHit(**fields, score=round(score, 6)) for fields, score in hits]
    return Page(items=items, total=len(items), page=1, page_size=limit)


@router.get("/skills", response_model=Page[SkillPublic], responses=error_responses(422))
def list_skills(
    session: SessionDep, page: PageDep, tool: Annotated[str | None, Query(max_length=100)] = None
) -> Page[SkillPublic]:
    return page_of(
        *catalog_service.list_skills(session=session, page=page, tool=tool),
        page,
        catalog_service.skill_public,
    )


@router.get("/skills/{skill_id}", response_model=SkillPublic, responses=error_responses(404, 422))
def read_skill(skill: SkillById) -> SkillPublic:
    return catalog_service.skill_public(skill)


# --- superuser writes ----------------------------------------------------------------------------
# `admin` comes first in each signature: dependencies resolve in order, so a caller who may not write
# gets 401/403 before the path's object is looked up (and learns nothing from a 404).


@router.post(
    "/categories", status_code=status.HTTP_201_CREATED, response_model=CategoryPublic, responses=ADMIN_WRITE
)
def create_category(admin: CatalogWriter, body: CategoryWrite, session: SessionDep) -> CategoryPublic:
    return CategoryPublic.model_validate(catalog_service.create_category(session=session, request=body))


@router.patch("/categories/{slug}", response_model=CategoryPublic, responses=ADMIN_WRITE)
def update_category(
    admin: CatalogWriter, category: CategoryBySlug, body: CategoryUpdate, session: SessionDep
) -> CategoryPublic:
    return CategoryPublic.model_validate(
        catalog_service.update_category(session=session, category=category, request=body)
    )


@router.delete("/categories/{slug}", status_code=status.HTTP_204_NO_CONTENT, responses=ADMIN_DELETE)
def delete_category(admin: CatalogWriter, category: CategoryBySlug, session: SessionDep) -> None:
    catalog_service.delete_record(session=session, record=category)


@router.post(
    "/scenarios", status_code=status.HTTP_201_CREATED, response_model=ScenarioPublic, responses=ADMIN_WRITE
)
def create_scenario(admin: CatalogWriter, body: ScenarioWrite, session: SessionDep) -> ScenarioPublic:
    return ScenarioPublic.model_validate(catalog_service.create_scenario(session=session, request=body))


@router.patch("/scenarios/{slug}", response_model=ScenarioPublic, responses=ADMIN_WRITE)
def update_scenario(
    admin: CatalogWriter, scenario: ScenarioBySlug, body: ScenarioUpdate, session: SessionDep
) -> ScenarioPublic:
    return ScenarioPublic.model_validate(
        catalog_service.update_scenario(session=session, scenario=scenario, request=body)
    )


@router.delete("/scenarios/{slug}", status_code=status.HTTP_204_NO_CONTENT, responses=ADMIN_DELETE)
def delete_scenario(admin: CatalogWriter, scenario: ScenarioBySlug, session: SessionDep) -> None:
    catalog_service.delete_record(session=session, record=scenario)


@router.post("/tools", status_code=status.HTTP_201_CREATED, response_model=ToolDetail, responses=ADMIN_WRITE)
def create_tool(admin: CatalogWriter, body: ToolWrite, session: SessionDep) -> ToolDetail:
    return catalog_service.tool_detail(catalog_service.create_tool(session=session, request=body))


@router.patch("/tools/{slug}", response_model=ToolDetail, responses=ADMIN_WRITE)
def update_tool(admin: CatalogWriter, tool: ToolBySlug, body: ToolUpdate, session: SessionDep) -> ToolDetail:
    return catalog_service.tool_detail(catalog_service.update_tool(session=session, tool=tool, request=body))


@router.delete("/tools/{slug}", status_code=status.HTTP_204_NO_CONTENT, responses=ADMIN_DELETE)
def delete_tool(admin: CatalogWriter, tool: ToolBySlug, session: SessionDep) -> None:
    catalog_service.delete_record(session=session, record=tool)


@router.post(
    "/skills", status_code=status.HTTP_201_CREATED, response_model=SkillPublic, responses=ADMIN_WRITE
)
def create_skill(admin: CatalogWriter, body: SkillWrite, session: SessionDep) -> SkillPublic:
    return catalog_service.skill_public(catalog_service.create_skill(session=session, request=body))


@router.patch("/skills/{skill_id}", response_model=SkillPublic, responses=ADMIN_WRITE)
def update_skill(
    admin: CatalogWriter, skill: SkillById, body: SkillUpdate, session: SessionDep
) -> SkillPublic:
    return catalog_service.skill_public(
        catalog_service.update_skill(session=session, skill=skill, request=body)
    )


@router.delete("/skills/{skill_id}", status_code=status.HTTP_204_NO_CONTENT, responses=ADMIN_DELETE)
def delete_skill(admin: CatalogWriter, skill: SkillById, session: SessionDep) -> None:
    catalog_service.delete_record(session=session, record=skill)
