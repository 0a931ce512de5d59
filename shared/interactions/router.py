"""/v1/interactions: tracking, personalised recommendations, trending."""

from typing import Annotated, Literal

from fastapi import APIRouter, Query, status

from shared.api.pagination import Page, PageDep
from shared.api.responses import JSON_BODY, error_responses
from shared.auth.dependencies import CurrentUser
from shared.catalog import service as catalog_service
from shared.db import SessionDep
from shared.interactions import service as interaction_service
from shared.interactions.schemas import InteractionCreate, InteractionPublic, Recommendation, TrendingItem

router = APIRouter(prefix="/interactions", tags=["interactions"])
MAX_RANKED = 100


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=InteractionPublic,
    responses=error_responses(401, 404, 429, *JSON_BODY),
)
def track(body: InteractionCreate, user: CurrentUser, session: SessionDep) -> InteractionPublic:
    return InteractionPublic.model_validate(
        interaction_service.track(session=session, user=user, request=body)
    )


@router.get("/recommendations", response_model=Page[Recommendation], responses=error_responses(401, 422))
def recommendations(user: CurrentUser, session: SessionDep, page: PageDep) -> Page[Recommendation]:
    ranked = interaction_service.recommend(session=session, user=user, limit=MAX_RANKED)
    window = ranked[page.offset : page.offset + page.page_size]
    items = [
        Recommendation(**catalog_service.tool_public(tool, score=score, reason=reason))
        for tool, score, reason in window
    ]
    return Page.of(items, len(ranked), page)


@router.get("/trending", response_model=Page[TrendingItem], responses=error_responses(422))
def trending(
    session: SessionDep, page: PageDep, item_type: Annotated[Literal["tool", "workflow"], Query()] = "tool"
) -> Page[TrendingItem]:
    if item_type == "tool":
        ranked = [
            TrendingItem(item_type="tool", item_id=t.id, slug=t.slug, name=t.name, name_zh=t.name_zh, score=s)
            for t, s in interaction_service.trending_tools(session=session, limit=MAX_RANKED)
        ]
    else:
        ranked = [
            TrendingItem(
                item_type="workflow", item_id=w.id, slug=w.slug, name=w.name, name_zh=w.name_zh, score=s
            )
            for w, s in interaction_service.trending_workflows(session=session, limit=MAX_RANKED)
        ]
    return Page.of(ranked[page.offset : page.offset + page.page_size], len(ranked), page)
