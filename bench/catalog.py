"""In-process latency of the CatalogFunction: an API Gateway v2 event through Mangum to the response,
for the tools list and for search (p50, p99, round trips to the database per request). Prints a table.

    .venv/bin/python -m bench.catalog [--requests 300]
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

from bench import setup

REPO_ROOT = Path(__file__).resolve().parents[1]
QUERIES = [
    "chatgtp",
    "写作助手",
    "image generation",
    "视频剪辑",
    "code assistant",
    "翻译",
    "voice cloning",
    "搜索引擎",
]


def event(path: str, query: dict[str, str]) -> dict:
    return setup.api_gateway_event("GET", path, route_key="ANY /v1/catalog/{proxy+}", query=query)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--only", help="run only the cases whose name contains this")
    args = parser.parse_args()
    setup.prepare(seed_catalog=True)
    from infra.local.lambdas import LocalLambdaContext, load_function

    handler = load_function("functions/catalog").handler
    context = LocalLambdaContext("bench-catalog")
    cases = {
        "tools list (page of 20, sort rating)": [event("/v1/catalog/tools", {"sort": "rating"})],
        "tools list filtered (category + has_api)": [
            event("/v1/catalog/tools", {"has_api": "true", "pricing_type": "freemium"})
        ],
        "search (hybrid, 8 queries en/zh)": [event("/v1/catalog/search", {"q": q}) for q in QUERIES],
    }
    round_trips = setup.count_round_trips()
    print("| request | n | p50 ms | p99 ms | round trips per request |")
    print("|---|---|---|---|---|")
    for name, events in cases.items():
        if args.only and args.only not in name:
            continue
        for warm in events:
            assert handler(warm, context)["statusCode"] == 200
        samples, round_trips.count = [], 0
        for n in range(args.requests):
            started = time.perf_counter()
            response = handler(events[n % len(events)], context)
            samples.append((time.perf_counter() - started) * 1000)
            assert response["statusCode"] == 200, response["body"]
        samples.sort()
        p50, p99 = statistics.median(samples), samples[int(len(samples) * 0.99) - 1]
        print(
            f"| {name} | {args.requests} | {p50:.1f} | {p99:.1f} | {round_trips.count / args.requests:.1f} |"
        )
        print(f"  {name}: done", file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
