"""Cold and warm start of a Lambda entry point, measured on this machine.

For each function, N fresh interpreters import its app.py (what Lambda's init phase does) and serve
one API Gateway event; a warm invoke is timed in the same process afterwards. Prints a table.

    .venv/bin/python -m bench.cold_start [--runs 10] [--function functions/health]
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

EVENTS = {
    "functions/health": "http_api_get_health.json",
    "functions/auth": "http_api_post_login.json",
    "functions/users": "http_api_get_users_me.json",
    "functions/catalog": "http_api_get_catalog_tools.json",
    "functions/workflows": "http_api_get_public_workflows.json",
    "functions/executions": "http_api_get_executions.json",
    "functions/interactions": "http_api_get_trending.json",
    "functions/memories": "http_api_get_memory_search.json",
}
WITH_EMBEDDING_LAYER = {"functions/catalog", "functions/interactions", "functions/memories"}


def measure(function: str, runs: int) -> list[dict[str, float]]:
    environment = {
        **os.environ,
        "DATABASE_URL": setup.prepare(),
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_METRICS_NAMESPACE": "ainav-bench",
        "POWERTOOLS_LOG_LEVEL": "WARNING",
        "PYTHONWARNINGS": "ignore",
    }
    samples = []
    for run in range(runs):
        completed = subprocess.run(
            [sys.executable, "-c", PROBE, function, EVENTS[function], repr(time.time())],
            cwd=REPO_ROOT,
            env=environment,
            capture_output=True,
            text=True,
            check=True,
        )
        samples.append(json.loads(completed.stdout.strip().splitlines()[-1]))
        print(f"  {function}: run {run + 1}/{runs}", file=sys.stderr, flush=True)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--function", action="append", choices=sorted(EVENTS))
    args = parser.parse_args()
    columns = ["function", "runs", "process start to first response s", "target s", "met", "import ms"]
    columns += ["first invoke ms", "warm invoke ms", "peak MB", "modules"]
    print("| " + " | ".join(columns) + " |")
    print("|" + "---|" * len(columns))
    for function in args.function or sorted(EVENTS):
        samples = measure(function, args.runs)
        median = {key: statistics.median(s[key] for s in samples) for key in samples[0]}
        target = 1.0 if function in WITH_EMBEDDING_LAYER else 0.6
        met = "yes" if median["process_s"] <= target else f"no (+{median['process_s'] - target:.2f} s)"
        cells = [function, args.runs, f"{median['process_s']:.2f}", target, met, f"{median['import_ms']:.0f}"]
        cells += [f"{median['first_ms']:.1f}", f"{median['warm_ms']:.1f}", f"{median['peak_mb']:.0f}"]
        cells += [f"{median['modules']:.0f}"]
        print("| " + " | ".join(map(str, cells)) + " |")


if __name__ == "__main__":
    main()
