"""Fuzzing: every operation of the combined OpenAPI schema, called anonymously, as a member and as a
superuser, with requests schemathesis generates from the schema itself (valid and invalid ones).

Whatever is sent, the API answers without a server error, with a status code the operation documents,
and with a body that matches the schema documented for that status code.

Signed-in callers own a full set of objects (a workflow with a graph, a pending and a failed execution of
it, a memory, an API key, a secret, a project) and the catalog holds a category, scenario, two tools and a
skill; the path, query and body fields that name such objects are aimed at them (`Caller.aim`), so the
fuzzer reaches each route's logic instead of its 404.

Bounded so the file takes a few minutes: few examples per operation, and derandomized, so a run is
reproducible and `make test` is never flaky; search further with AINAV_FUZZ_EXAMPLES=50 (default 8).
Every write rolls back: all requests of one operation share a transaction the test rolls back, each
example in a savepoint of its own (so a delete, a rename or a logout does not leave the next example a
404 or a 401), each request with its own session inside it (as `get_db` gives each request its own
session in production).
AWS is moto's, provisioned as `make dev` provisions it (as the `aws` fixture does, but once for the module:
per operation it cost a quarter of the file's time): mail, the executions queue and the scheduler work,
so a 503 is a failure like any 5xx; so does the model provider (the loopback fake). No operation is
skipped: forgot-password and magic-link are padded to a minimum duration, which the test settings set
to zero."""

import itertools
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import Case
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import Connection
from sqlalchemy.orm import Session

from infra.local.aws import LocalAwsResources
from shared.api.app import create_app
from shared.api.routers import API_ROUTERS
from shared.auth import api_keys
from shared.auth import sessions as session_service
from shared.auth.schemas import ApiKeyCreate
from shared.auth.sessions import ClientInfo
from shared.catalog import service as catalog_service
from shared.catalog.models import Scenario
from shared.catalog.schemas import ToolWrite
from shared.db import SessionSource
from shared.mcp import tool_settings as mcp_settings
from shared.mcp.models import McpServer
from shared.mcp.schemas import McpSettingWrite
from shared.memory import service as memory_service
from shared.memory.schemas import MemoryCreate
from shared.projects import service as project_service
from shared.projects.schemas import ProjectCreate
from shared.users import service as user_service
from shared.vault import service as vault_service
from shared.workflows import service as workflow_service
from shared.workflows.schemas import WorkflowCreate
from tests.accounts import PASSWORD, bearer
from tests.factories import make_category, make_execution, make_skill
from tests.fakes.llm_provider import FakeLLMProvider, platform_provider
from tests.graphs import greeting_graph
from tests.moto_support import provisioned_aws

# The app is built once (schemathesis reads its schema at import); each operation's fixture points its
# sessions at a fresh rolled-back transaction.
request_sessions: dict[str, SessionSource] = {}


def sessions_of_the_current_operation() -> Iterator[Session]:
    yield from request_sessions["source"]()


app = create_app(*API_ROUTERS, sessions=sessions_of_the_current_operation)
schema = schemathesis.openapi.from_asgi("/openapi.json", app)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    response_schema_conformance,
    content_type_conformance,
    response_headers_conformance,
]

_sequence = itertools.count(1)
# what a run's input may hold, with nothing required: most generated inputs pass and the run is queued
INPUT_SCHEMA = {"type": "object", "properties": {"name": {"type": "string"}, "n": {"type": "integer"}}}

bounded = settings(
    max_examples=int(os.environ.get("AINAV_FUZZ_EXAMPLES", "8")),
    deadline=None,
    derandomize=True,
    database=None,
    # The connection and the callers are function-scoped on purpose: one rolled-back transaction (and
    # a fresh set of objects) per operation.
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)


@pytest.fixture(scope="module")
def moto_aws() -> Iterator[LocalAwsResources]:
    """moto's SQS, SES v2 and EventBridge Scheduler, provisioned as `make dev` provisions them, for the
    whole module (provisioning costs ~0.2 s, per operation a quarter of the file's time). What the
    requests leave there (queued runs, sent mail, schedules) is never read back."""
    with pytest.MonkeyPatch.context() as patch, provisioned_aws(patch) as resources:
        yield resources


@pytest.fixture(scope="module")
def model_provider() -> Iterator[FakeLLMProvider]:
    """The fake model provider on loopback for the whole module, so the routes that call a model
    (an agent's polished prompt, a chat) reach it instead of a 503 for a platform without one."""
    with pytest.MonkeyPatch.context() as patch, platform_provider(patch) as provider:
        yield provider


@pytest.fixture
def connection(engine, moto_aws, model_provider) -> Iterator[Connection]:  # type: ignore[no-untyped-def]
    """The app's sessions, one per request, all inside this connection's transaction, rolled back after."""
    connection = engine.connect()
    transaction = connection.begin()

    def session_per_request() -> Iterator[Session]:
        session = Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
        try:
            yield session
        finally:
            session.close()

    request_sessions["source"] = session_per_request
    try:
        yield connection
    finally:
        request_sessions.clear()
        transaction.rollback()
        connection.close()


@dataclass
class Caller:
    """A signed-in caller: its Bearer header, objects of its own and catalog rows to aim requests at."""

    headers: dict[str, str]
    workflow_id: str
    execution_ids: tuple[str, str]  # a pending and a failed run of the workflow
    memory_id: str
    key_id: str
    category_slug: str
    scenario_slug: str
    tool_id: str
    tool_slug: str
    skill_id: str
    secret_name: str
    project_id: str
    server_id: str  # an MCP server of the caller's
    turns: Iterator[int] = field(default_factory=itertools.count)

    def aim(self, case: Case) -> None:
        """Address the caller's own objects and the catalog's rows, so signed-in calls reach past the 404
        of a random id (anonymous calls keep the generated ids). Path parameters are always aimed; query
        and body fields that name an object only when generated as strings, so a field of the wrong type
        still meets validation. Executions alternate between the pending and the failed run, so cancel
        and retry each meet a run they act on and one they refuse (409); secret names between the
        caller's secret and the generated name, so PUT both replaces (200) and creates (201)."""
        path = case.path
        slug = next(
            (value for segment, value in self.catalog_slugs().items() if f"/{segment}/" in path), None
        )
        for name in case.path_parameters or {}:
            if name == "execution_id":
                case.path_parameters[name] = self.execution_ids[next(self.turns) % 2]
            elif name == "slug" and slug is not None:
                case.path_parameters[name] = slug
            elif name == "name" and path.startswith("/v1/users/me/secrets/") and next(self.turns) % 2:
                case.path_parameters[name] = self.secret_name
            elif name in ("workflow_id", "memory_id", "key_id", "skill_id", "project_id", "server_id"):
                case.path_parameters[name] = getattr(self, name)
            elif name == "tool_type" and next(self.turns) % 2:  # a stored setting, or the generated name
                case.path_parameters[name] = "cursor"
        filters = {"workflow_id": self.workflow_id, "project_id": self.project_id, "tool": self.tool_slug}
        filters |= {"category": self.category_slug, "scenario": self.scenario_slug}
        self.aim_strings(case.query, filters)
        if path.startswith("/v1/catalog/"):
            references = {"tool": self.tool_slug, "category": self.category_slug}
            # URLs are checked past the schema, so random ones would never create a tool: every other
            # body gets valid ones
            if next(self.turns) % 2:
                references |= dict.fromkeys(("url", "logo_url", "api_endpoint"), "https://fuzzed.example/a")
            self.aim_strings(case.body, references)
            if isinstance(case.body, dict) and isinstance(case.body.get("scenarios"), list):
                case.body["scenarios"] = [self.scenario_slug]
        elif path.startswith("/v1/workflows"):
            self.aim_strings(case.body, {"project_id": self.project_id})
        elif path == "/v1/interactions" and isinstance(case.body, dict):
            items = {"tool": self.tool_id, "workflow": self.workflow_id}
            item_type = case.body.get("item_type")
            if isinstance(item_type, str) and item_type in items:
                self.aim_strings(case.body, {"item_id": items[item_type]})

    def catalog_slugs(self) -> dict[str, str]:
        return {"categories": self.category_slug, "scenarios": self.scenario_slug, "tools": self.tool_slug}

    @staticmethod
    def aim_strings(container: Any, values: dict[str, str]) -> None:
        if isinstance(container, dict):
            for name, value in values.items():
                if isinstance(container.get(name), str):
                    container[name] = value


def caller_with_objects(connection: Connection, is_superuser: bool) -> Caller:
    """An account with a webhook-triggered workflow (a graph, an input schema), a pending and a failed
    execution of it, a memory, an API key, a secret and a project; and catalog rows: a category, a
    scenario, a tool in both (with an embedding, and a neighbour for /similar) and a skill of it. Made by
    the services the routes call, in the operation's transaction."""
    n = next(_sequence)
    db = Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
    try:
        user = user_service.create_user(
            session=db, email=f"fuzz{n}@example.com", username=f"fuzz_{n}", password=PASSWORD
        )
        user.is_superuser = is_superuser
        tokens = session_service.issue_tokens(session=db, user=user, client=ClientInfo())
        workflow, _ = workflow_service.create_workflow(
            session=db,
            user=user,
            request=WorkflowCreate(
                name="Fuzzed", graph_json=greeting_graph(), trigger_type="webhook", input_schema=INPUT_SCHEMA
            ),
        )
        pending = make_execution(db, workflow, input_data={"name": "Ada", "n": 4})
        failed = make_execution(db, workflow, status="failed", error_message="boom")
        [memory_id] = memory_service.add_memories(
            session=db, workflow=workflow, items=[MemoryCreate(content="The stand-up is at 9:30.")]
        )
        key, _ = api_keys.create(session=db, user=user, request=ApiKeyCreate(name="laptop"))
        secret, _ = vault_service.put(session=db, user=user, name="FUZZ_TOKEN", value="fuzz-secret-value")
        project = project_service.create(session=db, user_id=user.id, request=ProjectCreate(name="Fuzzed"))
        category = make_category(db)
        scenario = Scenario(name=f"Scenario {n}", slug=f"scenario-{n}")
        db.add(scenario)
        db.flush()
        tool, _ = (
            catalog_service.create_tool(
                session=db,
                request=ToolWrite(
                    slug=f"fuzz-tool-{n}-{i}",
                    name=f"Fuzz tool {i}",
                    url=f"https://fuzz-tool-{i}.example",
                    description="Translates documents between languages.",
                    category=category.slug,
                    scenarios=[scenario.slug],
                ),
            )
            for i in (1, 2)
        )
        skill = make_skill(db, tool)
        server = McpServer(user_id=user.id, name="weather", url="https://mcp.example.com/mcp", tools=[])
        db.add(server)
        mcp_settings.put_setting(db, user_id=user.id, tool_type="cursor", request=McpSettingWrite())
        db.commit()
        return Caller(
            headers=bearer(tokens.model_dump()),
            workflow_id=str(workflow.id),
            execution_ids=(str(pending.id), str(failed.id)),
            memory_id=str(memory_id),
            key_id=str(key.id),
            category_slug=category.slug,
            scenario_slug=scenario.slug,
            tool_id=str(tool.id),
            tool_slug=tool.slug,
            skill_id=str(skill.id),
            secret_name=secret.name,
            project_id=str(project.id),
            server_id=str(server.id),
        )
    finally:
        db.close()


@pytest.fixture
def member_caller(connection) -> Caller:  # type: ignore[no-untyped-def]
    return caller_with_objects(connection, is_superuser=False)


@pytest.fixture
def superuser_caller(connection) -> Caller:  # type: ignore[no-untyped-def]
    return caller_with_objects(connection, is_superuser=True)


def call_and_validate(case: Case, connection: Connection, headers: dict[str, str] | None = None) -> None:
    """One example, in a savepoint rolled back after it: each example meets the objects as made."""
    savepoint = connection.begin_nested()
    try:
        case.call_and_validate(headers=headers, checks=CHECKS)
    finally:
        savepoint.rollback()


@schema.parametrize()
@bounded
def test_anonymous_calls_get_documented_responses(case, connection) -> None:  # type: ignore[no-untyped-def]
    call_and_validate(case, connection)


@schema.parametrize()
@bounded
def test_member_calls_get_documented_responses(case, connection, member_caller) -> None:  # type: ignore[no-untyped-def]
    member_caller.aim(case)
    call_and_validate(case, connection, member_caller.headers)


@schema.parametrize()
@bounded
def test_superuser_calls_get_documented_responses(case, connection, superuser_caller) -> None:  # type: ignore[no-untyped-def]
    superuser_caller.aim(case)
    call_and_validate(case, connection, superuser_caller.headers)


def documented_operations() -> Iterator[tuple[str, dict[str, Any]]]:
    for path, operations in app.openapi()["paths"].items():
        for method, operation in operations.items():
            yield f"{method.upper()} {path}", operation


def test_every_error_is_documented_with_the_detail_model() -> None:
    for label, operation in documented_operations():
        for code, response in operation["responses"].items():
            if code.startswith(("4", "5")) and label != "GET /v1/health":
                reference = response["content"]["application/json"]["schema"]["$ref"]
                assert reference == "#/components/schemas/ErrorResponse", (label, code)


def test_every_operation_documents_a_503_with_retry_after() -> None:
    for label, operation in documented_operations():
        assert "503" in operation["responses"], label
        if label != "GET /v1/health":
            assert "Retry-After" in operation["responses"]["503"]["headers"], label


def test_a_500_is_never_documented() -> None:
    for label, operation in documented_operations():
        assert "500" not in operation["responses"], label
