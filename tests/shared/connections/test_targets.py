"""Reaching a user's database: the SSRF guard on its host (loopback and the embedded server's socket in
development and tests only), the platform's own database refused everywhere, the connection made to the
checked address with TLS as sslmode says, every statement read-only under a timeout, and failures that
say why without a password."""

import socket
import ssl
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from shared.config import settings
from shared.connections import postgres, targets
from shared.connections.targets import Destination, QueryFailed, TargetError, TargetRefused, TargetSpec
from tests.conftest import TEST_DATABASE


def spec_of(shop, **overrides) -> TargetSpec:  # type: ignore[no-untyped-def]
    fields = {
        "dialect": "postgresql",
        "host": shop.host,
        "port": shop.port,
        "database": shop.database,
        "username": shop.username,
        "password": None,
        "ssl_mode": "prefer",
        **overrides,
    }
    return TargetSpec(**fields)


def reader(shop, timeout_ms: int = 5000, **overrides):  # type: ignore[no-untyped-def]
    spec = spec_of(shop, **overrides)
    return postgres.POSTGRESQL.read_only(
        spec, targets.check_destination(spec.host, spec.port), statement_timeout_ms=timeout_ms
    )


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "::1"])
def test_loopback_is_a_target_in_tests_and_refused_in_production(host, monkeypatch):
    assert targets.check_destination(host, 5432).address in ("127.0.0.1", "::1")
    monkeypatch.setattr(settings, "ENVIRONMENT", "production")
    with pytest.raises(TargetRefused, match="not a public address"):
        targets.check_destination(host, 5432)


@pytest.mark.parametrize("environment", ["production", "staging"])
def test_a_unix_socket_is_a_target_outside_production_and_staging_only(shop, monkeypatch, environment):
    assert targets.check_destination(shop.host, 5432).unix_socket == f"{shop.host}/.s.PGSQL.5432"
    monkeypatch.setattr(settings, "ENVIRONMENT", environment)
    with pytest.raises(TargetRefused, match="development only"):
        targets.check_destination(shop.host, 5432)


@pytest.mark.parametrize(
    "host",
    ["10.0.0.5", "192.168.1.10", "172.16.0.1", "169.254.169.254", "0.0.0.0", "fd00::1"],  # noqa: S104
)
def test_private_link_local_and_metadata_addresses_are_refused_everywhere(host):
    with pytest.raises(TargetRefused, match="not a public address"):
        targets.check_destination(host, 5432)


def test_outbound_allowed_hosts_opens_a_private_network(monkeypatch):
    monkeypatch.setattr(settings, "OUTBOUND_ALLOWED_HOSTS", ["10.0.0.0/8"])
    assert targets.check_destination("10.0.0.5", 5432).address == "10.0.0.5"


def test_a_name_that_does_not_resolve_is_refused():
    with pytest.raises(TargetRefused, match="cannot resolve"):
        targets.check_destination("no-such-host.invalid", 5432)


def test_the_platforms_own_database_is_refused(shop):
    destination = targets.check_destination(shop.host, shop.port)
    with pytest.raises(TargetRefused, match="platform's own database"):
        targets.refuse_the_platform_database(destination, TEST_DATABASE)
    targets.refuse_the_platform_database(destination, shop.database)  # another database of that server


def test_the_connection_goes_to_the_checked_address_with_the_name_for_tls(monkeypatch):
    # GIVEN a name that resolves (once, when checked) to a loopback address
    real = socket.getaddrinfo

    def resolve(host, port, *args, **kwargs):  # type: ignore[no-untyped-def]
        if host == "db.example.test":
            return real("127.0.0.1", port, *args, **kwargs)
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    destination = targets.check_destination("db.example.test", 6543)
    assert destination == Destination(host="db.example.test", port=6543, address="127.0.0.1")
    # WHEN it is connected: the socket goes to the address; pg8000 gets the name (TLS server name)
    opened, made = [], []
    monkeypatch.setattr(socket, "create_connection", lambda where, timeout: opened.append(where) or object())
    monkeypatch.setattr(
        postgres.pg8000.native, "Connection", lambda **kwargs: made.append(kwargs) or "connected"
    )
    spec = TargetSpec("postgresql", "db.example.test", 6543, "shop", "reader", "secret", "verify-full")
    assert postgres.connect(spec, destination) == "connected"
    assert opened == [("127.0.0.1", 6543)]
    assert made[0]["host"] == "db.example.test" and made[0]["sock"] is not None
    assert made[0]["ssl_context"].check_hostname is True


def test_tls_follows_libpq_sslmode():
    assert postgres._tls_attempts("disable") == [False]
    assert postgres._tls_attempts("allow") == [False, True]  # plain first, TLS if the server insists
    assert postgres._tls_attempts("prefer") == [None]  # TLS if offered, else plain (pg8000's None)
    assert postgres._tls_attempts("require") == [True]  # TLS, unverified
    [verify_ca] = postgres._tls_attempts("verify-ca")
    [verify_full] = postgres._tls_attempts("verify-full")
    assert verify_ca.verify_mode == verify_full.verify_mode == ssl.CERT_REQUIRED
    assert (verify_ca.check_hostname, verify_full.check_hostname) == (False, True)


def test_an_unknown_role_is_refused_with_the_servers_reason_and_never_the_password(shop, caplog):
    with pytest.raises(TargetError) as refused, reader(shop, username="nobody", password="hunter2-secret"):
        pass
    assert 'role "nobody" does not exist' in str(refused.value)
    assert "hunter2" not in str(refused.value) and "hunter2" not in caplog.text


def test_a_closed_port_cannot_be_connected(free_port):
    spec = TargetSpec("postgresql", "127.0.0.1", free_port, "shop", "reader", None, "disable")
    with pytest.raises(TargetError, match=f"could not connect to 127.0.0.1:{free_port}: Connection refused"):
        postgres.connect(spec, targets.check_destination("127.0.0.1", free_port))


def test_rows_beyond_the_cap_are_not_kept(shop):
    with reader(shop) as session:
        result = session.fetch("SELECT id, total_amount, ordered_at FROM orders ORDER BY id", max_rows=3)
    assert result.columns == ["id", "total_amount", "ordered_at"]
    assert [row[0] for row in result.rows] == [1, 2, 3] and result.truncated
    assert isinstance(result.rows[0][1], float) and result.rows[0][2].startswith("202")


def test_a_query_past_its_statement_timeout_is_cancelled(shop):
    with (
        reader(shop, timeout_ms=200) as session,
        pytest.raises(QueryFailed, match="longer than 200 ms") as failed,
    ):
        session.fetch("SELECT count(*) FROM orders, order_items, customers", max_rows=1)
    assert failed.value.timed_out


@pytest.mark.parametrize(
    ("sql", "why"),
    [
        ("DELETE FROM orders", "syntax error"),  # DECLARE ... CURSOR FOR takes a SELECT only
        ("SELECT 1; DELETE FROM orders", "multiple commands"),  # the extended protocol: one statement
        ("WITH d AS (DELETE FROM orders RETURNING 1) SELECT * FROM d", "data-modifying"),
    ],
)
def test_the_walls_behind_the_guard_hold_on_their_own(shop, sql, why):
    with reader(shop) as session, pytest.raises(QueryFailed, match=why):
        session.fetch(sql, max_rows=5)
    with reader(shop) as session:
        assert session.fetch("SELECT count(*) FROM orders", max_rows=1).rows == [[2500]]


def test_every_statement_runs_in_a_read_only_transaction(shop):
    with reader(shop) as session, pytest.raises(QueryFailed, match="read-only transaction"):
        session.catalog("CREATE TABLE intruder (id int)")


def test_values_of_every_kind_become_json():
    assert targets.json_value(Decimal("12.50")) == 12.5
    assert targets.json_value(Decimal("7")) == 7
    assert targets.json_value(Decimal("NaN")) == "NaN"
    assert targets.json_value(datetime(2026, 1, 2, 3, 4, tzinfo=UTC)) == "2026-01-02T03:04:00+00:00"
    assert targets.json_value(date(2026, 1, 2)) == "2026-01-02"
    assert targets.json_value(timedelta(hours=2)) == "2:00:00"
    assert targets.json_value(uuid.UUID(int=1)) == "00000000-0000-0000-0000-000000000001"
    assert targets.json_value(b"\x01\xff") == "\\x01ff"
    assert targets.json_value(float("inf")) == "inf"
    assert targets.json_value({"a": [Decimal("1.5")]}) == {"a": [1.5]}
    assert targets.json_value("x" * 5000).endswith("…") and len(targets.json_value("x" * 5000)) == 1001
