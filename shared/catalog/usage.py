"""How skills are used: call counts and mean latency, kept on the skill (light: no search, no embedding)."""

import uuid

from sqlalchemy import update
from sqlalchemy.orm import Session

from shared.catalog.models import Skill


def record_skill_calls(session: Session, calls: list[tuple[uuid.UUID, float]]) -> None:
    """Count each (skill id, latency ms) call and fold its latency into the skill's running mean."""
    for skill_id, latency in calls:
        session.execute(
            update(Skill)
            .where(Skill.id == skill_id)
            .values(
                usage_count=Skill.usage_count + 1,
                avg_latency_ms=Skill.avg_latency_ms
                + (latency - Skill.avg_latency_ms) / (Skill.usage_count + 1),
            )
        )
