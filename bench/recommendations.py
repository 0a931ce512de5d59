"""Offline evaluation of the recommender: synthetic users with a planted category preference interact
with some tools of that category; hit-rate@10 on the held-out ones, against popularity only.

    .venv/bin/python -m bench.recommendations [--users 300] [--seen 3]
"""

import argparse
import random
import sys
import uuid
from pathlib import Path

from bench import setup

REPO_ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=300)
    parser.add_argument("--seen", type=int, default=3, help="preferred tools each user interacts with")
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
    tools = session.scalars(select(Tool).options(selectinload(Tool.category))).all()
    by_category: dict[str, list[Tool]] = {}
    for tool in tools:
        if tool.category:
            by_category.setdefault(tool.category.slug, []).append(tool)
    eligible = [slug for slug, members in by_category.items() if len(members) >= args.seen + 3]
    buzz: dict = {}
    popular_order = sorted(tools, key=lambda t: service.popularity(t, buzz.get(t.id, 0.0)), reverse=True)
    hits = {"recommender": 0, "popularity": 0}
    for n in range(args.users):
        category = rng.choice(eligible)
        members = by_category[category][:]
        rng.shuffle(members)
        seen, held_out = members[: args.seen], {t.id for t in members[args.seen :]}
        user = User(email=f"eval-{uuid.uuid4().hex}@example.com", username=f"eval_{uuid.uuid4().hex[:12]}")
        session.add(user)
        session.flush()
        for tool in seen:
            service.record(
                session=session,
                user_id=user.id,
                item_type="tool",
                item_id=tool.id,
                action=rng.choice(["view", "click", "like"]),
            )
        session.flush()
        ours = [tool.id for tool, _, _ in service.recommend(session=session, user=user, limit=args.k)]
        baseline = [t.id for t in popular_order if t.id not in {s.id for s in seen}][: args.k]
        hits["recommender"] += bool(held_out & set(ours))
        hits["popularity"] += bool(held_out & set(baseline))
        session.rollback()
        if n % 50 == 0:
            print(f"  {n}/{args.users} users", file=sys.stderr, flush=True)
    session.close()
    ours_rate, base_rate = hits["recommender"] / args.users, hits["popularity"] / args.users
    print(
        f"{args.users} synthetic users, {len(eligible)} categories with >= {args.seen + 3} tools, "
        f"{args.seen} preferred tools seen each, the rest held out\n"
    )
    print("| ranker | hit-rate@10 on held-out preferred tools |")
    print("|---|---|")
    print(f"| popularity only (baseline) | {base_rate:.3f} |")
    print(f"| ours (profile embedding + popularity) | {ours_rate:.3f} |")
    print(f"\nlift: {ours_rate / base_rate if base_rate else float('inf'):.1f}x (target >= 2x)")


if __name__ == "__main__":
    main()
