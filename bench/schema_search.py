"""Recall@k of the schema search (the retrieval step of the NL→SQL chat) on the labelled questions of
bench/nl2sql_questions.json, asked of the demo shop database (infra/local/demo_database.py) once
analysed, in English and in Chinese.

    .venv/bin/python -m bench.schema_search [--k 5] [--misses]

Recall@k of a question: the share of the tables it needs found in the top k; the table gives its mean,
and how many questions had every table they need in the top k. Chinese is measured with and without the
glossary of shared/connections/glossary.py, on the questions and on paraphrases written after it with
words it lacks (`zh_paraphrase`, held out); `zh+en` stands for the chat's path, where the model's
understand step adds English search words (here: the English question stands in for them)."""

import argparse
import json
import statistics
import sys
import time
import uuid
from pathlib import Path

from bench import setup

QUESTIONS = Path(__file__).resolve().parent / "nl2sql_questions.json"
DEMO_DATABASE = "ainav_demo_bench"


def load_questions() -> list[dict]:
    return json.loads(QUESTIONS.read_text(encoding="utf-8"))["questions"]


def recall_of(found: list[str], needed: list[str]) -> float:
    return len(set(found) & set(needed)) / len(needed)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--k", type=int, default=5)
    parser.add_argument("--misses", action="store_true", help="print each question that missed a table")
    args = parser.parse_args()
    url = setup.prepare()
    from sqlalchemy.engine import make_url

    from infra.local.demo_database import create_demo_database
    from shared.connections import analysis, glossary, schema_search
    from shared.connections.models import DatabaseConnection
    from shared.db import get_sessionmaker
    from shared.users.models import User

    full_glossary = dict(glossary.GLOSSARY)
    demo = make_url(create_demo_database(url, DEMO_DATABASE, progress=lambda line: None))
    session = get_sessionmaker()()
    user = User(email=f"bench-{uuid.uuid4().hex}@example.com", username=f"bench_{uuid.uuid4().hex[:12]}")
    session.add(user)
    session.flush()
    connection = DatabaseConnection(
        user_id=user.id,
        name="Demo shop",
        host=str(demo.query["host"]),
        port=demo.port or 5432,
        database=DEMO_DATABASE,
        username=demo.username or "postgres",
    )
    session.add(connection)
    session.commit()
    started = time.monotonic()
    status = analysis.run(session, connection.id)
    analysed = time.monotonic() - started
    if status != "ready":
        sys.exit(f"the analysis ended {status}: {connection.status_message}")
    print(f"analysis: {connection.status_message}, {analysed:.1f}s\n")
    print(f"| questions | glossary | n | recall@{args.k} | every table in the top {args.k} | ms per search |")
    print("|---|---|---|---|---|---|")
    misses = []
    runs = [("en", True), ("zh", True), ("zh", False), ("zh_paraphrase", True), ("zh_paraphrase", False)]
    runs += [("zh+en", False)]  # the chat's path: the question with the model's English search words
    for language, with_glossary in runs:
        glossary.GLOSSARY.clear()
        glossary.GLOSSARY.update(full_glossary if with_glossary else {})
        glossary.TERMS[:] = sorted(glossary.GLOSSARY, key=len, reverse=True)
        asked = [
            {**question, "zh+en": f"{question['zh']} {question['en']}"}
            for question in load_questions()
            if language == "zh+en" or question.get(language)
        ]
        recalls, complete, took = [], 0, []
        for question in asked:
            begun = time.monotonic()
            hits = schema_search.search(session, connection.id, question[language], args.k)
            took.append((time.monotonic() - begun) * 1000)
            session.rollback()  # SET LOCAL of the search ends with its transaction
            found = [hit.insight.table_name for hit in hits]
            recalls.append(recall_of(found, question["tables"]))
            complete += set(question["tables"]) <= set(found)
            if recalls[-1] < 1 and with_glossary:
                misses.append(
                    (language, question[language], sorted(set(question["tables"]) - set(found)), found)
                )
        used = "-" if language == "en" else "yes" if with_glossary else "no"
        print(
            f"| {language} | {used} | {len(recalls)} | {statistics.mean(recalls):.3f} | "
            f"{complete}/{len(recalls)} | {statistics.median(took):.1f} |"
        )
    if args.misses:
        print()
        for language, question, missing, found in misses:
            print(f"{language}: {question}\n    missing {missing}; found {found}")
    session.delete(connection)
    session.delete(user)
    session.commit()


if __name__ == "__main__":
    main()
