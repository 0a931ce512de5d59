"""/v1/connections: create by fields or URL (the host through the SSRF guard, the password encrypted and
never returned), list, read, change, delete, test; every bad input is a 422 naming what is wrong."""

import pytest
from sqlalchemy import select

from shared.config import settings
from shared.connections.models import DatabaseConnection
from tests.accounts import bearer, signup
from tests.conftest import TEST_DATABASE
from tests.shared.connections.conftest import create

pytestmark = pytest.mark.usefixtures("aws")
PASSWORD = "s3cret-Passw0rd"


def test_a_connection_is_created_from_its_fields_and_its_analysis_queued(client, db, owner, shop, caplog):
    body = create(client, owner, shop.fields(description="The shop", password=PASSWORD, ssl_mode="disable"))
    assert body["status"] == "pending" and body["permission"] == "owner" and body["has_password"] is True
    assert (body["port"], body["ssl_mode"], body["dialect"], body["description"]) == (
        shop.port,
        "disable",
        "postgresql",
        "The shop",
    )
    assert "password" not in body and "encrypted_password" not in body
    stored = db.get(DatabaseConnection, body["id"])
    assert stored.encrypted_password and PASSWORD not in stored.encrypted_password
    assert PASSWORD not in caplog.text


def test_a_connection_is_created_from_a_url(client, owner, shop):
    url = f"postgresql://{shop.username}:p%40ss@/{shop.database}?host={shop.host}&sslmode=require"
    body = create(client, owner, {"url": url})
    assert (body["name"], body["host"], body["database"], body["username"]) == (
        shop.database,
        shop.host,
        shop.database,
        shop.username,
    )
    assert body["ssl_mode"] == "require" and body["has_password"] is True
    named = create(client, owner, {"url": "postgres://reader@127.0.0.1:6543/shop", "name": "Local"})
    assert (named["name"], named["host"], named["port"], named["ssl_mode"]) == (
        "Local",
        "127.0.0.1",
        6543,
        "prefer",
    )


@pytest.mark.parametrize(
    "overrides",
    [
        {"port": 0},
        {"port": 65536},
        {"ssl_mode": "sometimes"},
        {"host": ""},
        {"host": "db example.com"},
        {"host": "user@db.example.com"},
        {"database": ""},
        {"name": ""},
        {"surprise": True},
    ],
    ids=[
        "port 0",
        "port 65536",
        "bad ssl_mode",
        "empty host",
        "space in host",
        "@ in host",
        "no database",
        "no name",
        "unknown field",
    ],
)
def test_bad_fields_are_422(client, owner, shop, overrides):
    response = client.post("/v1/connections", headers=bearer(owner), json=shop.fields(**overrides))
    assert response.status_code == 422, response.text


@pytest.mark.parametrize(
    "url",
    [
        "mysql://root:pw@db.example.com/shop",
        "https://db.example.com/shop",
        "postgresql://reader:pw@db.example.com:99999/shop",
        "postgresql://reader:pw@db.example.com/",
        "postgresql://db.example.com/shop",
        "postgresql://reader:pw@db.example.com/shop?sslmode=sometimes",
        "not a url at all",
    ],
)
def test_a_bad_or_non_postgresql_url_is_422_and_never_echoed(client, owner, url):
    response = client.post("/v1/connections", headers=bearer(owner), json={"url": url})
    assert response.status_code == 422, response.text
    assert "pw@" not in response.text


@pytest.mark.parametrize("host", ["10.0.0.5", "169.254.169.254", "192.168.0.10", "no-such-host.invalid"])
def test_a_forbidden_or_unresolvable_host_is_422(client, owner, shop, host):
    response = client.post("/v1/connections", headers=bearer(owner), json=shop.fields(host=host))
    assert response.status_code == 422, response.text
    assert "cannot be used" in response.json()["detail"]


def test_loopback_and_the_embedded_socket_are_refused_in_production(client, owner, shop, monkeypatch):
    monkeypatch.setattr(settings, "ENVIRONMENT", "production")
    for host in (shop.host, "127.0.0.1", "localhost"):
        response = client.post("/v1/connections", headers=bearer(owner), json=shop.fields(host=host))
        assert response.status_code == 422, (host, response.text)


def test_the_platforms_own_database_is_422(client, owner, shop):
    response = client.post("/v1/connections", headers=bearer(owner), json=shop.fields(database=TEST_DATABASE))
    assert response.status_code == 422 and "platform's own database" in response.json()["detail"]


def test_a_user_keeps_at_most_max_connections(client, owner, shop, monkeypatch):
    monkeypatch.setattr(settings, "MAX_CONNECTIONS_PER_USER", 2)
    create(client, owner, shop.fields())
    create(client, owner, shop.fields())
    response = client.post("/v1/connections", headers=bearer(owner), json=shop.fields())
    assert response.status_code == 429 and "limit is 2" in response.json()["detail"]


def test_without_the_queue_the_connection_says_its_analysis_was_not_queued(client, owner, shop, monkeypatch):
    monkeypatch.setattr(settings, "EXECUTIONS_QUEUE_URL", None)
    body = create(client, owner, shop.fields())
    assert body["status"] == "error" and "reanalyze" in body["status_message"]


def test_list_read_change_and_delete(client, db, owner, shop):
    first = create(client, owner, shop.fields(name="First"))
    second = create(client, owner, shop.fields(name="Second"))
    listed = client.get("/v1/connections", headers=bearer(owner)).json()
    assert [item["name"] for item in listed["items"]] == ["Second", "First"] and listed["total"] == 2
    assert client.get(f"/v1/connections/{first['id']}", headers=bearer(owner)).json()["name"] == "First"
    # a new name changes nothing else
    db.get(DatabaseConnection, first["id"]).status = "ready"
    renamed = client.patch(f"/v1/connections/{first['id']}", headers=bearer(owner), json={"name": "Renamed"})
    assert renamed.status_code == 200 and renamed.json()["status"] == "ready"
    # a new password is encrypted again and the connection analysed again
    moved = client.patch(f"/v1/connections/{first['id']}", headers=bearer(owner), json={"password": PASSWORD})
    assert moved.json()["status"] == "pending" and moved.json()["has_password"] is True
    # ... but not while an analysis runs
    conflict = client.patch(f"/v1/connections/{first['id']}", headers=bearer(owner), json={"port": 5433})
    assert conflict.status_code == 409
    db.get(DatabaseConnection, first["id"]).status = "ready"
    refused = client.patch(f"/v1/connections/{first['id']}", headers=bearer(owner), json={"host": "10.1.2.3"})
    assert refused.status_code == 422
    removed = client.patch(f"/v1/connections/{first['id']}", headers=bearer(owner), json={"password": ""})
    assert removed.json()["has_password"] is False
    assert client.delete(f"/v1/connections/{second['id']}", headers=bearer(owner)).status_code == 204
    assert client.get(f"/v1/connections/{second['id']}", headers=bearer(owner)).status_code == 404
    assert db.scalar(select(DatabaseConnection).where(DatabaseConnection.id == second["id"])) is None


def test_someone_elses_connection_is_a_404(client, owner, shop):
    mine = create(client, owner, shop.fields())
    stranger = signup(client)
    for method, path in [
        ("GET", ""),
        ("PATCH", ""),
        ("DELETE", ""),
        ("POST", "/test"),
        ("GET", "/insights"),
        ("POST", "/chat"),
    ]:
        response = client.request(
            method, f"/v1/connections/{mine['id']}{path}", headers=bearer(stranger), json={"question": "hi"}
        )
        assert response.status_code == 404, (method, path, response.text)
    assert client.get("/v1/connections", headers=bearer(stranger)).json()["total"] == 0


def test_the_test_answers_success_with_the_server_version(client, owner, shop):
    connection = create(client, owner, shop.fields())
    body = client.post(f"/v1/connections/{connection['id']}/test", headers=bearer(owner)).json()
    assert body["success"] is True and body["server_version"].startswith("18")
    assert shop.database in body["message"]


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"username": "nobody", "password": PASSWORD}, 'role "nobody" does not exist'),
        ({"database": "no_such_database"}, 'database "no_such_database" does not exist'),
    ],
)
def test_bad_credentials_are_success_false_with_a_clear_message(client, owner, shop, overrides, reason):
    connection = create(client, owner, shop.fields(**overrides))
    response = client.post(f"/v1/connections/{connection['id']}/test", headers=bearer(owner))
    assert response.status_code == 200
    assert response.json()["success"] is False and reason in response.json()["message"]
    assert PASSWORD not in response.text


def test_an_unreachable_host_is_success_false(client, owner, free_port):
    connection = create(
        client,
        owner,
        {"name": "Nowhere", "host": "127.0.0.1", "port": free_port, "database": "x", "username": "y"},
    )
    body = client.post(f"/v1/connections/{connection['id']}/test", headers=bearer(owner)).json()
    assert body == {
        "success": False,
        "message": f"could not connect to 127.0.0.1:{free_port}: Connection refused",
        "server_version": None,
    }
