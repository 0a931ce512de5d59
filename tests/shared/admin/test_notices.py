"""Notices: administrators write them; everyone reads the published ones within their period."""

from datetime import timedelta

import pytest

from shared.config import get_utc_now
from tests.accounts import bearer
from tests.admins import admin_with


def iso(delta: timedelta) -> str:
    return (get_utc_now() + delta).isoformat()


@pytest.fixture
def editor(client, db):  # type: ignore[no-untyped-def]
    return admin_with(client, db, "notices:manage")


def post_notice(client, editor, **body):  # type: ignore[no-untyped-def]
    response = client.post(
        "/v1/admin/notices",
        headers=bearer(editor),
        json={"title": "Maintenance", "content": "Tonight", **body},
    )
    assert response.status_code == 201, response.text
    return response.json()


def test_anyone_reads_the_published_notices_within_their_period(client, editor):
    # GIVEN a draft, a current notice, one ended, one to come, and one open-ended since yesterday
    post_notice(client, editor, title="Draft")
    post_notice(
        client, editor, title="Now", title_zh="现在", status="published", ends_at=iso(timedelta(hours=1))
    )
    post_notice(client, editor, title="Ended", status="published", ends_at=iso(-timedelta(hours=1)))
    post_notice(client, editor, title="Later", status="published", starts_at=iso(timedelta(hours=1)))
    post_notice(client, editor, title="Open", status="published", starts_at=iso(-timedelta(days=1)))
    # WHEN an anonymous caller lists the notices
    response = client.get("/v1/notices")
    # THEN only the published ones whose period holds now are shown, without their status or author
    assert response.status_code == 200
    items = response.json()["items"]
    assert {item["title"] for item in items} == {"Now", "Open"}
    assert "created_by" not in items[0] and "status" not in items[0]
    assert next(item for item in items if item["title"] == "Now")["title_zh"] == "现在"
    # AND the administrator sees all five
    assert client.get("/v1/admin/notices", headers=bearer(editor)).json()["total"] == 5


def test_a_notice_is_read_changed_published_and_deleted(client, editor):
    notice = post_notice(client, editor)
    assert notice["status"] == "draft"
    assert notice["created_by"] == editor["user"]["id"]
    url = f"/v1/admin/notices/{notice['id']}"
    assert client.get(url, headers=bearer(editor)).json()["title"] == "Maintenance"
    changed = client.patch(url, headers=bearer(editor), json={"status": "published", "content": "Tomorrow"})
    assert changed.status_code == 200
    assert [item["content"] for item in client.get("/v1/notices").json()["items"]] == ["Tomorrow"]
    assert client.delete(url, headers=bearer(editor)).status_code == 204
    assert client.get(url, headers=bearer(editor)).status_code == 404
    assert client.get("/v1/notices").json()["items"] == []


def test_an_end_before_the_start_is_422(client, editor):
    response = client.post(
        "/v1/admin/notices",
        headers=bearer(editor),
        json={
            "title": "T",
            "content": "C",
            "starts_at": iso(timedelta(days=2)),
            "ends_at": iso(timedelta(days=1)),
        },
    )
    assert response.status_code == 422
    assert "ends_at must be after starts_at" in response.text


def test_a_change_that_ends_a_notice_before_it_starts_is_422(client, editor):
    notice = post_notice(client, editor, starts_at=iso(timedelta(days=2)))
    response = client.patch(
        f"/v1/admin/notices/{notice['id']}", headers=bearer(editor), json={"ends_at": iso(timedelta(days=1))}
    )
    assert response.status_code == 422
    assert client.get(f"/v1/admin/notices/{notice['id']}", headers=bearer(editor)).json()["ends_at"] is None


@pytest.mark.parametrize(
    "body",
    [
        {"title": "", "content": "C"},
        {"title": "T"},
        {"title": "T", "content": "C", "status": "archived"},
        {"title": "T", "content": "C", "starts_at": "2027-01-01T00:00:00"},  # no timezone
    ],
)
def test_bad_notices_are_422(client, editor, body):
    assert client.post("/v1/admin/notices", headers=bearer(editor), json=body).status_code == 422
