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
from pathlib import Path

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
assert response["statusCode"] == 200, response
module.handler(event, FakeLambdaContext())
t_warm = time.perf_counter()
print(json.dumps({"import_ms": (t_import - t_support) * 1000, "first_ms": (t_first - t_import) * 1000,
                  "warm_ms": (t_warm - t_first) * 1000, "modules": len(sys.modules)}))
"""

EVENTS = {"functions/health": "http_api_get_health.json"}


def database_url() -> str:
    if os.environ.get("DATABASE_URL"):
        return os.environ["DATABASE_URL"]
    from infra.local.postgres import start_embedded_postgres

    url = start_embedded_postgres(REPO_ROOT / ".local" / "bench-pg", database="ainav_bench")
    os.environ["DATABASE_URL"] = url
    from shared.migrations.runner import upgrade_head

    upgrade_head()
    return url


def measure(function: str, runs: int) -> list[dict[str, float]]:
    environment = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_METRICS_NAMESPACE": "ainav-bench",
        "POWERTOOLS_LOG_LEVEL": "WARNING",
        "PYTHONWARNINGS": "ignore",
    }
    samples = []
    for run in range(runs):
        completed = subprocess.run(
            [sys.executable, "-c", PROBE, function, EVENTS[function]],
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
    columns = ["function", "runs", "import (init) ms, median", "first invoke ms, median"]
    columns += ["warm invoke ms, median", "modules loaded"]
    print("| " + " | ".join(columns) + " |")
    print("|---|---|---|---|---|---|")
    for function in args.function or sorted(EVENTS):
        samples = measure(function, args.runs)
        median = {key: statistics.median(s[key] for s in samples) for key in samples[0]}
        print(
            f"| {function} | {args.runs} | {median['import_ms']:.0f} | {median['first_ms']:.1f} "
            f"| {median['warm_ms']:.1f} | {median['modules']:.0f} |"
        )


if __name__ == "__main__":
    main()
