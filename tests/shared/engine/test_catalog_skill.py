"""A workflow calls a skill of the seeded catalog; a loopback server stands in for the real API."""

import pytest
from sqlalchemy import select

from shared.catalog.models import Skill, Tool
from tests.fakes.http_server import Reply
from tests.graphs import edge, graph, node

pytestmark = pytest.mark.usefixtures("seeded_catalog")


def test_a_workflow_calls_a_seeded_skill(runnable, db, loopback):
    """The engine resolves a catalog skill; the loopback server plays api.github.com (allow-listed)."""
    skill = db.scalar(
        select(Skill).join(Tool).where(Tool.slug == "github", Skill.slug == "search-repositories")
    )
    skill.api_endpoint = f"{loopback.url}/search/repositories"
    db.flush()
    loopback.script(
        "/search/repositories", Reply(200, {"total_count": 2, "items": [{"full_name": "tiangolo/fastapi"}]})
    )
    workflow = runnable.workflow(
        graph(
            [
                node("in", "input"),
                node(
                    "find",
                    "skill",
                    skill_id=str(skill.id),
                    params={"q": "{{ input.topic }}", "per_page": "1"},
                ),
                node("out", "output", values={"top": "{{ nodes.find.body['items'][0].full_name }}"}),
            ],
            [edge("in", "find"), edge("find", "out")],
        )
    )
    execution = runnable.run(runnable.execution(workflow, {"topic": "fastapi"}))
    assert execution.status == "completed", execution.error_message
    assert execution.output_data == {"top": "tiangolo/fastapi"}
    assert loopback.calls("/search/repositories")[0].path.startswith("/search/repositories?q=fastapi")
