"""Load test of a running `make dev` stack over HTTP: N virtual users sign up, prove their address with
the welcome mail of the local outbox, sign in, then for a bounded time (and a bounded number of
requests) browse and search the catalog, run small workflows (by hand and by signed webhook; the
worker loop executes them through SQS), write and search workflow memory. Then it waits (bounded) for
every run to finish and reads each run's own timestamps back. Prints tables; exits 1 when any request
was a 5xx or got no answer, or when a run is still pending or running after the drain.

    .venv/bin/python -m bench.load [--users 50] [--duration 180] [--max-requests 100000]
        [--base-url http://127.0.0.1:8000] [--think 0.5] [--ramp 10] [--drain 60] [--seed 1]

Start the stack first (`make dev`, or `.venv/bin/python -m infra.local`); only loopback URLs are
accepted. Every run signs up fresh users (`load_<run>_<n>@example.com`), so the per-user windows of
earlier runs never count. Without an LLM key the model features answer 503: the mix never calls them.

The mix (an action is drawn by weight after each think time, mean `--think` seconds, exponential):
browse the catalog 24 (a page of tools, then one tool; now and then categories and skills), search
the catalog 14, similar tools 5, run the manual workflow and watch it 15 (up to 5 reads of the run,
1 s apart), call the webhook workflow 8, write memories 8 (one, or a batch of 3), search memories 8,
the dashboard 10 (my workflows, my runs), edit the workflow's template 4 (a new version), sign in again
2, refresh the token 2. Sign-up, the address check and the first sign-in happen once per user,
spread over `--ramp` seconds.

Limits of the stack (settings, read by `make dev` from the environment or `.env`, see
docs/settings.md) that a load test could trip by accident, and what this script does about them:
- MAX_RUNS_PER_DAY (1000, runs of one user in 24 h, every trigger): each user stops starting runs at
  `--runs-per-user` (900); raise both for longer runs.
- MAX_WEBHOOK_CALLS_PER_MINUTE (60, per workflow owner): each user keeps below `--webhooks-per-minute`
  (50) itself; raise both together.
- MAX_MEMORIES_PER_WORKFLOW (10,000): at most 3 per write, far below it in any bounded run.
- LOGIN_MAX_FAILURES_PER_ACCOUNT / _PER_IP: only failed sign-ins count; this script has none.
- DB_POOL_SIZE / DB_MAX_OVERFLOW (make dev: 5 + 10 connections shared by the API threads and the
  worker) and DB_POOL_TIMEOUT_SECONDS (10): a request that waits longer for a connection is a 503.
  Each virtual user has at most one request in flight, and make dev admits 200 at once
  (infra/local/__main__.py API_CONCURRENCY; uvicorn answers 503 beyond it): keep `--users` below that.
A 429 is not a 5xx: it is listed with the other non-2xx answers and counted on its own. make dev runs
every run on one worker loop in the same process as the API: under a heavy load the runs queue up
(the created→started column), and `--drain` has to cover that backlog.
"""

import argparse
import asyncio
import contextlib
import hashlib
import hmac
import json
import math
import random
import re
import sys
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import httpx

from bench.catalog import QUERIES

LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}
PASSWORD = "Load-test-pass-42!"
REQUEST_TIMEOUT_SECONDS = 30.0
KEEPALIVE_EXPIRY_SECONDS = 2.0  # below uvicorn's timeout_keep_alive (5 s)
UNFINISHED = ("pending", "running", "paused")
VERIFY_LINK = re.compile(r"verify-email\?token=([A-Za-z0-9_\-]+)")

CATALOG_QUERIES = [*QUERIES, "meeting notes", "数据分析"]
MEMORY_FACTS = [
    "The customer prefers mail over phone calls.",
    "Quarterly reports are due on the fifth working day.",
    "用户喜欢简洁的中文回答。",
    "The staging database is refreshed every night at 02:00.",
    "Invoices above 10,000 need a second approval.",
    "团队每周三下午开例会。",
    "The logo must stay on a white background.",
    "Support answers within four hours on weekdays.",
]
MEMORY_QUERIES = ["approval of invoices", "会议时间", "how to contact the customer", "报告截止日期"]
TOOL_SORTS = ["rating", "stars", "newest", "name"]
INPUT_SCHEMA = {
    "type": "object",
    "properties": {"name": {"type": "string"}, "n": {"type": "integer"}},
    "required": ["name"],
}
# action → weight; see the docstring
MIX = {
    "browse": 24,
    "search": 14,
    "similar": 5,
    "run": 15,
    "webhook": 8,
    "memory_write": 8,
    "memory_search": 8,
    "dashboard": 10,
    "edit": 4,
    "login": 2,
    "refresh": 2,
}


def graph(greeting: str) -> dict[str, Any]:
    """input → template → output, as tests/graphs.py builds them."""

    def node(node_id: str, node_type: str, **data: Any) -> dict[str, Any]:
        return {"id": node_id, "type": node_type, "data": data, "position": {"x": 0, "y": 0}}

    return {
        "nodes": [
            node("in", "input"),
            node("greet", "template", template=greeting + " {{ input.name }} #{{ input.n }}"),
            node("out", "output", values={"greeting": "{{ nodes.greet.text }}"}),
        ],
        "edges": [
            {"id": "in->greet", "source": "in", "target": "greet"},
            {"id": "greet->out", "source": "greet", "target": "out"},
        ],
        "viewport": {"x": 0, "y": 0, "zoom": 1},
    }


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """X-Ainav-Signature as docs/workflows.md defines it (shared.webhooks.service.sign)."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def percentile(values: list[float], p: float) -> float:
    """Nearest rank; nan for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def ms(value: float) -> str:
    return "–" if math.isnan(value) else f"{value:.0f}"


def parse_time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


@dataclass
class Recorder:
    """Every request's endpoint (method + route template), status (None: no answer) and duration."""

    durations: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: Counter = field(default_factory=Counter)  # (endpoint, status) → count
    details: dict[tuple[str, int | None], str] = field(default_factory=dict)
    count: int = 0

    def record(self, endpoint: str, status: int | None, millis: float, detail: str | None) -> None:
        self.count += 1
        self.durations[endpoint].append(millis)
        self.statuses[endpoint, status] += 1
        if detail is not None:
            self.details.setdefault((endpoint, status), detail)

    def total(self, predicate: Any) -> int:
        return sum(n for (_, status), n in self.statuses.items() if predicate(status))


def error_detail(response: httpx.Response) -> str:
    try:
        detail = response.json().get("detail")
    except (ValueError, AttributeError):
        detail = response.text
    text = detail if isinstance(detail, str) else json.dumps(detail, ensure_ascii=False)
    return text.replace("|", "/").replace("\n", " ")[:90]


@dataclass
class Shared:
    client: httpx.AsyncClient
    recorder: Recorder
    args: argparse.Namespace
    run_id: str
    tool_slugs: list[str]
    deadline: float = 0.0
    accepted_runs: Counter = field(default_factory=Counter)  # trigger → 202s
    actions: Counter = field(default_factory=Counter)

    def load_is_over(self) -> bool:
        return time.monotonic() >= self.deadline or self.recorder.count >= self.args.max_requests


class VirtualUser:
    def __init__(self, index: int, shared: Shared, rng: random.Random) -> None:
        self.index, self.shared, self.rng = index, shared, rng
        self.username = f"load_{shared.run_id}_{index}"
        self.email = f"{self.username}@example.com"
        self.access_token: str | None = None
        self.refresh_token: str | None = None
        self.manual_id: str | None = None
        self.hook_id: str | None = None
        self.hook_secret: str | None = None
        self.runs_started = 0
        self.webhook_times: list[float] = []
        self.verified = False
        self.edits = 0

    async def call(
        self,
        method: str,
        route: str,
        path: str | None = None,
        *,
        label: str | None = None,
        anonymous: bool = False,
        **kwargs: Any,
    ) -> httpx.Response | None:
        """One request, recorded under its route template; None when no 2xx answer came."""
        headers = kwargs.pop("headers", {})
        if self.access_token is not None and not anonymous:
            headers["Authorization"] = f"Bearer {self.access_token}"
        endpoint = label or f"{method} {route}"
        started = time.perf_counter()
        try:
            response = await self.shared.client.request(method, path or route, headers=headers, **kwargs)
        except httpx.HTTPError as exc:
            millis = (time.perf_counter() - started) * 1000
            self.shared.recorder.record(endpoint, None, millis, f"{type(exc).__name__}: {exc}"[:90])
            return None
        millis = (time.perf_counter() - started) * 1000
        ok = 200 <= response.status_code < 300
        self.shared.recorder.record(
            endpoint, response.status_code, millis, None if ok else error_detail(response)
        )
        return response if ok else None

    def take_tokens(self, response: httpx.Response) -> None:
        body = response.json()
        self.access_token, self.refresh_token = body["access_token"], body["refresh_token"]

    # --- once per user --------------------------------------------------------------------------

    async def sign_up(self) -> bool:
        self.access_token = None
        response = await self.call(
            "POST",
            "/v1/auth/register",
            json={"email": self.email, "username": self.username, "password": PASSWORD},
        )
        if response is None:
            return False
        self.take_tokens(response)
        # the welcome mail goes through the mail queue: read the outbox until it is there (bounded)
        token = None
        for _ in range(60):
            await asyncio.sleep(0.5)
            outbox = await self.call("GET", "/_local/outbox")
            if outbox is not None:
                for mail in reversed(outbox.json()):
                    found = self.email in mail["to"] and VERIFY_LINK.search(mail.get("text") or "")
                    if found:
                        token = found.group(1)
                        break
            if token is not None:
                break
        if token is not None:
            self.verified = (
                await self.call("POST", "/v1/auth/email/verify", json={"token": token}) is not None
            )
        return await self.login()

    async def login(self) -> bool:
        saved, self.access_token = self.access_token, None
        response = await self.call("POST", "/v1/auth/login", json={"email": self.email, "password": PASSWORD})
        if response is None:
            self.access_token = saved
            return False
        self.take_tokens(response)
        return await self.call("GET", "/v1/auth/me") is not None

    async def set_up_workflows(self) -> bool:
        async def create(name: str, greeting: str, **extra: str) -> Any:
            body = {
                "name": f"{name} {self.index}",
                "graph_json": graph(greeting),
                "input_schema": INPUT_SCHEMA,
            }
            return await self.call("POST", "/v1/workflows", json={**body, **extra})

        manual = await create("Greeter", "Hello")
        hook = await create("Inbound", "Received", trigger_type="webhook")
        if manual is None or hook is None:
            return False
        self.manual_id = manual.json()["id"]
        body = hook.json()
        self.hook_id, self.hook_secret = body["id"], body["webhook_secret"]
        return True

    # --- the mix --------------------------------------------------------------------------------

    async def browse(self) -> None:
        page = self.rng.choice([1, 1, 1, 2, 3])
        sort = self.rng.choice(TOOL_SORTS)
        listing = await self.call("GET", "/v1/catalog/tools", params={"sort": sort, "page": page})
        slugs = [item["slug"] for item in listing.json()["items"]] if listing is not None else []
        slug = self.rng.choice(slugs or self.shared.tool_slugs)
        await self.call("GET", "/v1/catalog/tools/{slug}", f"/v1/catalog/tools/{slug}")
        roll = self.rng.random()
        if roll < 0.2:
            await self.call("GET", "/v1/catalog/categories")
        elif roll < 0.3:
            await self.call("GET", "/v1/catalog/skills", params={"tool": slug})

    async def search(self) -> None:
        params = {"q": self.rng.choice(CATALOG_QUERIES)}
        await self.call("GET", "/v1/catalog/search", params=params)

    async def similar(self) -> None:
        slug = self.rng.choice(self.shared.tool_slugs)
        await self.call(
            "GET", "/v1/catalog/tools/{slug}/similar", f"/v1/catalog/tools/{slug}/similar", params={"k": 5}
        )

    async def run(self) -> None:
        if self.runs_started >= self.shared.args.runs_per_user:
            return await self.browse()
        self.runs_started += 1
        response = await self.call(
            "POST",
            "/v1/workflows/{id}/runs",
            f"/v1/workflows/{self.manual_id}/runs",
            json={"input": {"name": self.username, "n": self.runs_started}},
        )
        if response is None:
            return
        self.shared.accepted_runs["manual"] += 1
        execution_id = response.json()["id"]
        for _ in range(5):  # watch it as the UI would
            await asyncio.sleep(1)
            read = await self.call("GET", "/v1/executions/{id}", f"/v1/executions/{execution_id}")
            if read is None or read.json()["status"] not in UNFINISHED:
                break

    async def webhook(self) -> None:
        now = time.monotonic()
        self.webhook_times = [t for t in self.webhook_times if now - t < 60]
        budget = self.shared.args
        if len(self.webhook_times) >= budget.webhooks_per_minute or self.runs_started >= budget.runs_per_user:
            return await self.search()
        self.webhook_times.append(now)
        self.runs_started += 1
        body = json.dumps({"name": f"event-{uuid.uuid4().hex[:12]}", "n": self.runs_started}).encode()
        response = await self.call(
            "POST",
            "/v1/hooks/{workflow_id}",
            f"/v1/hooks/{self.hook_id}",
            content=body,
            headers={
                "Content-Type": "application/json",
                "X-Ainav-Signature": sign(self.hook_secret or "", int(time.time()), body),
            },
            anonymous=True,  # a webhook sender has no sign-in
        )
        if response is not None:
            self.shared.accepted_runs["webhook"] += 1

    async def memory_write(self) -> None:
        facts = self.rng.sample(MEMORY_FACTS, self.rng.choice([1, 1, 3]))
        items = [
            {"content": fact, "content_type": "fact", "meta_data": {"user": self.index}} for fact in facts
        ]
        body: dict[str, Any] = items[0] if len(items) == 1 else {"items": items}
        await self.call(
            "POST", "/v1/workflows/{id}/memories", f"/v1/workflows/{self.manual_id}/memories", json=body
        )

    async def memory_search(self) -> None:
        await self.call(
            "GET",
            "/v1/workflows/{id}/memories/search",
            f"/v1/workflows/{self.manual_id}/memories/search",
            params={"q": self.rng.choice(MEMORY_QUERIES), "k": 5},
        )

    async def dashboard(self) -> None:
        await self.call("GET", "/v1/workflows")
        await self.call("GET", "/v1/executions", params={"workflow_id": self.manual_id})
        if self.rng.random() < 0.3:
            await self.call("GET", "/v1/workflows/{id}", f"/v1/workflows/{self.manual_id}")

    async def edit(self) -> None:
        self.edits += 1
        greeting = self.rng.choice(["Hello", "Hi", "你好", "Welcome"])
        await self.call(
            "PATCH",
            "/v1/workflows/{id}",
            f"/v1/workflows/{self.manual_id}",
            json={"graph_json": graph(f"{greeting} (v{self.edits})")},
        )

    async def refresh(self) -> None:
        saved, self.access_token = self.access_token, None
        response = await self.call("POST", "/v1/auth/refresh", json={"refresh_token": self.refresh_token})
        if response is None:
            self.access_token = saved
        else:
            self.take_tokens(response)

    async def live(self, start_delay: float) -> None:
        await asyncio.sleep(start_delay)
        if self.shared.load_is_over():
            return
        if not await self.sign_up() or not await self.set_up_workflows():
            return
        actions = list(MIX)
        weights = list(MIX.values())
        think = self.shared.args.think
        while not self.shared.load_is_over():
            if think > 0:
                await asyncio.sleep(self.rng.expovariate(1 / think))
                if self.shared.load_is_over():
                    break
            action = self.rng.choices(actions, weights)[0]
            self.shared.actions[action] += 1
            await getattr(self, action)()


# --- after the load ---------------------------------------------------------------------------------


async def count_unfinished(users: list[VirtualUser], gate: asyncio.Semaphore) -> int:
    async def of_user(user: VirtualUser) -> int:
        total = 0
        for status in UNFINISHED:
            async with gate:
                response = await user.call(
                    "GET", "/v1/executions", params={"status": status, "page_size": 1}, label=DRAIN_LABEL
                )
            total += response.json()["total"] if response is not None else 1
        return total

    return sum(await asyncio.gather(*(of_user(user) for user in users)))


DRAIN_LABEL = "GET /v1/executions?status= (drain)"
COLLECT_LABEL = "GET /v1/executions (collect)"


async def collect_executions(users: list[VirtualUser], gate: asyncio.Semaphore) -> list[dict[str, Any]]:
    async def of_user(user: VirtualUser) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        for page in range(1, 1000):
            async with gate:
                response = await user.call(
                    "GET", "/v1/executions", params={"page": page, "page_size": 100}, label=COLLECT_LABEL
                )
            if response is None:
                break
            body = response.json()
            items += body["items"]
            if len(items) >= body["total"] or not body["items"]:
                break
        return items

    return [item for items in await asyncio.gather(*(of_user(user) for user in users)) for item in items]


# --- tables -----------------------------------------------------------------------------------------


def table(header: str, rows: list[list[Any]]) -> None:
    """A markdown table; `header` names the columns, separated by `|`."""
    print(f"| {header.replace('|', ' | ')} |")
    print("|" + "---|" * (header.count("|") + 1))
    for row in rows:
        print("| " + " | ".join(str(cell) for cell in row) + " |")
    print()


def is_ok(status: int | None) -> bool:
    return status is not None and status < 300


def is_5xx(status: int | None) -> bool:
    return status is not None and status >= 500


def is_4xx_not_429(status: int | None) -> bool:
    return status is not None and 400 <= status < 500 and status != 429


def execution_rows(shared: Shared, executions: list[dict[str, Any]]) -> list[list[Any]]:
    """Per trigger: what the API accepted, what the runs became, and their latency from their own
    timestamps (created → finished end to end, created → started the wait in the queue)."""
    by_trigger: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for execution in executions:
        by_trigger[execution["trigger_type"]].append(execution)
    rows = []
    for trigger in sorted(set(by_trigger) | set(shared.accepted_runs)):
        runs = by_trigger.get(trigger, [])
        statuses = Counter(run["status"] for run in runs)
        end_to_end, queue_wait = [], []
        for run in runs:
            created, started, finished = (
                parse_time(run[k]) for k in ("created_at", "started_at", "finished_at")
            )
            if created and finished:
                end_to_end.append((finished - created).total_seconds() * 1000)
            if created and started:
                queue_wait.append((started - created).total_seconds() * 1000)
        rows.append(
            [
                trigger,
                shared.accepted_runs.get(trigger, 0),
                len(runs),
                statuses["completed"],
                statuses["failed"],
            ]
            + [statuses["cancelled"], sum(statuses[s] for s in UNFINISHED)]
            + [ms(percentile(end_to_end, p)) for p in (50, 95, 99)]
            + [ms(percentile(queue_wait, p)) for p in (50, 95)]
        )
    return rows


def print_tables(
    shared: Shared,
    users: list[VirtualUser],
    load_seconds: float,
    load_requests: int,
    executions: list[dict[str, Any]],
    drain_seconds: float,
    unfinished: int,
) -> int:
    """Every table; returns the exit status (1: a 5xx, a request without an answer, or a stuck run)."""
    recorder, args = shared.recorder, shared.args
    five_xx, no_answer = recorder.total(is_5xx), recorder.total(lambda s: s is None)
    print(f"## Load test: {args.users} users, {args.duration:.0f} s, think {args.think} s")
    print(f"\nRun {shared.run_id} against {args.base_url}.\n")
    table(
        "users ready|verified by mail|requests (load)|seconds|req/s|2xx|4xx (not 429)|429|5xx|no answer",
        [
            [
                f"{sum(1 for user in users if user.manual_id is not None)}/{len(users)}",
                sum(user.verified for user in users),
                load_requests,
                f"{load_seconds:.1f}",
                f"{load_requests / load_seconds:.1f}",
                recorder.total(is_ok),
                recorder.total(is_4xx_not_429),
                recorder.total(lambda s: s == 429),
                five_xx,
                no_answer,
            ]
        ],
    )
    print("Status counts include the drain and collection requests after the load; req/s is the load's.")
    print(f"Actions drawn: {', '.join(f'{a} {n}' for a, n in shared.actions.most_common())}.\n")

    table(
        "endpoint|n|p50 ms|p95 ms|p99 ms|max ms",
        [
            [f"`{endpoint}`", len(values)]
            + [ms(percentile(values, p)) for p in (50, 95, 99)]
            + [ms(max(values))]
            for endpoint, values in sorted(recorder.durations.items(), key=lambda kv: -len(kv[1]))
        ],
    )

    failures = sorted(
        ((endpoint, status, n) for (endpoint, status), n in recorder.statuses.items() if not is_ok(status)),
        key=lambda row: (-row[2], row[0]),
    )
    table(
        "endpoint|status|n|first detail",
        [
            [
                f"`{endpoint}`",
                "no answer" if status is None else status,
                n,
                recorder.details[endpoint, status],
            ]
            for endpoint, status, n in failures
        ]
        or [["(none)", "", 0, "every answer was 2xx"]],
    )

    table(
        "trigger|accepted (202)|found|completed|failed|cancelled|unfinished"
        "|created→finished p50 ms|p95 ms|p99 ms|created→started p50 ms|p95 ms",
        execution_rows(shared, executions),
    )
    failed = Counter((run.get("error_message") or "")[:90] for run in executions if run["status"] == "failed")
    for message, n in failed.most_common(5):
        print(f"failed runs ({n}): {message}\n")

    verdict = "PASS" if unfinished == 0 and five_xx == 0 and no_answer == 0 else "FAIL"
    table(
        "drain wait s (max)|runs pending or running|5xx|no answer|verdict",
        [[f"{drain_seconds:.1f} ({args.drain:.0f})", unfinished, five_xx, no_answer, verdict]],
    )
    return 0 if verdict == "PASS" else 1


# --- main -------------------------------------------------------------------------------------------


async def progress(shared: Shared, started: float, stop: asyncio.Event) -> None:
    """A line on stderr every 10 s."""
    last_count, last_time = 0, started
    while not stop.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), 10)
        now, recorder = time.monotonic(), shared.recorder
        rate = (recorder.count - last_count) / max(now - last_time, 1e-9)
        last_count, last_time = recorder.count, now
        print(
            f"  {now - started:5.0f} s  {recorder.count} requests ({rate:.0f}/s)  "
            f"runs {sum(shared.accepted_runs.values())}  429 {recorder.total(lambda s: s == 429)}  "
            f"5xx {recorder.total(is_5xx)}  no answer {recorder.total(lambda s: s is None)}",
            file=sys.stderr,
            flush=True,
        )


async def run(args: argparse.Namespace) -> int:
    # uvicorn closes a connection idle for 5 s; httpx's default keep-alive expiry is 5 s too, and a request
    # sent on a connection the server is closing at that moment is reset without an answer
    limits = httpx.Limits(
        max_connections=args.users + 20,
        max_keepalive_connections=args.users + 20,
        keepalive_expiry=KEEPALIVE_EXPIRY_SECONDS,
    )
    timeout = httpx.Timeout(REQUEST_TIMEOUT_SECONDS)
    async with httpx.AsyncClient(base_url=args.base_url, limits=limits, timeout=timeout) as client:
        try:
            health = await client.get("/v1/health")
            tools = await client.get("/v1/catalog/tools", params={"page_size": 100})
        except httpx.HTTPError as exc:
            sys.exit(f"cannot reach {args.base_url}: {exc} (start the stack with make dev)")
        if health.status_code != 200 or tools.status_code != 200:
            sys.exit(f"the stack is not healthy: health {health.status_code}, catalog {tools.status_code}")
        slugs = [item["slug"] for item in tools.json()["items"]]
        if not slugs:
            sys.exit("the catalog is empty: make dev seeds it on the first start of a fresh database")
        rng = random.Random(args.seed)
        shared = Shared(client, Recorder(), args, run_id=uuid.uuid4().hex[:6], tool_slugs=slugs)
        users = [VirtualUser(n, shared, random.Random(rng.random())) for n in range(args.users)]
        print(
            f"  run {shared.run_id}: {args.users} users over {args.ramp:.0f} s ramp, {args.duration:.0f} s, "
            f"at most {args.max_requests} requests",
            file=sys.stderr,
            flush=True,
        )
        started = time.monotonic()
        shared.deadline = started + args.duration
        stop = asyncio.Event()
        reporter = asyncio.create_task(progress(shared, started, stop))
        await asyncio.gather(*(user.live(args.ramp * n / max(args.users, 1)) for n, user in enumerate(users)))
        load_seconds, load_requests = time.monotonic() - started, shared.recorder.count
        print(f"  load over after {load_seconds:.0f} s; draining runs ...", file=sys.stderr, flush=True)
        ready = [user for user in users if user.manual_id is not None]
        gate = asyncio.Semaphore(8)
        drain_started = time.monotonic()
        unfinished = await count_unfinished(ready, gate)
        while unfinished and time.monotonic() - drain_started < args.drain:
            print(f"  {unfinished} runs pending or running", file=sys.stderr, flush=True)
            await asyncio.sleep(2)
            unfinished = await count_unfinished(ready, gate)
        drain_seconds = time.monotonic() - drain_started
        executions = await collect_executions(ready, gate)
        stop.set()
        await reporter
    return print_tables(shared, users, load_seconds, load_requests, executions, drain_seconds, unfinished)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:8000")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--duration", type=float, default=180, help="seconds of load")
    parser.add_argument(
        "--max-requests", type=int, default=100_000, help="stop the load after about this many"
    )
    parser.add_argument("--think", type=float, default=0.5, help="mean seconds between a user's actions")
    parser.add_argument("--ramp", type=float, default=10, help="seconds over which the users sign up")
    parser.add_argument("--drain", type=float, default=60, help="seconds to wait for the runs to finish")
    parser.add_argument("--runs-per-user", type=int, default=900, help="keep below MAX_RUNS_PER_DAY")
    parser.add_argument(
        "--webhooks-per-minute", type=int, default=50, help="keep below MAX_WEBHOOK_CALLS_PER_MINUTE"
    )
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    host = urlsplit(args.base_url).hostname
    if host not in LOOPBACK_HOSTS:
        parser.error(
            f"--base-url must be a loopback address ({', '.join(sorted(LOOPBACK_HOSTS))}), not {host}"
        )
    if args.users < 1 or args.duration <= 0 or args.max_requests < 1:
        parser.error("--users, --duration and --max-requests must be positive")
    sys.exit(asyncio.run(run(args)))


if __name__ == "__main__":
    main()
