"""Public reads of the seeded catalog: lists, filters, detail, skills, search in both languages."""

import pytest
from sqlalchemy import event

from infra.seed.loader import load_catalog

pytestmark = pytest.mark.usefixtures("seeded_catalog")


def test_the_seed_is_large_and_bilingual(seeded_catalog):
    assert seeded_catalog["tools"] >= 60 and seeded_catalog["categories"] >= 10
    assert seeded_catalog["scenarios"] >= 8 and seeded_catalog["skills"] >= 10


def test_loading_the_seed_again_changes_nothing(db, seeded_catalog, client):
    before = client.get("/v1/catalog/tools?page_size=1").json()["total"]
    assert load_catalog(db) == seeded_catalog
    assert client.get("/v1/catalog/tools?page_size=1").json()["total"] == before


def test_categories_come_in_their_order(client):
    items = client.get("/v1/catalog/categories?page_size=100").json()["items"]
    assert [c["order"] for c in items] == sorted(c["order"] for c in items)
    assert all(c["name_zh"] for c in items)


def test_tools_carry_category_and_scenario_slugs(client):
    page = client.get("/v1/catalog/tools").json()
    assert page["page_size"] == 20 and len(page["items"]) == 20 and page["total"] >= 60
    tool = page["items"][0]
    assert tool["category"] and isinstance(tool["scenarios"], list)
    ratings = [t["avg_rating"] for t in page["items"]]
    assert ratings == sorted(ratings, reverse=True)


@pytest.mark.parametrize(
    ("query", "check"),
    [
        ("category=translation", lambda t: t["category"] == "translation"),
        ("scenario=coding", lambda t: "coding" in t["scenarios"]),
        ("pricing_type=free", lambda t: t["pricing_type"] == "free"),
        (
            "is_china_accessible=true&requires_vpn=false",
            lambda t: t["is_china_accessible"] and not t["requires_vpn"],
        ),
        ("has_api=true", lambda t: t["has_api"]),
    ],
)
def test_filters(client, query, check):
    items = client.get(f"/v1/catalog/tools?{query}&page_size=100").json()["items"]
    assert items and all(check(t) for t in items)


def test_sorts(client):
    by_name = [
        t["name"].lower() for t in client.get("/v1/catalog/tools?sort=name&page_size=100").json()["items"]
    ]
    assert by_name == sorted(by_name)
    stars = [t["github_stars"] for t in client.get("/v1/catalog/tools?sort=stars").json()["items"]]
    assert stars == sorted(stars, reverse=True) and stars[0] > 0


@pytest.mark.parametrize(
    "query", ["page_size=101", "page_size=0", "sort=price", "pricing_type=cheap", "has_api=perhaps"]
)
def test_bad_list_parameters_are_422(client, query):
    assert client.get(f"/v1/catalog/tools?{query}").status_code == 422


def test_a_page_of_tools_costs_at_most_three_statements(client, engine):
    statements = []

    def count(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        if not statement.startswith(("SAVEPOINT", "RELEASE SAVEPOINT")):  # the test's own isolation
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        assert client.get("/v1/catalog/tools?page_size=100&scenario=writing").status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(statements) <= 3, statements


def test_tool_detail_has_category_scenarios_and_active_skills(client):
    github = client.get("/v1/catalog/tools/github").json()
    assert github["category_detail"]["slug"] == github["category"]
    assert {s["slug"] for s in github["skills"]} >= {"search-repositories", "get-user"}
    assert client.get("/v1/catalog/tools/no-such-tool").status_code == 404


def test_a_slug_the_database_cannot_hold_is_422(client):
    response = client.get("/v1/catalog/tools/nul%00byte")
    assert response.status_code == 422
    assert "NUL character" in response.json()["detail"]


def test_skills_filter_by_tool_and_show_their_schemas(client):
    skills = client.get("/v1/catalog/skills?tool=github").json()["items"]
    assert skills and all(s["tool"] == "github" for s in skills)
    search = next(s for s in skills if s["slug"] == "search-repositories")
    detail = client.get(f"/v1/catalog/skills/{search['id']}").json()
    assert "q" in detail["input_schema"]["properties"]
    assert set(detail["auth_config"]) <= {"header", "prefix", "env_var", "query_param"}


def test_similar_tools_exclude_the_tool_itself(client):
    similar = client.get("/v1/catalog/tools/midjourney/similar?k=5").json()["items"]
    assert len(similar) == 5 and "midjourney" not in [t["slug"] for t in similar]
    assert {t["category"] for t in similar} & {"image-generation", "design"}


def search(client, q: str) -> list[str]:  # type: ignore[no-untyped-def]
    response = client.get("/v1/catalog/search", params={"q": q})
    assert response.status_code == 200, response.text
    return [hit["slug"] for hit in response.json()["items"]]


def test_search_survives_typos_and_reads_chinese(client):
    assert search(client, "chatgtp")[0] == "chatgpt"
    assert {"xiezuocat", "jasper", "grammarly", "quillbot"} & set(search(client, "写作助手")[:5])


@pytest.mark.parametrize("q", ["", "   "])
def test_an_empty_query_is_422(client, q):
    assert client.get("/v1/catalog/search", params={"q": q}).status_code == 422


LABELLED = {
    "chatgtp": "chatgpt",
    "claude anthropic": "claude",
    "midjourny image generator": "midjourney",
    "translate documents accurately": "deepl",
    "run LLMs locally on my laptop": "ollama",
    "AI pair programmer in VS Code": "github-copilot",
    "text to music song generator": "suno",
    "realistic voice cloning text to speech": "elevenlabs",
    "AI presentation slides": "gamma",
    "workflow automation nodes open source": "n8n",
    "深度求索": "deepseek",
    "月之暗面 长文本": "kimi",
    "文心一言": "ernie-bot",
    "通义千问": "tongyi-qianwen",
    "剪映 视频剪辑": "capcut",
    "可灵 视频生成": "kling",
    "秘塔 AI 搜索": "metaso",
    "智能写作 猫": "xiezuocat",
    "扣子 智能体": "coze",
    "有道 翻译": "youdao-translate",
}


def test_search_quality_on_labelled_queries(client):
    chinese = [q for q in LABELLED if any("\u4e00" <= ch <= "\u9fff" for ch in q)]
    assert len(LABELLED) >= 20 and len(chinese) >= 10
    misses = {
        q: search(client, q)[:5] for q, expected in LABELLED.items() if expected not in search(client, q)[:5]
    }
    assert len(misses) <= len(LABELLED) * 0.2, misses


def tools_matching(client, **params) -> list[dict]:  # type: ignore[no-untyped-def]
    response = client.get("/v1/catalog/tools", params={"page_size": 100, **params})
    assert response.status_code == 200, response.text
    return response.json()["items"]


def names_contain(tool: dict, keyword: str) -> bool:
    return any(keyword.lower() in (tool[field] or "").lower() for field in ("name", "name_zh", "slug"))


def test_q_matches_english_names_whatever_the_case(client):
    items = tools_matching(client, q="CHAT")
    assert {"chatgpt", "le-chat", "chatglm"} <= {t["slug"] for t in items}
    assert all(names_contain(t, "chat") for t in items)


def test_q_matches_chinese_names(client):
    items = tools_matching(client, q="翻译")
    assert {"youdao-translate", "baidu-translate", "google-translate", "immersive-translate"} <= {
        t["slug"] for t in items
    }
    assert all(names_contain(t, "翻译") for t in items)


def test_q_matches_slugs_and_keeps_the_other_filters_and_the_sort(client, db):
    # GIVEN a tool found by its slug only
    from tests.factories import make_tool

    make_tool(db, slug="zz-slugword-only", name="Unrelated Name", pricing_type="free")
    assert [t["slug"] for t in tools_matching(client, q="slugword")] == ["zz-slugword-only"]
    # WHEN q is combined with a filter and a sort
    items = tools_matching(client, q="translate", pricing_type="freemium", sort="name")
    # THEN every item passes both, in the sort's order
    assert items and all(t["pricing_type"] == "freemium" and names_contain(t, "translate") for t in items)
    assert [t["name"].lower() for t in items] == sorted(t["name"].lower() for t in items)
    total = client.get("/v1/catalog/tools", params={"q": "translate", "pricing_type": "freemium"}).json()
    assert total["total"] == len(items)


def test_q_takes_like_wildcards_literally(client):
    assert tools_matching(client, q="%") == []
    assert tools_matching(client, q="_") == []


@pytest.mark.parametrize("q", ["", "   ", "x" * 101])
def test_a_blank_or_overlong_q_is_422(client, q):
    assert client.get("/v1/catalog/tools", params={"q": q}).status_code == 422


@pytest.mark.parametrize("q", ["chat", "翻译"])
def test_q_is_served_by_the_trigram_indexes(db, q):
    """Names and slug each have a pg_trgm GIN index, so the filter never needs a full scan."""
    from sqlalchemy import select, text
    from sqlalchemy.dialects import postgresql

    from shared.catalog.models import Tool
    from shared.search.substring import contains_any

    query = select(Tool.id).where(contains_any(q, Tool.name, Tool.name_zh, Tool.slug))
    sql = str(query.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}))
    db.execute(text("SET LOCAL enable_seqscan = off"))  # what the planner picks on a large catalog
    plan = "\n".join(row[0] for row in db.execute(text(f"EXPLAIN {sql}")))
    assert "Seq Scan" not in plan
    assert {"ix_tools_name_trgm", "ix_tools_name_zh_trgm", "ix_tools_slug_trgm"} <= set(plan.split())
