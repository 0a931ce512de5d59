"""template.yaml and the code agree: every function's handler exists, imports, and handles its sample
event from tests/events/ (API Gateway v2, SQS batch, EventBridge schedule, SNS, direct invoke)."""

import json
import uuid
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.lambda_support import FakeLambdaContext, load_event, load_function

REPO_ROOT = Path(__file__).resolve().parents[1]


class CloudFormationLoader(yaml.SafeLoader):
    """Reads CloudFormation short-form tags (!Ref, !Sub, ...) as plain values."""


def _any_tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node)
    return loader.construct_mapping(node)  # type: ignore[arg-type]


CloudFormationLoader.add_multi_constructor("!", _any_tag)


def load_template() -> dict[str, Any]:
    return yaml.load((REPO_ROOT / "template.yaml").read_text(encoding="utf-8"), Loader=CloudFormationLoader)  # noqa: S506


def functions() -> dict[str, dict[str, Any]]:
    resources = load_template()["Resources"]
    return {
        name: r["Properties"] for name, r in resources.items() if r["Type"] == "AWS::Serverless::Function"
    }


def http_status(expected: int):  # type: ignore[no-untyped-def]
    def check(response: dict[str, Any]) -> None:
        assert response["statusCode"] == expected, response.get("body")
        json.loads(response["body"])

    return check


def sqs_event_for_an_unknown_execution() -> dict[str, Any]:
    event = load_event("sqs_execution_run.json")
    event["Records"][0]["body"] = event["Records"][0]["body"].replace("EXECUTION_ID", str(uuid.uuid4()))
    return event


def hook_event() -> dict[str, Any]:
    return json.loads(
        json.dumps(load_event("http_api_post_hook.json")).replace("WORKFLOW_ID", str(uuid.uuid4()))
    )


# Every function of the template needs an entry: its sample event and what its answer must be.
SAMPLES: dict[str, tuple[Any, Any]] = {
    "HealthFunction": (lambda: load_event("http_api_get_health.json"), http_status(200)),
    "AuthFunction": (lambda: load_event("http_api_post_login.json"), http_status(401)),
    "UsersFunction": (lambda: load_event("http_api_get_users_me.json"), http_status(401)),
    "AdminFunction": (lambda: load_event("http_api_get_admin_roles.json"), http_status(401)),
    "CatalogFunction": (lambda: load_event("http_api_get_catalog_tools.json"), http_status(200)),
    "WorkflowsFunction": (lambda: load_event("http_api_get_public_workflows.json"), http_status(200)),
    "WebhooksFunction": (hook_event, http_status(401)),  # the sample's signature is a placeholder
    "ExecutionsFunction": (lambda: load_event("http_api_get_executions.json"), http_status(401)),
    "MemoriesFunction": (lambda: load_event("http_api_get_memory_search.json"), http_status(401)),
    "ChatFunction": (lambda: load_event("http_api_get_conversations.json"), http_status(401)),
    "McpFunction": (lambda: load_event("http_api_post_mcp_tools_list.json"), http_status(401)),
    "ConnectionsFunction": (lambda: load_event("http_api_get_connections.json"), http_status(401)),
    "TasksFunction": (lambda: load_event("http_api_get_tasks.json"), http_status(401)),
    "InteractionsFunction": (lambda: load_event("http_api_get_trending.json"), http_status(200)),
    "WorkerFunction": (sqs_event_for_an_unknown_execution, lambda r: r == {"batchItemFailures": []}),
    "MaintenanceFunction": (
        lambda: load_event("eventbridge_maintenance.json"),
        lambda r: "failed_stuck" in r,
    ),
    "MailEventsFunction": (lambda: load_event("sns_ses_bounce.json"), lambda r: r == {"suppressed": 1}),
    "MigrateFunction": (lambda: load_event("direct_invoke_migrate.json"), lambda r: r["revision"]),
}


def test_globals_run_python312_on_arm64_with_tracing():
    function_globals = load_template()["Globals"]["Function"]
    assert function_globals["Runtime"] == "python3.12"
    assert function_globals["Architectures"] == ["arm64"]
    assert function_globals["Tracing"] == "Active"
    assert function_globals["Environment"]["Variables"]["POWERTOOLS_SERVICE_NAME"] == "ainav"


def test_every_function_starts_from_a_snapstart_snapshot_through_its_live_alias():
    """Events, schedules and queues invoke the alias, a published version, which SnapStart applies to."""
    function_globals = load_template()["Globals"]["Function"]
    assert function_globals["SnapStart"] == {"ApplyOn": "PublishedVersions"}
    assert function_globals["AutoPublishAlias"] == "live"
    for name, properties in functions().items():
        assert "SnapStart" not in properties and "AutoPublishAlias" not in properties, name
        assert "ProvisionedConcurrencyConfig" not in properties, name  # SnapStart excludes it
        assert properties.get("EphemeralStorage", {}).get("Size", 512) <= 512, name  # and this


def test_the_three_layers_are_declared_and_embedding_only_where_text_is_embedded_or_its_model_checked():
    resources = load_template()["Resources"]
    layers = {name for name, r in resources.items() if r["Type"] == "AWS::Serverless::LayerVersion"}
    assert layers == {"DepsLayer", "CommonLayer", "EmbeddingLayer"}
    with_embedding = {name for name, p in functions().items() if "EmbeddingLayer" in str(p.get("Layers", []))}
    assert with_embedding == {
        "CatalogFunction",
        "MemoriesFunction",
        "WorkerFunction",
        "InteractionsFunction",
        "ChatFunction",
        "McpFunction",
        "ConnectionsFunction",
        "HealthFunction",  # reads the model's manifest for the detailed health, never imports the runtime
    }


def test_the_executions_queue_dead_letters_after_five_receives_and_outlives_the_worker():
    resources = load_template()["Resources"]
    queue = resources["ExecutionsQueue"]["Properties"]
    assert queue["RedrivePolicy"]["maxReceiveCount"] == 5
    assert queue["VisibilityTimeout"] >= 6 * resources["WorkerFunction"]["Properties"]["Timeout"]


def test_the_worker_is_capped_by_its_queue_not_by_reserved_concurrency():
    """SQS maximum concurrency bounds the worker's share of the database (docs/scaling.md); reserved
    concurrency would throttle the queue's pollers into the DLQ, and fail on a new account's low quota."""
    template = load_template()
    events = functions()["WorkerFunction"]["Events"]
    assert set(events) == {"Executions", "PriorityExecutions", "Mail"}
    assert events["Executions"]["Properties"]["ScalingConfig"]["MaximumConcurrency"] == "WorkerMaxConcurrency"
    # urgent runs one per invocation, uncapped; mail at SES's pace
    assert events["PriorityExecutions"]["Properties"]["BatchSize"] == 1
    assert "ScalingConfig" not in events["PriorityExecutions"]["Properties"]
    assert events["Mail"]["Properties"]["ScalingConfig"]["MaximumConcurrency"] == 5
    assert 2 <= template["Parameters"]["WorkerMaxConcurrency"]["Default"] <= 1000
    assert not [name for name, p in functions().items() if "ReservedConcurrentExecutions" in p]


def test_every_template_function_has_a_sample():
    assert set(functions()) == set(SAMPLES)


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_every_function_handles_its_sample_event(name, engine, aws, seeded_catalog):
    properties = functions()[name]
    module_name, handler_name = properties["Handler"].split(".")
    module = load_function(properties["CodeUri"], module_name)
    folder = REPO_ROOT / properties["CodeUri"]
    assert sorted(p.name for p in folder.iterdir() if p.name != "__pycache__") == [f"{module_name}.py"]
    make_event, check = SAMPLES[name]
    check(getattr(module, handler_name)(make_event(), FakeLambdaContext()))


EMBEDDING_PACKAGES = ("numpy", "onnxruntime", "tokenizers", "torch", "transformers")


# HealthFunction holds the layer for its files only: it must never import the packages either.
@pytest.mark.parametrize(
    "name",
    sorted(
        n
        for n, p in functions().items()
        if "EmbeddingLayer" not in str(p.get("Layers", [])) or n == "HealthFunction"
    ),
)
def test_functions_without_the_embedding_layer_never_import_its_packages(name):
    """In Lambda those packages exist only in the embedding layer: importing them would crash."""
    import subprocess
    import sys

    code_uri = functions()[name]["CodeUri"]
    probe = (
        "import sys\n"
        "from infra.local.lambdas import load_function\n"
        f"load_function({code_uri!r})\n"
        f"print(sorted(m for m in {EMBEDDING_PACKAGES!r} if m in sys.modules))\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", probe], cwd=REPO_ROOT, capture_output=True, text=True, timeout=120, check=True
    )
    assert completed.stdout.strip().splitlines()[-1] == "[]"


def test_no_function_imports_jsonschema_when_it_starts():
    """jsonschema (~130 ms with attrs and referencing) is imported only when a schema is checked
    (shared.json_schema), so no function's cold start pays for it."""
    import subprocess
    import sys

    code_uris = sorted(function["CodeUri"] for function in functions().values())
    probe = (
        "import sys\n"
        "from infra.local.lambdas import load_function\n"
        f"for code_uri in {code_uris!r}:\n"
        "    load_function(code_uri)\n"
        "print(sorted(m for m in ('jsonschema', 'referencing') if m in sys.modules))\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", probe], cwd=REPO_ROOT, capture_output=True, text=True, timeout=120, check=True
    )
    assert completed.stdout.strip().splitlines()[-1] == "[]"


DEFERRED_IMPORTS = ("jwt", "jinja2", "sqlglot", "shared.models")


def test_no_api_function_imports_what_it_defers_to_first_use_when_it_starts():
    """PyJWT (with cryptography's curves), Jinja2 and sqlglot are imported when a token is signed or
    read, a template or mail rendered, a query checked, and every domain's models only by Alembic and
    the tests: a cold start that needs none of them pays for none (SnapStart loads PyJWT and Jinja2
    into the snapshot, shared/snapstart.py)."""
    import subprocess
    import sys

    code_uris = sorted(
        function["CodeUri"]
        for function in functions().values()
        if any(event["Type"] == "HttpApi" for event in function.get("Events", {}).values())
    )
    assert "functions/health/" in code_uris and "functions/worker/" not in code_uris
    probe = (
        "import sys\n"
        "from infra.local.lambdas import load_function\n"
        f"for code_uri in {code_uris!r}:\n"
        "    load_function(code_uri)\n"
        f"print(sorted(m for m in {DEFERRED_IMPORTS!r} if m in sys.modules))\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", probe], cwd=REPO_ROOT, capture_output=True, text=True, timeout=120, check=True
    )
    assert completed.stdout.strip().splitlines()[-1] == "[]"


def test_the_admin_function_serves_every_admin_route_and_the_users_function_none():
    """API Gateway sends /v1/admin/* to AdminFunction: it must hold every /v1/admin route of the combined
    app but the queue jobs' (TasksFunction's more specific /v1/admin/jobs routes, beside the queues it
    sends to), and UsersFunction (which once served them) none."""
    from fastapi.routing import APIRoute, iter_route_contexts

    from shared.api.app import create_app
    from shared.api.routers import API_ROUTERS

    def paths(app) -> set[str]:  # type: ignore[no-untyped-def]
        return {c.path for c in iter_route_contexts(app.routes) if isinstance(c.original_route, APIRoute)}

    every_admin_path = {path for path in paths(create_app(*API_ROUTERS)) if path.startswith("/v1/admin/")}
    jobs_paths = {path for path in every_admin_path if path.startswith("/v1/admin/jobs")}
    assert jobs_paths and jobs_paths <= paths(load_function("functions/tasks", "app").app)
    every_admin_path -= jobs_paths
    admin = paths(load_function("functions/admin", "app").app)
    users = paths(load_function("functions/users", "app").app)
    assert every_admin_path <= admin
    assert "/v1/notices" in admin
    assert not {path for path in users if path.startswith("/v1/admin/")}
    events = functions()["AdminFunction"]["Events"]
    assert {event["Properties"]["Path"] for event in events.values()} == {"/v1/admin/{proxy+}", "/v1/notices"}
    assert not any(
        "/v1/admin" in e["Properties"]["Path"] for e in functions()["UsersFunction"]["Events"].values()
    )
