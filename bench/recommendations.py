"""Offline evaluation of the recommender against popularity only, in one run, on the seeded catalog.
Synthetic users with planted category preferences interact with some tools of those categories; a
hit is a held-out tool of the preferred category among the top 10. Three kinds of users:

- one interest: `--seen` tools of one category (hit: a held-out tool of it);
- two interests: `--seen` tools of each of two categories (hit: held-out tools of both);
- a single interaction: one tool (hit: a held-out tool of its category).

    .venv/bin/python -m bench.recommendations [--users 300] [--seen 3]
"""

import argparse
import random
import sys
import uuid
from pathlib import Path

from bench import setup

REPO_ROOT = Path(__file__).resolve().parents[1]
TARGETS = {"one interest": 0.0, "two interests": 0.8, "a single interaction": 0.5}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=300, help="users of each kind")
    parser.add_argument("--seen", type=int, default=3, help="preferred tools a user interacts with")
    parser.add_argument("--k", type=int, default=10)
    args = parser.parse_args()
    setup.prepare(seed_catalog=True)
    from sqlalchemy import select
    from sqlalchemy.orm import selectinload

    from shared.catalog.models import Tool
    from shared.db import get_sessionmaker
    from shared.interactions import service
    from shared.users.models import User

    rng = random.Random(11)
    session = get_sessionmaker()()
    tools = session.scalars(select(Tool).options(selectinload(Tool.category)).order_by(Tool.slug)).all()
    by_category: dict[str, list[Tool]] = {}
    for tool in tools:
        if tool.category:
            by_category.setdefault(tool.category.slug, []).append(tool)
    eligible = [slug for slug, members in by_category.items() if len(members) >= args.seen + 3]
    popular_order = sorted(tools, key=lambda t: service.popularity(t, 0.0), reverse=True)

    def evaluate(categories: list[str], seen_per_category: int) -> tuple[bool, bool]:
        """One synthetic user: (the recommender hit every interest, popularity did)."""
        seen, held_out = [], []
        for category in categories:
            members = by_category[category][:]
            rng.shuffle(members)
            seen += members[:seen_per_category]
            held_out.append({t.id for t in members[seen_per_category:]})
        user = User(email=f"eval-{uuid.uuid4().hex}@example.com", username=f"eval_{uuid.uuid4().hex[:12]}")
        session.add(user)
        session.flush()
        for tool in rng.sample(seen, len(seen)):
            service.record(
                session=session,
                user_id=user.id,
                item_type="tool",
                item_id=tool.id,
                action=rng.choice(["view", "click", "like"]),
            )
        session.flush()
        ours = {tool.id for tool, _, _ in service.recommend(session=session, user=user, limit=args.k)}
        seen_ids = {s.id for s in seen}
        baseline = {t.id for t in [t for t in popular_order if t.id not in seen_ids][: args.k]}
        session.rollback()
        return all(ours & wanted for wanted in held_out), all(baseline & wanted for wanted in held_out)

    kinds = {
        "one interest": lambda: evaluate([rng.choice(eligible)], args.seen),
        "two interests": lambda: evaluate(rng.sample(eligible, 2), args.seen),
        "a single interaction": lambda: evaluate([rng.choice(eligible)], 1),
    }
    results = {}
    for kind, run in kinds.items():
        ours_hits = baseline_hits = 0
        for n in range(args.users):
            ours_hit, baseline_hit = run()
            ours_hits += ours_hit
            baseline_hits += baseline_hit
            if n % 100 == 0:
                print(f"  {kind}: {n}/{args.users} users", file=sys.stderr, flush=True)
        results[kind] = (ours_hits / args.users, baseline_hits / args.users)
    session.close()
    print(
        f"{args.users} synthetic users of each kind, {len(eligible)} categories with >= {args.seen + 3} "
        f"tools, {args.seen} preferred tools seen per interest (1 for a single interaction)\n"
    )
    print("| users | popularity only (baseline) | ours | lift | target | met |")
    print("|---|---|---|---|---|---|")
    for kind, (ours_rate, base_rate) in results.items():
        lift = f"{ours_rate / base_rate:.1f}x" if base_rate else "n/a"
        target = TARGETS[kind]
        met = ours_rate >= target and (kind != "one interest" or ours_rate >= 2 * base_rate)
        wanted = ">= 2x the baseline" if kind == "one interest" else f">= {target}"
        print(
            f"| {kind} | {base_rate:.3f} | {ours_rate:.3f} | {lift} | {wanted} | {'yes' if met else 'no'} |"
        )


if __name__ == "__main__":
    main()
