"""The NL→SQL chat, with a scripted model: understand → retrieve → generate → validate → execute →
answer. A good query answers with its rows within the cap; whatever the model writes that is not one
read-only statement is refused, returned as the error and never changes the database; a failing query is
repaired once; time, language, explain mode, the model being down, and the worker finishing late answers."""

import json
import os
import uuid

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.pool import NullPool

from shared.config import settings
from shared.connections import chat as connection_chat
from shared.connections.models import ChatMessage
from shared.database_url import normalize_database_url
from shared.llm.models import UsageMetric
from tests.accounts import bearer
from tests.fakes.llm_provider import Completion
from tests.shared.connections.conftest import create

pytestmark = pytest.mark.usefixtures("aws")

STATUS_SQL = "SELECT status, count(*) AS orders FROM public.orders GROUP BY status ORDER BY orders DESC"


def understood(search: str = "orders status") -> Completion:
    return Completion(text=json.dumps({"kind": "data", "reply": None, "search": search}))


def generated(sql: str | None, explanation: str = "Counts the orders of each status.") -> Completion:
    return Completion(text=json.dumps({"sql": sql, "explanation": explanation}))


def ask(client, account, connection, question: str, **body):  # type: ignore[no-untyped-def]
    return client.post(
        f"/v1/connections/{connection['id']}/chat",
        headers=bearer(account),
        json={"question": question, **body},
    )


def snapshot(shop) -> dict:  # type: ignore[no-untyped-def]
    """Every table's exact row count and the catalog of the shop's schema, read from outside the app."""
    engine = create_engine(normalize_database_url(shop.url), poolclass=NullPool)
    try:
        with engine.connect() as connection:
            relations = connection.execute(
                text(
                    "SELECT c.relname, c.relkind FROM pg_class c "
                    "JOIN pg_namespace n ON n.oid = c.relnamespace "
                    "WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') "
                    "AND n.nspname NOT LIKE 'pg_toast%' ORDER BY 1"
                )
            ).all()
            tables = [name for name, kind in relations if kind == "r"]
            counts = {
                table: connection.scalar(text(f'SELECT count(*) FROM "{table}"'))  # noqa: S608
                for table in tables
            }
            functions = connection.scalar(text("SELECT count(*) FROM pg_proc"))
    finally:
        engine.dispose()
    return {"relations": relations, "counts": counts, "functions": functions}


def test_a_good_question_is_answered_from_the_rows_of_its_query(client, db, llm, ready, owner):
    # GIVEN a model that understands, writes a query and answers from its rows
    llm.script(understood(), generated(STATUS_SQL), Completion(text="Most orders (1,386) are delivered."))
    # WHEN the owner asks
    response = ask(client, owner, ready, "How many orders are there of each status?")
    # THEN the answer carries the SQL, its columns and rows, their count and the time it took
    assert response.status_code == 200, response.text
    message = response.json()["message"]
    assert message["content"] == "Most orders (1,386) are delivered."
    assert (message["role"], message["status"], message["error"]) == ("assistant", "complete", None)
    assert message["sql_query"] == STATUS_SQL
    assert message["columns"] == ["status", "orders"]
    assert message["rows"][0] == ["delivered", 1386] and message["row_count"] == 6
    assert sum(row[1] for row in message["rows"]) == 2500
    assert isinstance(message["execution_time_ms"], int) and message["execution_time_ms"] >= 0
    assert (
        "public.orders" in message["tables"] and message["explanation"] == "Counts the orders of each status."
    )
    # AND the model saw the orders table's document when writing SQL, and the rows when answering
    understand, generate, answer = (request.body["messages"] for request in llm.requests)
    assert "orders" in understand[0]["content"] and understand[-1]["content"].startswith("How many orders")
    assert "Table public.orders" in generate[0]["content"] and "delivered" in generate[0]["content"]
    assert '"status": "delivered", "orders": 1386' in answer[-1]["content"]
    assert all(request.body.get("response_format") for request in llm.requests[:2])
    # AND every call was metered to the chat session
    session_id = response.json()["session_id"]
    [metric] = db.scalars(select(UsageMetric).where(UsageMetric.session_id == session_id))
    assert (metric.session_type, metric.calls) == ("chat_session", 3)


def test_rows_past_max_result_rows_are_cut(client, llm, ready, owner, monkeypatch):
    monkeypatch.setattr(settings, "MAX_RESULT_ROWS", 10)
    llm.script(understood(), generated("SELECT id FROM public.orders ORDER BY id"), Completion(text="Here."))
    message = ask(client, owner, ready, "List the orders").json()["message"]
    assert message["row_count"] == 10 and len(message["rows"]) == 10 and message["truncated"] is True
    assert "more existed" in llm.requests[-1].body["messages"][-1]["content"]


MALICIOUS = [
    "DROP TABLE customers",
    "DELETE FROM orders",
    "UPDATE products SET unit_price = 0",
    "TRUNCATE order_items",
    "WITH d AS (DELETE FROM orders RETURNING *) SELECT count(*) FROM d",
    "SELECT * INTO stolen_customers FROM customers",
    "COPY orders TO PROGRAM 'touch /tmp/ainav-pwned'",
    "SELECT 1; DROP TABLE customers",
    "SELECT pg_read_file('/etc/passwd')",
    "CREATE FUNCTION evil() RETURNS int LANGUAGE sql AS 'SELECT 1'",
    "SELECT * FROM orders FOR UPDATE",
    "SELECT set_config('transaction_read_only', 'off', true); DELETE FROM orders",
]


@pytest.mark.parametrize("sql", MALICIOUS)
def test_a_malicious_model_never_changes_the_database(client, llm, ready, owner, shop, sql):
    # GIVEN the shop as it is, and a model that only ever writes this statement (its repair too)
    before = snapshot(shop)
    llm.script(understood(), generated(sql))
    # WHEN a question is asked
    response = ask(client, owner, ready, "Clean up the customers please")
    # THEN the statement is refused and returned as the error, the model tried once more, nothing ran
    assert response.status_code == 200, response.text
    message = response.json()["message"]
    assert message["error"].startswith("the query was refused")
    assert message["rows"] is None and message["row_count"] is None
    assert message["content"].startswith("I could not answer this")
    assert len(llm.requests) == 3  # understand, generate, one repair
    assert "did not work: the query was refused" in llm.requests[2].body["messages"][-1]["content"]
    assert snapshot(shop) == before
    assert not os.path.exists("/tmp/ainav-pwned")


def test_a_failing_query_is_repaired_once_with_the_error(client, llm, ready, owner):
    llm.script(
        understood(),
        generated("SELECT state, count(*) FROM public.orders GROUP BY state"),
        generated(STATUS_SQL),
        Completion(text="Six statuses."),
    )
    message = ask(client, owner, ready, "Orders by status?").json()["message"]
    assert message["error"] is None and message["sql_query"] == STATUS_SQL and message["row_count"] == 6
    repair = llm.requests[2].body["messages"]
    assert 'column "state" does not exist' in repair[-1]["content"]
    assert json.loads(repair[-2]["content"]) == {
        "sql": "SELECT state, count(*) FROM public.orders GROUP BY state"
    }


def test_a_query_past_its_timeout_is_returned_as_error(client, llm, ready, owner, monkeypatch):
    monkeypatch.setattr(settings, "SQL_STATEMENT_TIMEOUT_MS", 200)
    slow = "SELECT count(*) FROM public.orders, public.order_items, public.customers"
    llm.script(understood(), generated(slow))
    message = ask(client, owner, ready, "Count everything with everything").json()["message"]
    assert message["error"] == "the query failed: the query ran longer than 200 ms and was cancelled"
    assert message["rows"] is None


def test_a_greeting_is_answered_without_sql(client, llm, ready, owner):
    llm.script(
        Completion(text=json.dumps({"kind": "chat", "reply": "Hello! Ask me about the shop.", "search": ""}))
    )
    message = ask(client, owner, ready, "Hi there!").json()["message"]
    assert message["content"] == "Hello! Ask me about the shop."
    assert message["sql_query"] is None and message["error"] is None and len(llm.requests) == 1


def test_a_question_the_database_cannot_answer_gets_the_models_reason(client, llm, ready, owner):
    llm.script(understood("weather"), generated(None, "The shop's database holds no weather data."))
    message = ask(client, owner, ready, "Will it rain tomorrow?").json()["message"]
    assert message["content"] == "The shop's database holds no weather data."
    assert message["sql_query"] is None and message["error"] is None


def test_explain_mode_asks_for_the_reasoning(client, llm, ready, owner):
    llm.script(understood(), generated(STATUS_SQL), Completion(text="Delivered leads. Steps: ..."))
    message = ask(client, owner, ready, "Orders by status?", explain_mode=True).json()["message"]
    assert "explain" in llm.requests[-1].body["messages"][0]["content"]
    assert message["explanation"] == "Counts the orders of each status."


def test_a_chinese_question_is_answered_in_chinese_and_searched_with_the_models_english_words(
    client, llm, ready, owner
):
    llm.script(
        understood("orders status count"), generated(STATUS_SQL), Completion(text="大多数订单已送达。")
    )
    message = ask(client, owner, ready, "每种状态的订单有多少？").json()["message"]
    assert message["content"] == "大多数订单已送达。" and "public.orders" in message["tables"][:2]
    assert "Chinese" in llm.requests[-1].body["messages"][0]["content"]


def test_when_the_model_cannot_answer_from_the_rows_the_answer_says_what_was_found(client, llm, ready, owner):
    llm.script(understood(), generated(STATUS_SQL), Completion(status=400, error="bad request"))
    message = ask(client, owner, ready, "Orders by status?").json()["message"]
    assert message["content"] == "The query returned 6 rows." and message["row_count"] == 6


def test_a_follow_up_question_sees_the_earlier_ones(client, llm, ready, owner):
    llm.script(understood(), generated(STATUS_SQL), Completion(text="Six statuses."))
    first = ask(client, owner, ready, "Orders by status?").json()
    llm.requests.clear()
    llm.script(
        understood(),
        generated("SELECT channel, count(*) FROM public.orders GROUP BY 1"),
        Completion(text="4."),
    )
    second = ask(client, owner, ready, "And by channel?", session_id=first["session_id"])
    assert second.status_code == 200 and second.json()["session_id"] == first["session_id"]
    history = llm.requests[1].body["messages"][1:-1]
    assert history == [
        {"role": "user", "content": "Orders by status?"},
        {"role": "assistant", "content": json.dumps({"sql": STATUS_SQL})},
    ]


def test_a_connection_that_is_not_ready_is_409(client, llm, owner, shop):
    pending = create(client, owner, shop.fields())
    response = ask(client, owner, pending, "How many orders?")
    assert response.status_code == 409 and "pending" in response.json()["detail"]


@pytest.mark.parametrize("question", ["", "   ", "x" * 2001])
def test_an_empty_or_over_long_question_is_422(client, llm, ready, owner, question):
    assert ask(client, owner, ready, question).status_code == 422
    assert llm.requests == []


def test_the_model_down_is_503_with_retry_after_and_a_failed_answer(
    client, db, llm, ready, owner, monkeypatch
):
    monkeypatch.setattr(settings, "LLM_MAX_RETRIES", 0)
    llm.script(Completion(status=503, error="overloaded"))
    response = ask(client, owner, ready, "How many orders?")
    assert response.status_code == 503 and response.headers["Retry-After"]
    [question, answer] = db.scalars(select(ChatMessage).order_by(ChatMessage.created_at)).all()[-2:]
    assert (question.role, answer.role, answer.status) == ("user", "assistant", "failed")
    assert "503" in answer.error


def test_a_session_of_no_one_cannot_be_continued(client, llm, ready, owner):
    llm.script(understood(), generated(STATUS_SQL), Completion(text="Six."))
    assert ask(client, owner, ready, "More?", session_id=str(uuid.uuid4())).status_code == 404
    assert llm.requests == []


def test_an_answer_the_request_has_no_time_for_is_finished_by_the_worker(
    client, db, llm, ready, owner, monkeypatch
):
    # GIVEN a request with no time to spare
    monkeypatch.setattr(settings, "CHAT_SYNC_TIMEOUT_SECONDS", 0.0)
    llm.script(understood(), generated(STATUS_SQL), Completion(text="Delivered leads."))
    # WHEN a question is asked, THEN it is accepted with a pending answer
    response = ask(client, owner, ready, "Orders by status?")
    assert response.status_code == 202, response.text
    pending = response.json()["message"]
    assert pending["status"] == "pending" and llm.requests == []
    # AND the worker's part finishes it from where it stopped
    connection_chat.finish_pending(db, pending["id"])
    session = client.get(
        f"/v1/connections/{ready['id']}/chat-sessions/{response.json()['session_id']}", headers=bearer(owner)
    ).json()
    answer = session["messages"][-1]
    assert (answer["id"], answer["status"], answer["content"]) == (
        pending["id"],
        "complete",
        "Delivered leads.",
    )
    assert answer["row_count"] == 6
    connection_chat.finish_pending(db, pending["id"])  # a second delivery finds it done
    assert len(llm.requests) == 3
