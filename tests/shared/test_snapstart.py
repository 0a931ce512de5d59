"""SnapStart: a function is initialised, snapshotted with no open database connection, restored, and
answers again; the hooks run the way Lambda's Python runtime runs them (`snapshot_restore_py`)."""

import json
import subprocess
import sys

from infra.local.options import REPO_ROOT

# In a fresh interpreter, as in a new execution environment: init, the runtime's hooks, invokes.
LIFECYCLE = r"""
import json, random, sys
from snapshot_restore_py import get_after_restore, get_before_snapshot
from tests.lambda_support import FakeLambdaContext, load_event, load_function
from shared import aws
from shared.db import get_engine

module = load_function(sys.argv[1])
first = module.handler(load_event(sys.argv[2]), FakeLambdaContext())["statusCode"]
pooled_before = get_engine().pool.checkedin()
deferred = ("jwt", "jinja2")
deferred_at_first_response = [name for name in deferred if name in sys.modules]
for hook, args, kwargs in reversed(get_before_snapshot()):  # the runtime's order: last registered first
    hook(*args, **kwargs)
pooled_in_snapshot = get_engine().pool.checkedin()
deferred_in_snapshot = [name for name in deferred if name in sys.modules]
from shared.embedding.service import embedding_service
model_in_snapshot = embedding_service._model is not None
aws.client("sqs")
random.seed(1)
for hook, args, kwargs in get_after_restore():
    hook(*args, **kwargs)
drawn_after_restore = random.random()
random.seed(1)
again = module.handler(load_event(sys.argv[2]), FakeLambdaContext())["statusCode"]
print(json.dumps({
    "first": first, "again": again, "pooled_before": pooled_before, "pooled_in_snapshot": pooled_in_snapshot,
    "model_in_snapshot": model_in_snapshot, "aws_clients_after_restore": aws.client.cache_info().currsize,
    "reseeded": drawn_after_restore != random.random(),
    "deferred_at_first_response": deferred_at_first_response, "deferred_in_snapshot": deferred_in_snapshot,
}))
"""


def run_lifecycle(code_uri: str, event: str) -> dict:
    completed = subprocess.run(
        [sys.executable, "-c", LIFECYCLE, code_uri, event],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    return dict(json.loads(completed.stdout.strip().splitlines()[-1]))


def test_an_api_function_closes_its_connections_before_the_snapshot_and_answers_after_a_restore(engine):
    lifecycle = run_lifecycle("functions/health", "http_api_get_health.json")
    assert lifecycle["first"] == 200 and lifecycle["pooled_before"] == 1
    assert lifecycle["pooled_in_snapshot"] == 0  # no socket is frozen into the snapshot
    assert lifecycle["again"] == 200  # a new connection after the restore
    assert lifecycle["aws_clients_after_restore"] == 0  # made again, with the restored credentials
    assert lifecycle["reseeded"]  # copies of one snapshot do not share their jitter
    assert not lifecycle["model_in_snapshot"]  # health never loads the embedding model


def test_what_a_cold_start_defers_to_first_use_is_loaded_into_the_snapshot(engine):
    lifecycle = run_lifecycle("functions/health", "http_api_get_health.json")
    assert lifecycle["deferred_at_first_response"] == []  # an anonymous health check needs neither
    assert lifecycle["deferred_in_snapshot"] == ["jwt", "jinja2"]


def test_functions_that_embed_text_have_the_model_loaded_in_their_snapshot(engine, seeded_catalog):
    lifecycle = run_lifecycle("functions/catalog", "http_api_get_catalog_tools.json")
    assert lifecycle["model_in_snapshot"]
    assert lifecycle["first"] == lifecycle["again"] == 200


def test_outside_lambda_without_the_hook_registry_registering_does_nothing(monkeypatch):
    from shared import snapstart

    monkeypatch.setitem(sys.modules, "snapshot_restore_py", None)  # an import of it fails
    assert snapstart.register() is False
