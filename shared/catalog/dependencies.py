"""Route dependencies that hand the catalog's routes the category, scenario, tool or skill their path
names; none is a 404."""

import uuid
from typing import Annotated

from fastapi import Depends

from shared.catalog import service as catalog_service
from shared.catalog.models import Category, Scenario, Skill, Tool
from shared.db import SessionDep


def category_by_slug(slug: str, session: SessionDep) -> Category:
    return catalog_service.get_by_slug(session=session, model=Category, slug=slug)


def scenario_by_slug(slug: str, session: SessionDep) -> Scenario:
    return catalog_service.get_by_slug(session=session, model=Scenario, slug=slug)


def tool_by_slug(slug: str, session: SessionDep) -> Tool:
    return catalog_service.get_tool(session=session, slug=slug)


def skill_by_id(skill_id: uuid.UUID, session: SessionDep) -> Skill:
    return catalog_service.get_skill(session=session, skill_id=skill_id)


CategoryBySlug = Annotated[Category, Depends(category_by_slug)]
ScenarioBySlug = Annotated[Scenario, Depends(scenario_by_slug)]
ToolBySlug = Annotated[Tool, Depends(tool_by_slug)]
SkillById = Annotated[Skill, Depends(skill_by_id)]
