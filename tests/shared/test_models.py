"""The tables of seed 000 on a real PostgreSQL: defaults, uniques, cascades, vectors."""

import math
import time
from datetime import UTC, datetime

import pytest
from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import IntegrityError

from shared.models import (
    AgentExecution,
    AgentMemory,
    AgentWorkflow,
    Scenario,
    Skill,
    Tool,
    User,
    UserInteraction,
    WorkflowStar,
)
from tests.factories import (
    make_category,
    make_execution,
    make_skill,
    make_tool,
    make_user,
    make_workflow,
)


def unit_vector(*leading: float) -> list[float]:
    values = [*leading, *([0.0] * (384 - len(leading)))]
    norm = math.sqrt(sum(v * v for v in values))
    return [v / norm for v in values]


def test_a_new_user_gets_the_seed_defaults_and_timestamps(db):
    user = make_user(db)
    db.refresh(user)
    assert user.is_active is True
    assert user.is_superuser is False
    assert user.created_at.tzinfo is not None
    assert user.updated_at >= user.created_at


def test_updated_at_moves_on_update(db):
    user = make_user(db)
    db.refresh(user)
    before = user.updated_at
    # now() is the transaction start; a new savepoint does not change it, so compare with clock_timestamp
    time.sleep(0.01)
    db.execute(
        update(User).where(User.id == user.id).values(phone="123", updated_at=text("clock_timestamp()"))
    )
    db.refresh(user)
    assert user.updated_at > before


@pytest.mark.parametrize("field", ["email", "username"])
def test_email_and_username_are_unique(db, field):
    first = make_user(db)
    with pytest.raises(IntegrityError), db.begin_nested():
        make_user(db, **{field: getattr(first, field)})


def test_a_tool_belongs_to_a_category_and_scenarios(db):
    category = make_category(db)
    scenario = Scenario(name="Model test scenario", slug="model-test-scenario")
    tool = make_tool(db, category_id=category.id, scenarios=[scenario])
    db.expire_all()
    loaded = db.get(Tool, tool.id)
    assert loaded.category.slug == category.slug
    assert [s.slug for s in loaded.scenarios] == ["model-test-scenario"]
    assert loaded.pricing_type == "free"
    assert loaded.is_china_accessible is True
    assert loaded.requires_vpn is False


def test_deleting_a_tool_deletes_its_skills(db):
    tool = make_tool(db)
    make_skill(db, tool)
    db.execute(delete(Tool).where(Tool.id == tool.id))
    assert db.scalar(select(Skill).where(Skill.tool_id == tool.id)) is None


def test_skill_slugs_are_unique_per_tool(db):
    tool = make_tool(db)
    make_skill(db, tool, slug="search")
    make_skill(db, make_tool(db), slug="search")  # another tool may reuse it
    with pytest.raises(IntegrityError), db.begin_nested():
        make_skill(db, tool, slug="search")


def test_workflow_defaults_follow_the_seed(db):
    workflow = make_workflow(db, make_user(db))
    db.refresh(workflow)
    assert workflow.llm_model == "deepseek-chat"
    assert workflow.temperature == pytest.approx(0.7)
    assert workflow.trigger_type == "manual"
    assert workflow.version == 1
    assert workflow.version_history == []
    assert [n["type"] for n in workflow.graph_json["nodes"]] == ["input"]
    assert (workflow.star_count, workflow.fork_count, workflow.run_count) == (0, 0, 0)


def test_a_fork_points_at_its_origin_and_survives_its_deletion(db):
    user = make_user(db)
    origin = make_workflow(db, user)
    fork = make_workflow(db, user, forked_from_id=origin.id)
    assert fork.forked_from.id == origin.id
    db.execute(delete(AgentWorkflow).where(AgentWorkflow.id == origin.id))
    db.expire_all()
    assert db.get(AgentWorkflow, fork.id).forked_from_id is None


def test_a_scheduled_fire_creates_one_execution(db):
    workflow = make_workflow(db, make_user(db))
    fire = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
    make_execution(db, workflow, scheduled_at=fire, trigger_type="schedule")
    with pytest.raises(IntegrityError), db.begin_nested():
        make_execution(db, workflow, scheduled_at=fire, trigger_type="schedule")
    # manual runs have no scheduled_at and never collide
    make_execution(db, workflow)
    make_execution(db, workflow)


def test_a_star_is_one_row_per_user_and_workflow(db):
    user = make_user(db)
    workflow = make_workflow(db, user)
    db.add(WorkflowStar(user_id=user.id, workflow_id=workflow.id))
    db.flush()
    with pytest.raises(IntegrityError), db.begin_nested():
        db.add(WorkflowStar(user_id=user.id, workflow_id=workflow.id))
        db.flush()


def test_deleting_a_user_removes_their_workflows_runs_memories_and_interactions(db):
    user = make_user(db)
    workflow = make_workflow(db, user)
    make_execution(db, workflow)
    db.add(AgentMemory(workflow_id=workflow.id, content="remember this", embedding=unit_vector(1.0)))
    db.add(UserInteraction(user_id=user.id, item_type="tool", item_id=workflow.id, action="view"))
    db.flush()
    db.execute(delete(User).where(User.id == user.id))
    remaining = {
        "workflows": select(AgentWorkflow).where(AgentWorkflow.user_id == user.id),
        "executions": select(AgentExecution).where(AgentExecution.workflow_id == workflow.id),
        "memories": select(AgentMemory).where(AgentMemory.workflow_id == workflow.id),
        "interactions": select(UserInteraction).where(UserInteraction.user_id == user.id),
    }
    assert {name: db.scalar(query) for name, query in remaining.items()} == dict.fromkeys(remaining)


def test_memories_are_found_by_cosine_distance(db):
    workflow = make_workflow(db, make_user(db))
    near = AgentMemory(workflow_id=workflow.id, content="near", embedding=unit_vector(1.0, 0.1))
    far = AgentMemory(workflow_id=workflow.id, content="far", embedding=unit_vector(0.0, 1.0))
    db.add_all([near, far])
    db.flush()
    # The exact order: once the table holds many other vectors the planner may pick the HNSW index, an
    # approximate scan filtered afterwards that can drop "far" (the service turns iterative scans on).
    db.execute(text("SET LOCAL enable_indexscan = off"))
    query = unit_vector(1.0)
    distance = AgentMemory.embedding.cosine_distance(query)
    rows = db.execute(
        select(AgentMemory.content, distance.label("distance"))
        .where(AgentMemory.workflow_id == workflow.id)
        .order_by(distance)
    ).all()
    assert [row.content for row in rows] == ["near", "far"]
    assert rows[0].distance == pytest.approx(1 - 1 / math.sqrt(1.01), abs=1e-5)


def test_the_memory_embedding_has_an_hnsw_cosine_index(db):
    definition = db.scalar(
        text("SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_agent_memories_embedding_hnsw'")
    )
    assert "USING hnsw" in definition
    assert "vector_cosine_ops" in definition


def test_the_search_extensions_are_installed(db):
    extensions = set(db.scalars(text("SELECT extname FROM pg_extension")))
    assert {"vector", "pg_trgm"} <= extensions
