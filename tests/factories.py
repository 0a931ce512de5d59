"""Row factories: valid objects with unique values, flushed so their ids and defaults are set."""

import itertools
from typing import Any

from sqlalchemy.orm import Session

from shared.models import AgentExecution, AgentWorkflow, Category, Skill, Tool, User

_sequence = itertools.count(1)


def make_user(db: Session, **overrides: Any) -> User:
    n = next(_sequence)
    user = User(**{"email": f"user{n}@example.com", "username": f"user_{n}", **overrides})
    db.add(user)
    db.flush()
    return user


def make_category(db: Session, **overrides: Any) -> Category:
    n = next(_sequence)
    category = Category(**{"name": f"Category {n}", "slug": f"category-{n}", **overrides})
    db.add(category)
    db.flush()
    return category


def make_tool(db: Session, **overrides: Any) -> Tool:
    n = next(_sequence)
    tool = Tool(**{"name": f"Tool {n}", "slug": f"tool-{n}", "url": f"https://tool{n}.example", **overrides})
    db.add(tool)
    db.flush()
    return tool


def make_skill(db: Session, tool: Tool, **overrides: Any) -> Skill:
    n = next(_sequence)
    skill = Skill(**{"tool_id": tool.id, "name": f"Skill {n}", "slug": f"skill-{n}", **overrides})
    db.add(skill)
    db.flush()
    return skill


def make_workflow(db: Session, user: User, **overrides: Any) -> AgentWorkflow:
    n = next(_sequence)
    workflow = AgentWorkflow(
        **{"user_id": user.id, "name": f"Workflow {n}", "slug": f"workflow-{n}", **overrides}
    )
    db.add(workflow)
    db.flush()
    return workflow


def make_execution(db: Session, workflow: AgentWorkflow, **overrides: Any) -> AgentExecution:
    execution = AgentExecution(**{"workflow_id": workflow.id, "user_id": workflow.user_id, **overrides})
    db.add(execution)
    db.flush()
    return execution
