"""/v1/interactions: validation, rate limit, recommendations with reasons, cold start, decay, trending."""

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from shared.catalog.models import Tool
from shared.config import get_utc_now, settings
from shared.interactions.models import UserInteraction
from tests.accounts import bearer, signup

pytestmark = pytest.mark.usefixtures("seeded_catalog", "mailbox")


def tool_id(db, slug: str) -> str:  # type: ignore[no-untyped-def]
    return str(db.scalar(select(Tool.id).where(Tool.slug == slug)))


def interact(client, tokens, item_id: str, action: str = "like", item_type: str = "tool"):  # type: ignore[no-untyped-def]
    return client.post(
        "/v1/interactions",
        headers=bearer(tokens),
        json={"item_type": item_type, "item_id": item_id, "action": action},
    )


def test_an_interaction_is_recorded_with_its_default_weight(client, db):
    tokens = signup(client)
    response = interact(client, tokens, tool_id(db, "midjourney"), "click")
    assert response.status_code == 201
    assert (response.json()["action"], response.json()["weight"]) == ("click", 2.0)


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"item_type": "roadmap", "action": "view"}, 422),
        ({"item_type": "tool", "action": "hug"}, 422),
        ({"item_type": "tool", "action": "view", "item_id": "00000000-0000-0000-0000-000000000000"}, 404),
        ({"item_type": "workflow", "action": "view", "item_id": "00000000-0000-0000-0000-000000000000"}, 404),
    ],
)
def test_invalid_interactions_are_refused(client, db, body, status):
    tokens = signup(client)
    payload = {"item_id": tool_id(db, "midjourney"), **body}
    assert client.post("/v1/interactions", headers=bearer(tokens), json=payload).status_code == status


def test_interactions_need_an_account(client, db):
    assert (
        client.post(
            "/v1/interactions", json={"item_type": "tool", "item_id": tool_id(db, "kimi"), "action": "view"}
        ).status_code
        == 401
    )
    assert client.get("/v1/interactions/recommendations").status_code == 401


def test_a_per_user_rate_limit_is_429(client, db, monkeypatch):
    monkeypatch.setattr(settings, "INTERACTION_RATE_LIMIT_PER_MINUTE", 3)
    tokens = signup(client)
    kimi = tool_id(db, "kimi")
    assert [interact(client, tokens, kimi, "view").status_code for _ in range(4)] == [201, 201, 201, 429]
    assert interact(client, tokens, kimi, "view").headers["retry-after"] == "60"


def test_a_new_user_gets_trending_tools(client):
    tokens = signup(client)
    body = client.get("/v1/interactions/recommendations?page_size=10", headers=bearer(tokens)).json()
    assert len(body["items"]) == 10 and all(item["reason"] for item in body["items"])


def test_recommendations_follow_the_users_category_exclude_used_tools_and_give_reasons(client, db):
    tokens = signup(client)
    liked = ["midjourney", "leonardo-ai", "ideogram"]
    for slug in liked:
        interact(client, tokens, tool_id(db, slug), "like")
    items = client.get("/v1/interactions/recommendations?page_size=10", headers=bearer(tokens)).json()[
        "items"
    ]
    assert not set(liked) & {item["slug"] for item in items}
    image_like = [
        i
        for i in items
        if i["category"] in ("image-generation", "design") or "image-creation" in i["scenarios"]
    ]
    assert len(image_like) >= 6, [(i["slug"], i["category"]) for i in items]
    assert any(item["reason"].startswith("Because you liked ") for item in items)
    assert all(item["reason"] for item in items)


def test_old_interactions_weigh_less_than_recent_ones(client, db):
    tokens = signup(client)
    for slug in ("cursor", "github-copilot", "windsurf"):
        interact(client, tokens, tool_id(db, slug), "fork")
    db.execute(update(UserInteraction).values(created_at=get_utc_now() - timedelta(days=120)))
    for slug in ("suno", "udio"):
        interact(client, tokens, tool_id(db, slug), "view")
    top = client.get("/v1/interactions/recommendations?page_size=5", headers=bearer(tokens)).json()["items"]
    audio = [i for i in top if i["category"] == "audio" or {"music", "voice-audio"} & set(i["scenarios"])]
    assert len(audio) >= 3, [(i["slug"], i["category"]) for i in top]


def test_trending_weighs_recent_interactions_more(client, db):
    tokens = signup(client)
    for _ in range(3):
        interact(client, tokens, tool_id(db, "kling"), "view")
    interact(client, tokens, tool_id(db, "runway"), "view")
    db.execute(
        update(UserInteraction)
        .where(UserInteraction.item_id == tool_id(db, "kling"))
        .values(created_at=get_utc_now() - timedelta(days=6))
    )
    trending = client.get("/v1/interactions/trending?item_type=tool").json()["items"]
    slugs = [item["slug"] for item in trending]
    assert slugs.index("runway") < slugs.index("kling")  # 1 fresh view beats 3 six-day-old ones


def test_runs_and_forks_are_recorded_by_the_server_and_trend(client, db, aws):
    author, reader = signup(client), signup(client)
    workflow = client.post(
        "/v1/workflows", headers=bearer(author), json={"name": "Shared", "is_public": True}
    ).json()
    client.post(f"/v1/workflows/{workflow['id']}/fork", headers=bearer(reader))
    client.post(f"/v1/workflows/{workflow['id']}/runs", headers=bearer(author), json={"input": {}})
    actions = set(db.scalars(select(UserInteraction.action).where(UserInteraction.item_id == workflow["id"])))
    assert actions == {"fork", "run"}
    trending = client.get("/v1/interactions/trending?item_type=workflow").json()["items"]
    assert trending[0]["item_id"] == workflow["id"] and trending[0]["score"] > 0


def test_a_user_with_two_interests_gets_both_in_the_first_page(client, db):
    # GIVEN a user who forked coding tools and liked music tools as much
    tokens = signup(client)
    for slug in ("cursor", "github-copilot", "windsurf"):
        interact(client, tokens, tool_id(db, slug), "fork")
    for slug in ("suno", "udio", "elevenlabs"):
        interact(client, tokens, tool_id(db, slug), "fork")
    # WHEN they ask for ten recommendations
    top = client.get("/v1/interactions/recommendations?page_size=10", headers=bearer(tokens)).json()["items"]
    # THEN both interests are there, neither crowded out by what lies between them
    coding = [i for i in top if i["category"] == "coding" or "coding" in i["scenarios"]]
    audio = [i for i in top if i["category"] == "audio" or {"music", "voice-audio"} & set(i["scenarios"])]
    assert len(coding) >= 3 and len(audio) >= 3, [(i["slug"], i["category"], i["scenarios"]) for i in top]
