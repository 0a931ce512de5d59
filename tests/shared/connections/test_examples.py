"""Learning from approved answers: question→SQL pairs typed in or approved from a chat answer, checked and
run like generated SQL before they are kept, and offered to the model for questions near theirs."""

import json
import uuid

import pytest

from tests.accounts import bearer, signup
from tests.fakes.llm_provider import Completion

pytestmark = pytest.mark.usefixtures("aws")
REVENUE_SQL = "SELECT channel, sum(total_amount) AS revenue FROM public.orders GROUP BY channel"


def add(client, account, connection, body):  # type: ignore[no-untyped-def]
    return client.post(f"/v1/connections/{connection['id']}/examples", headers=bearer(account), json=body)


def test_an_example_is_kept_and_offered_to_the_model_for_a_near_question(client, llm, ready, owner):
    # GIVEN an approved example
    created = add(
        client, owner, ready, {"question": "Revenue of each sales channel", "sql": REVENUE_SQL + ";"}
    )
    assert created.status_code == 201, created.text
    assert created.json()["sql"] == REVENUE_SQL and created.json()["source"] == "manual"
    # WHEN a near question is asked
    llm.script(
        Completion(text=json.dumps({"kind": "data", "reply": None, "search": "revenue channel"})),
        Completion(text=json.dumps({"sql": REVENUE_SQL, "explanation": "Sums per channel."})),
        Completion(text="Web leads."),
    )
    client.post(
        f"/v1/connections/{ready['id']}/chat",
        headers=bearer(owner),
        json={"question": "How much did each channel sell?"},
    )
    # THEN the model saw it among the approved examples
    prompt = llm.requests[1].body["messages"][0]["content"]
    assert (
        "Approved examples:" in prompt and f"Q: Revenue of each sales channel\nSQL: {REVENUE_SQL}" in prompt
    )
    listed = client.get(f"/v1/connections/{ready['id']}/examples", headers=bearer(owner)).json()
    assert [item["question"] for item in listed["items"]] == ["Revenue of each sales channel"]


@pytest.mark.parametrize(
    ("sql", "reason"),
    [
        ("DELETE FROM orders", "The SQL is refused: only SELECT"),
        ("SELECT 1; DROP TABLE orders", "exactly one statement"),
        ("SELECT nothing FROM orders", 'The SQL did not run: column "nothing" does not exist'),
    ],
)
def test_an_example_that_is_refused_or_fails_is_422(client, ready, owner, sql, reason):
    response = add(client, owner, ready, {"question": "Anything", "sql": sql})
    assert response.status_code == 422 and reason in response.json()["detail"]


def test_an_approved_chat_answer_becomes_an_example(client, llm, ready, owner):
    llm.script(
        Completion(text=json.dumps({"kind": "data", "reply": None, "search": "orders"})),
        Completion(text=json.dumps({"sql": REVENUE_SQL, "explanation": "Sums."})),
        Completion(text="Web leads."),
    )
    answer = client.post(
        f"/v1/connections/{ready['id']}/chat",
        headers=bearer(owner),
        json={"question": "Revenue per channel?"},
    ).json()["message"]
    created = add(client, owner, ready, {"message_id": answer["id"]})
    assert created.status_code == 201, created.text
    assert (created.json()["question"], created.json()["sql"], created.json()["source"]) == (
        "Revenue per channel?",
        REVENUE_SQL,
        "chat",
    )
    assert created.json()["message_id"] == answer["id"]


def test_an_answer_without_sql_that_ran_cannot_be_approved(client, llm, ready, owner):
    llm.script(Completion(text=json.dumps({"kind": "chat", "reply": "Hello!", "search": ""})))
    greeting = client.post(
        f"/v1/connections/{ready['id']}/chat", headers=bearer(owner), json={"question": "Hi"}
    ).json()["message"]
    assert add(client, owner, ready, {"message_id": greeting["id"]}).status_code == 422
    assert add(client, owner, ready, {"message_id": str(uuid.uuid4())}).status_code == 404


def test_examples_are_deleted_and_only_owners_manage_them(client, ready, owner):
    example = add(client, owner, ready, {"question": "Revenue per channel", "sql": REVENUE_SQL}).json()
    viewer = signup(client)
    client.post(
        f"/v1/connections/{ready['id']}/shares",
        headers=bearer(owner),
        json={"user_id": viewer["user"]["id"], "permission": "view"},
    )
    assert client.get(f"/v1/connections/{ready['id']}/examples", headers=bearer(viewer)).json()["total"] == 1
    assert add(client, viewer, ready, {"question": "Q", "sql": REVENUE_SQL}).status_code == 403
    path = f"/v1/connections/{ready['id']}/examples/{example['id']}"
    assert client.delete(path, headers=bearer(viewer)).status_code == 403
    assert client.delete(path, headers=bearer(owner)).status_code == 204
    assert client.delete(path, headers=bearer(owner)).status_code == 404
