"""Load the curated catalog (infra/seed/catalog.json) idempotently: upsert by slug, embed every tool."""

import json
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.catalog import service as catalog_service
from shared.catalog.models import Category, Scenario, Skill, Tool
from shared.catalog.schemas import CategoryWrite, ScenarioWrite, SkillWrite, ToolWrite

CATALOG_FILE = Path(__file__).with_name("catalog.json")


def _upsert(session: Session, model: type, key: dict[str, Any], fields: dict[str, Any]) -> Any:
    record = session.scalar(select(model).filter_by(**key))
    if record is None:
        record = model(**key)
        session.add(record)
    for name, value in fields.items():
        setattr(record, name, value)
    return record


def load_catalog(session: Session, path: Path = CATALOG_FILE) -> dict[str, int]:
    """Insert or update every category, scenario, tool and skill of the file; returns the counts.

    Each entry is validated by the same schemas as the admin API, so the seed obeys the same rules."""
    data = json.loads(path.read_text(encoding="utf-8"))
    categories = {}
    for raw in data["categories"]:
        entry = CategoryWrite(**raw).model_dump()
        slug = entry.pop("slug")
        categories[slug] = _upsert(session, Category, {"slug": slug}, entry)
    scenarios = {}
    for raw in data["scenarios"]:
        entry = ScenarioWrite(**raw).model_dump()
        slug = entry.pop("slug")
        scenarios[slug] = _upsert(session, Scenario, {"slug": slug}, entry)
    session.flush()
    tools = {}
    for raw in data["tools"]:
        entry = ToolWrite(**raw).model_dump()
        category, wanted = entry.pop("category"), entry.pop("scenarios")
        tool = _upsert(session, Tool, {"slug": entry.pop("slug")}, entry)
        tool.category = categories[category] if category else None
        tool.scenarios = [scenarios[slug] for slug in wanted]
        tools[tool.slug] = tool
    session.flush()
    catalog_service.refresh_embeddings(session, list(tools.values()))
    for raw in data["skills"]:
        entry = SkillWrite(**raw).model_dump()
        tool = tools[entry.pop("tool")]
        _upsert(session, Skill, {"tool_id": tool.id, "slug": entry.pop("slug")}, entry)
    session.commit()
    return {
        "categories": len(categories),
        "scenarios": len(scenarios),
        "tools": len(tools),
        "skills": len(data["skills"]),
    }


def catalog_is_empty(session: Session) -> bool:
    return session.scalar(select(Category.id).limit(1)) is None
