"""Cold and warm start of the API functions against a minimal FastAPI + Mangum function, in one run.

For each function, N fresh interpreters import its app.py (what Lambda's init phase does) and serve
one API Gateway event; a warm invoke is timed in the same process afterwards. The reference
(`bench/minimal_function`) is measured the same way, interleaved with the functions so that both see
the same machine, and so is the floor (`bench/minimal_orm_function`: the reference plus SQLAlchemy's
ORM over pg8000 reading one row), what no function that keeps SQLAlchemy can go below. Prints a
table: issue 22's target is every function within 1.3x of the reference.

`--baseline DIR` measures each function in another checkout too (`git worktree add DIR COMMIT`), the two
trees alternating in every run, and adds the median of the runs' ratios, this tree over the baseline:
on a VM whose speed drifts, the comparison that holds.

    .venv/bin/python -m bench.cold_start [--runs 10] [--function functions/health] [--baseline DIR]
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench import setup

REPO_ROOT = Path(__file__).resolve().parents[1]

PROBE = r"""
import json, sys, time
t0 = time.perf_counter()
from tests.lambda_support import FakeLambdaContext, load_event, load_function
t_support = time.perf_counter()
module = load_function(sys.argv[1])
t_import = time.perf_counter()
event = load_event(sys.argv[2])
response = module.handler(event, FakeLambdaContext())
t_first = time.perf_counter()
assert response["statusCode"] < 500, response
module.handler(event, FakeLambdaContext())
t_warm = time.perf_counter()
import resource
print(json.dumps({"import_ms": (t_import - t_support) * 1000, "first_ms": (t_first - t_import) * 1000,
                  "warm_ms": (t_warm - t_first) * 1000, "modules": len(sys.modules),
                  "process_s": time.time() - float(sys.argv[3]),
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

REFERENCE = "bench/minimal_function"
FLOOR = "bench/minimal_orm_function"
EVENTS = {
    REFERENCE: "http_api_get_health.json",
    FLOOR: "http_api_get_health.json",
    "functions/admin": "http_api_get_admin_roles.json",
    "functions/auth": "http_api_post_login.json",
    "functions/catalog": "http_api_get_catalog_tools.json",
    "functions/chat": "http_api_get_conversations.json",
    "functions/connections": "http_api_get_connections.json",
    "functions/executions": "http_api_get_executions.json",
    "functions/health": "http_api_get_health.json",
    "functions/interactions": "http_api_get_trending.json",
    "functions/mcp": "http_api_post_mcp_tools_list.json",
    "functions/memories": "http_api_get_memory_search.json",
    "functions/tasks": "http_api_get_tasks.json",
    "functions/users": "http_api_get_users_me.json",
    "functions/webhooks": "http_api_post_hook.json",
    "functions/workflows": "http_api_get_public_workflows.json",
}
TARGET_RATIO = 1.3


def measure_once(function: str, environment: dict[str, str], root: Path = REPO_ROOT) -> dict[str, float]:
    completed = subprocess.run(
        [sys.executable, "-c", PROBE, function, EVENTS[function], repr(time.time())],
        cwd=root,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    return dict(json.loads(completed.stdout.strip().splitlines()[-1]))


def compared_with_baseline(ours: list[dict[str, float]], theirs: list[dict[str, float]]) -> list[str]:
    """The baseline's median seconds and modules, and the median of the runs' ratios, ours over theirs
    (blank for the references, measured in this tree only)."""
    if not theirs:
        return ["", "", ""]
    paired = [a["process_s"] / b["process_s"] for a, b in zip(ours, theirs, strict=True)]
    return [
        f"{statistics.median(s['process_s'] for s in theirs):.2f}",
        f"{statistics.median(s['modules'] for s in theirs):.0f}",
        f"{statistics.median(paired):.2f}",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--function", action="append", choices=sorted(EVENTS))
    parser.add_argument("--baseline", type=Path, help="a checkout of another commit to compare with")
    args = parser.parse_args()
    columns = ["function", "runs", "process start to first response s", "vs reference", "<= 1.3x"]
    columns += ["import ms", "first invoke ms", "warm invoke ms", "peak MB", "modules"]
    if args.baseline:
        columns += ["baseline s", "baseline modules", "vs baseline, paired by run"]
    print("| " + " | ".join(columns) + " |")
    print("|" + "---|" * len(columns))
    environment = {
        **os.environ,
        "DATABASE_URL": setup.prepare(),
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_METRICS_NAMESPACE": "ainav-bench",
        "POWERTOOLS_LOG_LEVEL": "WARNING",
        "PYTHONWARNINGS": "ignore",
    }
    functions = [REFERENCE, FLOOR, *sorted(set(args.function or EVENTS) - {REFERENCE, FLOOR})]
    samples: dict[str, list[dict[str, float]]] = {function: [] for function in functions}
    baseline: dict[str, list[dict[str, float]]] = {function: [] for function in functions}
    for run in range(args.runs):  # round-robin: a busy moment of the machine hits every function alike
        for function in functions:
            trees = [(samples, REPO_ROOT)]
            if args.baseline and function not in (REFERENCE, FLOOR):
                trees.append((baseline, args.baseline.resolve()))
            for store, root in trees if run % 2 == 0 else reversed(trees):  # each tree goes first as often
                store[function].append(measure_once(function, environment, root))
        print(f"  run {run + 1}/{args.runs} of {len(functions)} functions", file=sys.stderr, flush=True)
    reference_s = statistics.median(s["process_s"] for s in samples[REFERENCE])
    for function in functions:
        median = {key: statistics.median(s[key] for s in samples[function]) for key in samples[function][0]}
        ratio = median["process_s"] / reference_s
        met = "yes" if ratio <= TARGET_RATIO else "no"
        met = {REFERENCE: "reference", FLOOR: f"floor ({met})"}.get(function, met)
        cells = [function, args.runs, f"{median['process_s']:.2f}", f"{ratio:.2f}x", met]
        cells += [f"{median['import_ms']:.0f}", f"{median['first_ms']:.1f}", f"{median['warm_ms']:.1f}"]
        cells += [f"{median['peak_mb']:.0f}", f"{median['modules']:.0f}"]
        if args.baseline:
            cells += compared_with_baseline(samples[function], baseline[function])
        print("| " + " | ".join(map(str, cells)) + " |")


if __name__ == "__main__":
    main()
