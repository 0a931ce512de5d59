"""Superuser writes on the catalog: guarded (401/403), validated (409/422), and searchable at once."""

import pytest

from tests.accounts import bearer, signup

pytestmark = pytest.mark.usefixtures("mailbox")

TOOL = {
    "slug": "quill-test-writer",
    "name": "Quill Test Writer",
    "name_zh": "羽毛笔写作",
    "description": "Drafts blog posts and newsletters from bullet points.",
    "description_zh": "根据要点起草博客文章和新闻简报。",
    "url": "https://quill.example.com",
    "pricing_type": "freemium",
}


def test_anonymous_is_401_members_403_superusers_201(client, superuser):
    member = signup(client)
    body = {"slug": "test-category", "name": "Test"}
    assert client.post("/v1/catalog/categories", json=body).status_code == 401
    assert client.post("/v1/catalog/categories", headers=bearer(member), json=body).status_code == 403
    assert client.post("/v1/catalog/categories", headers=bearer(superuser), json=body).status_code == 201


def test_a_tool_is_created_with_its_relations_and_found_by_search(client, superuser):
    headers = bearer(superuser)
    client.post(
        "/v1/catalog/categories",
        headers=headers,
        json={"slug": "test-writing", "name": "Writing", "name_zh": "写作"},
    )
    client.post("/v1/catalog/scenarios", headers=headers, json={"slug": "test-blogging", "name": "Blogging"})
    created = client.post(
        "/v1/catalog/tools",
        headers=headers,
        json={**TOOL, "category": "test-writing", "scenarios": ["test-blogging"]},
    )
    assert created.status_code == 201, created.text
    assert (created.json()["category"], created.json()["scenarios"]) == ("test-writing", ["test-blogging"])
    hits = client.get("/v1/catalog/search", params={"q": "quill writer"}).json()["items"]
    assert hits[0]["slug"] == "quill-test-writer"


def test_an_update_refreshes_the_tools_embedding(client, superuser):
    headers = bearer(superuser)
    client.post("/v1/catalog/tools", headers=headers, json=TOOL)
    client.patch(
        "/v1/catalog/tools/quill-test-writer",
        headers=headers,
        json={"description": "Composes orchestral film scores and soundtracks for movies."},
    )
    hits = client.get("/v1/catalog/search", params={"q": "music soundtrack composer for films"}).json()[
        "items"
    ]
    assert "quill-test-writer" in [hit["slug"] for hit in hits[:5]]


@pytest.mark.parametrize(
    ("path", "body", "status"),
    [
        ("/v1/catalog/tools", {**TOOL, "url": "ftp://quill.example.com"}, 422),
        ("/v1/catalog/tools", {**TOOL, "url": "javascript:alert(1)"}, 422),
        ("/v1/catalog/tools", {**TOOL, "pricing_type": "cheap"}, 422),
        ("/v1/catalog/tools", {**TOOL, "slug": "Not A Slug"}, 422),
        ("/v1/catalog/tools", {**TOOL, "category": "no-such-category"}, 404),
        ("/v1/catalog/tools", {**TOOL, "scenarios": ["no-such-scenario"]}, 422),
        ("/v1/catalog/tools", {**TOOL, "avg_rating": 7}, 422),
        ("/v1/catalog/tools", {**TOOL, "description": "a NUL \x00 cannot be stored"}, 422),
        ("/v1/catalog/categories", {"slug": "long-name", "name": "x" * 101}, 422),
        ("/v1/catalog/scenarios", {"slug": "long-name", "name": "x" * 101}, 422),
    ],
)
def test_invalid_tools_are_refused(client, superuser, path, body, status):
    assert client.post(path, headers=bearer(superuser), json=body).status_code == status


def test_duplicate_slugs_are_409(client, superuser):
    headers = bearer(superuser)
    assert client.post("/v1/catalog/tools", headers=headers, json=TOOL).status_code == 201
    assert client.post("/v1/catalog/tools", headers=headers, json=TOOL).status_code == 409
    assert (
        client.post("/v1/catalog/scenarios", headers=headers, json={"slug": "dup-s", "name": "A"}).status_code
        == 201
    )
    assert (
        client.post("/v1/catalog/scenarios", headers=headers, json={"slug": "dup-s", "name": "B"}).status_code
        == 409
    )


@pytest.mark.parametrize(
    "change",
    [
        {"http_method": "TRACE"},
        {"api_endpoint": "file:///etc/passwd"},
        {"input_schema": {"type": "nonsense"}},
        {"output_schema": {"properties": 5}},
    ],
)
def test_invalid_skills_are_422(client, superuser, change):
    headers = bearer(superuser)
    client.post("/v1/catalog/tools", headers=headers, json=TOOL)
    skill = {
        "tool": "quill-test-writer",
        "slug": "draft",
        "name": "Draft",
        "api_endpoint": "https://quill.example.com/draft",
    }
    assert client.post("/v1/catalog/skills", headers=headers, json={**skill, **change}).status_code == 422


def test_a_skills_auth_config_never_shows_a_secret_value(client, superuser):
    headers = bearer(superuser)
    client.post("/v1/catalog/tools", headers=headers, json=TOOL)
    created = client.post(
        "/v1/catalog/skills",
        headers=headers,
        json={
            "tool": "quill-test-writer",
            "slug": "draft",
            "name": "Draft",
            "api_endpoint": "https://quill.example.com/draft",
            "http_method": "POST",
            "auth_type": "bearer",
            "auth_config": {
                "header": "Authorization",
                "prefix": "Bearer ",
                "env_var": "QUILL_TOKEN",
                "token": "s3cret",
            },
            "input_schema": {
                "type": "object",
                "properties": {"topic": {"type": "string"}},
                "required": ["topic"],
            },
        },
    ).json()
    shown = client.get(f"/v1/catalog/skills/{created['id']}").json()
    assert shown["auth_config"] == {"header": "Authorization", "prefix": "Bearer ", "env_var": "QUILL_TOKEN"}
    assert "s3cret" not in str(shown)
    assert shown["input_schema"]["required"] == ["topic"]


def test_deletes_remove_tools_and_their_skills(client, superuser):
    headers = bearer(superuser)
    client.post("/v1/catalog/tools", headers=headers, json=TOOL)
    skill = client.post(
        "/v1/catalog/skills",
        headers=headers,
        json={
            "tool": "quill-test-writer",
            "slug": "draft",
            "name": "Draft",
            "api_endpoint": "https://quill.example.com/d",
        },
    ).json()
    assert client.delete("/v1/catalog/tools/quill-test-writer", headers=headers).status_code == 204
    assert client.get("/v1/catalog/tools/quill-test-writer").status_code == 404
    assert client.get(f"/v1/catalog/skills/{skill['id']}").status_code == 404
    assert client.delete("/v1/catalog/tools/quill-test-writer", headers=headers).status_code == 404


@pytest.mark.parametrize("field", ["name", "has_api", "requires_vpn", "avg_rating", "github_stars"])
def test_nulling_a_required_tool_field_is_422_naming_it(client, superuser, field):
    """Found by the fuzzer: a null for any NOT NULL column was a 500 from PostgreSQL."""
    headers = bearer(superuser)
    client.post("/v1/catalog/tools", headers=headers, json=TOOL)
    response = client.patch("/v1/catalog/tools/quill-test-writer", headers=headers, json={field: None})
    assert response.status_code == 422
    assert response.json()["detail"] == f"{field} cannot be null"


UNKNOWN_OBJECTS = [
    ("/v1/catalog/categories/no-such-thing", "No categorie 'no-such-thing'"),  # sic: the detail as it was
    ("/v1/catalog/scenarios/no-such-thing", "No scenario 'no-such-thing'"),
    ("/v1/catalog/tools/no-such-thing", "No tool 'no-such-thing'"),
    ("/v1/catalog/skills/00000000-0000-4000-8000-000000000000", "Skill not found"),
]


@pytest.mark.parametrize(("path", "detail"), UNKNOWN_OBJECTS)
@pytest.mark.parametrize("method", ["PATCH", "DELETE"])
def test_an_unknown_object_is_404_for_superusers_only(client, superuser, method, path, detail):
    # GIVEN a path naming nothing, and callers without and with the right to write
    body = {"json": {"name": "Renamed"}} if method == "PATCH" else {}
    member = signup(client)
    # THEN whoever may not write learns nothing about it, and a superuser gets the 404
    assert client.request(method, path, **body).status_code == 401
    assert client.request(method, path, headers=bearer(member), **body).status_code == 403
    response = client.request(method, path, headers=bearer(superuser), **body)
    assert (response.status_code, response.json()) == (404, {"detail": detail})


@pytest.mark.parametrize(
    ("path", "created", "cleared", "kept"),
    [
        (
            "/v1/catalog/categories",
            {"slug": "clear-category", "name": "Clear", "name_zh": "清", "description": "d", "icon": "i"},
            ["name_zh", "description", "icon"],
            ["name", "order"],
        ),
        (
            "/v1/catalog/scenarios",
            {"slug": "clear-scenario", "name": "Clear", "name_zh": "清", "icon": "i"},
            ["name_zh", "icon"],
            ["name"],
        ),
    ],
)
def test_a_patch_null_clears_an_optional_field_and_leaves_a_required_one(
    client, superuser, path, created, cleared, kept
):
    headers = bearer(superuser)
    before = client.post(path, headers=headers, json=created).json()
    # WHEN a PATCH sends null for every field
    nulls = dict.fromkeys([*cleared, *kept])
    response = client.patch(f"{path}/{created['slug']}", headers=headers, json=nulls)
    # THEN the optional fields are cleared and the required ones keep their values
    assert response.status_code == 200, response.text
    after = response.json()
    assert {name: after[name] for name in cleared} == dict.fromkeys(cleared)
    assert {name: after[name] for name in kept} == {name: before[name] for name in kept}


def test_a_skill_patch_null_clears_its_optional_fields_and_leaves_the_rest(client, superuser):
    headers = bearer(superuser)
    client.post("/v1/catalog/tools", headers=headers, json=TOOL)
    skill = client.post(
        "/v1/catalog/skills",
        headers=headers,
        json={
            "tool": "quill-test-writer",
            "slug": "draft",
            "name": "Draft",
            "name_zh": "起草",
            "description": "d",
            "description_zh": "描述",
            "api_endpoint": "https://quill.example.com/draft",
            "http_method": "POST",
        },
    ).json()
    cleared = ["name_zh", "description", "description_zh", "api_endpoint"]
    kept = ["name", "slug", "http_method", "is_active", "input_schema"]
    response = client.patch(
        f"/v1/catalog/skills/{skill['id']}", headers=headers, json=dict.fromkeys([*cleared, *kept])
    )
    assert response.status_code == 200, response.text
    after = response.json()
    assert {name: after[name] for name in cleared} == dict.fromkeys(cleared)
    assert {name: after[name] for name in kept} == {name: skill[name] for name in kept}
