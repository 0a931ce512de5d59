"""The NL→SQL agent: understand → retrieve → generate → validate → execute → answer.

1. **Understand** (a model call): a greeting or small talk is answered without SQL; a question about the
   data comes back with English search words (the question translated when it is in Chinese).
2. **Retrieve**: the schema search (`schema_search`) with the question and those words: the top
   NL2SQL_CONTEXT_TABLES tables' documents (columns, keys, values), the names of the others, and the
   nearest approved examples.
3. **Generate** (a model call): one PostgreSQL SELECT as JSON `{"sql", "explanation"}`.
4. **Validate** (`sql_guard`) and **execute** in a READ ONLY transaction with SQL_STATEMENT_TIMEOUT_MS,
   keeping MAX_RESULT_ROWS rows. A refused or failing query goes back to the model once with the error
   (one repair); nothing else is ever run.
5. **Answer** (a model call) from the rows, in the question's language; explain mode adds how the query
   finds it. Without the model at this step, the answer says what was found.

Every call goes through the LLM gateway, metered as `chat_session` with the session's id. A turn that
runs out of time raises HandOver between steps: its state (`Turn`) goes to the worker, which goes on
from where it stopped."""

import json
import re
import time
import uuid
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.config import settings
from shared.connections import examples, glossary, schema_search, targets
from shared.connections.models import ChatMessage, ChatSession, DatabaseConnection, TableInsight
from shared.connections.targets import QueryFailed, TargetError
from shared.embedding.service import embedding_service
from shared.errors import DomainError
from shared.llm import gateway
from shared.llm.client import LLMError, ProviderUnavailable

MIN_SECONDS_FOR_A_CALL = 1.0
MAX_ATTEMPTS = 2  # the first query and one repair
ROWS_SHOWN_TO_THE_MODEL = 50
RESULT_CHARS_SHOWN_TO_THE_MODEL = 6000
OTHER_TABLES_NAMED = 80
CJK = re.compile(r"[\u3400-\u9fff]")
FENCED = re.compile(r"```(?:json|sql)?\s*(.*?)```", re.S | re.I)

UNDERSTAND_PROMPT = """You sort the messages a user sends to an assistant that answers questions about one \
database by writing SQL. The database: {name}{about}. Its tables: {tables}.

Reply with a JSON object only: {{"kind": "data" or "chat", "reply": string or null, "search": string}}
- "chat": a greeting, thanks, small talk or a question about you. "reply" answers it in one or two \
sentences in the user's language and may say what the database can tell.
- "data": anything the database may answer. "search": the tables, columns and values it is about as \
English keywords (translate them when the message is in another language), e.g. "orders revenue month"."""

GENERATE_PROMPT = """You write one {dialect} query that answers the user's question about the database \
described below.

Rules:
- Exactly one SELECT statement (WITH ... SELECT is fine). INSERT, UPDATE, DELETE, DDL, COPY, SET, locks \
and several statements are refused and never run.
- Use only the tables and columns described below; qualify tables with their schema.
- The result keeps at most {max_rows} rows: aggregate, or ORDER BY and LIMIT when listing rows.
- Give computed columns readable aliases.

Reply with a JSON object only: {{"sql": "<the query>", "explanation": "<how it answers the question, \
one or two sentences, in the user's language>"}}. If the database cannot answer it, reply \
{{"sql": null, "explanation": "<why, in the user's language>"}}.

Database: {name} ({dialect}{version}).
{tables}{examples}"""

ANSWER_PROMPT = """You answer a question about a database from the result of the SQL query that was run \
for it. Answer in {language}, briefly: the figures or rows that answer it; say so if the result is empty \
and mention when only the first rows were kept.{explain}"""

EXPLAIN = """ Then explain, in a few short steps, how the query finds the answer: the tables it reads, \
how they are joined, the filters and the grouping."""

LANGUAGES = {"zh": "Chinese (简体中文)", "en": "English"}
REFUSED = {"zh": "无法回答这个问题：{error}", "en": "I could not answer this: {error}"}
FOUND = {
    "zh": "查询返回了 {count} 行{more}。",
    "en": "The query returned {count} row{plural}{more}.",
}


class HandOver(Exception):
    """The turn's synchronous time ran out between two steps: the worker goes on from its state."""


@dataclass
class Turn:
    """The state of one answer, saved in a pending message when the worker finishes it."""

    question: str
    explain: bool = False
    language: str = "en"
    kind: str | None = None  # data | chat, once understood
    search: str = ""
    reply: str | None = None  # the answer to small talk
    tables: list[str] = field(default_factory=list)
    sql: str | None = None
    explanation: str | None = None
    attempts: int = 0
    error: str | None = None
    result: dict[str, Any] | None = None  # {columns, rows, truncated, execution_time_ms}
    answer: str | None = None
    usage: dict[str, Any] = field(
        default_factory=lambda: {"prompt_tokens": 0, "completion_tokens": 0, "credits": 0.0, "calls": 0}
    )

    @classmethod
    def start(cls, question: str, explain: bool) -> "Turn":
        return cls(question=question, explain=explain, language="zh" if CJK.search(question) else "en")

    def state(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def done(self) -> bool:
        return self.answer is not None


@dataclass
class Context:
    """Who asks what of which database, and until when the request may take its time."""

    session: Session
    connection: DatabaseConnection
    chat_session: ChatSession
    user_id: uuid.UUID
    deadline: float | None = None
    history: list[dict[str, str]] = field(default_factory=list)


def _time_left(context: Context, needed: float = MIN_SECONDS_FOR_A_CALL) -> float:
    if context.deadline is None:
        return settings.LLM_TIMEOUT_SECONDS
    left = context.deadline - time.monotonic()
    if left < needed:
        raise HandOver()
    return left


def _call(context: Context, turn: Turn, messages: list[dict[str, Any]], *, json_response: bool) -> str:
    """One model call through the gateway, metered to the chat session; HandOver when the time left
    cannot hold it (or it was cut by that time rather than by the provider)."""
    timeout = min(settings.LLM_TIMEOUT_SECONDS, _time_left(context))
    try:
        answer = gateway.complete(
            context.session,
            caller=gateway.Caller(context.user_id, "chat_session", str(context.chat_session.id)),
            messages=messages,
            json_response=json_response,
            temperature=0.0,
            timeout=timeout,
        )
    except ProviderUnavailable:
        if context.deadline is not None and context.deadline - time.monotonic() < MIN_SECONDS_FOR_A_CALL:
            raise HandOver() from None
        raise
    turn.usage = {
        "prompt_tokens": turn.usage["prompt_tokens"] + answer.usage.prompt_tokens,
        "completion_tokens": turn.usage["completion_tokens"] + answer.usage.completion_tokens,
        "credits": round(turn.usage["credits"] + float(answer.credits), 4),
        "calls": turn.usage["calls"] + 1,
        "model": answer.model,
    }
    return answer.text or ""


def parse_json(text: str) -> dict[str, Any] | None:
    """The JSON object of a model's answer, also inside a ``` fence or after some words; None if none."""
    for candidate in [text, *FENCED.findall(text), text[text.find("{") : text.rfind("}") + 1]]:
        try:
            value = json.loads(candidate)
        except ValueError:
            continue
        if isinstance(value, dict):
            return value
    return None


def understand(context: Context, turn: Turn) -> None:
    names = context.session.scalars(
        select(TableInsight.table_name)
        .where(TableInsight.connection_id == context.connection.id)
        .order_by(TableInsight.table_name)
        .limit(OTHER_TABLES_NAMED)
    ).all()
    about = f" — {context.connection.description}" if context.connection.description else ""
    system = UNDERSTAND_PROMPT.format(
        name=context.connection.name, about=about, tables=", ".join(names) or "none"
    )
    text = _call(
        context,
        turn,
        [{"role": "system", "content": system}, *context.history, {"role": "user", "content": turn.question}],
        json_response=True,
    )
    parsed = parse_json(text) or {}
    turn.kind = "chat" if parsed.get("kind") == "chat" and parsed.get("reply") else "data"
    turn.reply = str(parsed["reply"]) if turn.kind == "chat" else None
    turn.search = str(parsed.get("search") or "")[:500]


def retrieve(context: Context, turn: Turn) -> tuple[str, str]:
    """The schema context of the generation prompt (the top tables' documents and the other tables'
    names) and the approved examples nearest to the question."""
    query = f"{turn.question} {turn.search} {glossary.english_words(turn.question)}".strip()
    vector = embedding_service.generate_embedding(query)
    hits = schema_search.search(
        context.session, context.connection.id, query, settings.NL2SQL_CONTEXT_TABLES, vector=vector
    )
    turn.tables = [f"{hit.insight.schema_name}.{hit.insight.table_name}" for hit in hits]
    documents = "\n\n".join(hit.insight.insight_document for hit in hits)
    others = context.session.scalars(
        select(TableInsight)
        .where(
            TableInsight.connection_id == context.connection.id,
            TableInsight.id.not_in([hit.insight.id for hit in hits]),
        )
        .order_by(TableInsight.schema_name, TableInsight.table_name)
        .limit(OTHER_TABLES_NAMED)
    ).all()
    other_names = ", ".join(f"{other.schema_name}.{other.table_name}" for other in others)
    schema = f"Tables:\n{documents}\n" + (
        f"\nOther tables (ask about them by name): {other_names}\n" if others else ""
    )
    shown = examples.nearest(context.session, context.connection.id, vector, settings.NL2SQL_EXAMPLES)
    approved = "".join(f"\nQ: {example.question}\nSQL: {example.sql}\n" for example in shown)
    return schema, (f"\nApproved examples:{approved}" if approved else "")


def generate(context: Context, turn: Turn, schema: str, approved: str) -> None:
    dialect = targets.dialect_for(context.connection.dialect)
    system = GENERATE_PROMPT.format(
        dialect="PostgreSQL" if dialect.name == "postgresql" else dialect.name,
        max_rows=settings.MAX_RESULT_ROWS,
        name=context.connection.name,
        version=f" {context.connection.server_version}" if context.connection.server_version else "",
        tables=schema,
        examples=approved,
    )
    messages: list[dict[str, Any]] = [
        {"role": "system", "content": system},
        *context.history,
        {"role": "user", "content": turn.question},
    ]
    if turn.sql is not None and turn.error is not None:  # the repair: the model sees what went wrong
        messages += [
            {"role": "assistant", "content": json.dumps({"sql": turn.sql}, ensure_ascii=False)},
            {"role": "user", "content": f"That query did not work: {turn.error}\nWrite a corrected query."},
        ]
    text = _call(context, turn, messages, json_response=True)
    parsed = parse_json(text)
    turn.attempts += 1
    turn.error = None
    if parsed is None:
        sql = FENCED.findall(text)
        turn.sql, turn.explanation = (sql[0].strip() if sql else None), None
        if turn.sql is None:
            turn.error = "the model's answer held no SQL query"
        return
    turn.sql = str(parsed["sql"]).strip() if parsed.get("sql") else None
    turn.explanation = str(parsed.get("explanation") or "") or None
    if turn.sql is None:
        turn.answer = turn.explanation or REFUSED[turn.language].format(error="no query")


def validate_and_run(context: Context, turn: Turn) -> None:
    """Check the generated SQL and run it; a refusal or a failure is recorded in `turn.error`."""
    from shared.connections import sql_guard  # sqlglot (~60 ms) when a question's SQL is checked

    target = targets.target_of(context.connection)
    try:
        checked = sql_guard.check(turn.sql or "", dialect=target.dialect.sqlglot_dialect)
    except sql_guard.RefusedSQL as exc:
        turn.error = f"the query was refused: {exc}"
        return
    _time_left(context, settings.SQL_STATEMENT_TIMEOUT_MS / 1000 + MIN_SECONDS_FOR_A_CALL)
    try:
        with target.read_only(statement_timeout_ms=settings.SQL_STATEMENT_TIMEOUT_MS) as reader:
            result = reader.fetch(checked.sql, max_rows=settings.MAX_RESULT_ROWS)
    except QueryFailed as exc:
        turn.error = f"the query failed: {exc}"
        return
    turn.sql, turn.result = checked.sql, asdict(result)


def answer(context: Context, turn: Turn) -> None:
    """The reply from the rows (or the fallback saying what was found, without the model)."""
    assert turn.result is not None
    rows, columns = turn.result["rows"], turn.result["columns"]
    shown = json.dumps(
        [dict(zip(columns, row, strict=False)) for row in rows[:ROWS_SHOWN_TO_THE_MODEL]], ensure_ascii=False
    )
    if len(shown) > RESULT_CHARS_SHOWN_TO_THE_MODEL:
        shown = shown[:RESULT_CHARS_SHOWN_TO_THE_MODEL] + " …(cut)"
    kept = f"{len(rows)} rows" + (", more existed: only these were kept" if turn.result["truncated"] else "")
    system = ANSWER_PROMPT.format(language=LANGUAGES[turn.language], explain=EXPLAIN if turn.explain else "")
    user = f"Question: {turn.question}\n\nSQL:\n{turn.sql}\n\nResult ({kept}):\n{shown}"
    try:
        turn.answer = _call(
            context,
            turn,
            [{"role": "system", "content": system}, {"role": "user", "content": user}],
            json_response=False,
        ).strip()
    except (LLMError, DomainError):
        turn.answer = None
    if not turn.answer:
        more = (
            ("，仅保留前若干行" if turn.language == "zh" else "; only the first were kept")
            if turn.result["truncated"]
            else ""
        )
        turn.answer = FOUND[turn.language].format(
            count=len(rows), plural="" if len(rows) == 1 else "s", more=more
        )


def run(context: Context, turn: Turn) -> Turn:
    """Take the turn from where it stands to an answer. Raises HandOver (time ran out between steps),
    and the gateway's errors when the model does not answer the steps that need it (402, 503, LLMError)."""
    if turn.kind is None:
        understand(context, turn)
    if turn.kind == "chat":
        turn.answer = turn.reply
        return turn
    while not turn.done and turn.result is None:
        if turn.attempts >= MAX_ATTEMPTS and turn.error:
            turn.answer = REFUSED[turn.language].format(error=turn.error)
            return turn
        if turn.sql is None or turn.error is not None:
            schema, approved = retrieve(context, turn)
            generate(context, turn, schema, approved)
            if turn.done or turn.error:
                continue
        try:
            validate_and_run(context, turn)
        except TargetError as exc:  # the database is unreachable: no repair can help
            turn.error = str(exc)
            turn.answer = REFUSED[turn.language].format(error=turn.error)
            return turn
    if not turn.done:
        answer(context, turn)
    return turn


def history(
    session: Session, chat_session: ChatSession, *, before: ChatMessage | None = None
) -> list[dict[str, str]]:
    """The last NL2SQL_HISTORY_TURNS questions of the session with what answered them (the SQL when
    there was one), for follow-up questions."""
    query = select(ChatMessage).where(
        ChatMessage.session_id == chat_session.id, ChatMessage.status == "complete"
    )
    if before is not None:
        query = query.where(ChatMessage.created_at < before.created_at)
    recent = list(
        session.scalars(
            query.order_by(ChatMessage.created_at.desc()).limit(settings.NL2SQL_HISTORY_TURNS * 2)
        )
    )[::-1]
    messages = []
    for message in recent:
        if message.role == "user":
            messages.append({"role": "user", "content": message.content})
        elif messages and messages[-1]["role"] == "user":
            said = (
                json.dumps({"sql": message.sql_query}, ensure_ascii=False)
                if message.sql_query
                else message.content
            )
            messages.append({"role": "assistant", "content": said})
    if messages and messages[-1]["role"] == "user":
        messages.pop()  # a question without its answer says nothing
    return messages
