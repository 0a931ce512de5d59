"""Sharing: a `chat` share asks and reads its own sessions, `view` also reads the insights, statistics,
schema search, examples and the sessions others made public, `owner` also edits and re-shares; only the
owner deletes; everyone else gets a 404. Sessions shared publicly are read anonymously until unshared."""

import json

import pytest

from tests.accounts import bearer, signup
from tests.fakes.llm_provider import Completion

pytestmark = pytest.mark.usefixtures("aws")
STATUS_SQL = "SELECT status, count(*) AS orders FROM public.orders GROUP BY status ORDER BY orders DESC"


def script_a_good_answer(llm) -> None:  # type: ignore[no-untyped-def]
    llm.script(
        Completion(text=json.dumps({"kind": "data", "reply": None, "search": "orders"})),
        Completion(text=json.dumps({"sql": STATUS_SQL, "explanation": "Counts them."})),
        Completion(text="Six statuses."),
    )


def share(client, owner, connection, user, permission: str):  # type: ignore[no-untyped-def]
    return client.post(
        f"/v1/connections/{connection['id']}/shares",
        headers=bearer(owner),
        json={"email": user["user"]["email"], "permission": permission},
    )


def ask(client, account, connection, question: str = "Orders by status?", **body):  # type: ignore[no-untyped-def]
    return client.post(
        f"/v1/connections/{connection['id']}/chat",
        headers=bearer(account),
        json={"question": question, **body},
    )


@pytest.fixture
def sharees(client, ready, owner):  # type: ignore[no-untyped-def]
    """Users holding a chat, a view and an owner share of the owner's ready connection."""
    accounts = {permission: signup(client) for permission in ("chat", "view", "owner")}
    for permission, account in accounts.items():
        assert share(client, owner, ready, account, permission).status_code == 201
    return accounts


def test_shares_are_listed_changed_and_ended(client, ready, owner, sharees):
    listed = client.get(f"/v1/connections/{ready['id']}/shares", headers=bearer(owner)).json()
    assert sorted(item["permission"] for item in listed) == ["chat", "owner", "view"]
    changed = share(client, owner, ready, sharees["chat"], "view")
    assert changed.status_code == 200 and changed.json()["permission"] == "view"
    user_id = sharees["chat"]["user"]["id"]
    assert (
        client.delete(f"/v1/connections/{ready['id']}/shares/{user_id}", headers=bearer(owner)).status_code
        == 204
    )
    assert client.get(f"/v1/connections/{ready['id']}", headers=bearer(sharees["chat"])).status_code == 404
    assert (
        client.delete(f"/v1/connections/{ready['id']}/shares/{user_id}", headers=bearer(owner)).status_code
        == 404
    )


def test_sharing_with_yourself_the_owner_or_an_unknown_user_is_422(client, ready, owner, sharees):
    me = share(client, owner, ready, owner, "chat")
    assert me.status_code == 422 and "yourself" in me.json()["detail"]
    unknown = client.post(
        f"/v1/connections/{ready['id']}/shares",
        headers=bearer(owner),
        json={"email": "nobody@example.com", "permission": "chat"},
    )
    assert unknown.status_code == 422 and "no such user" in unknown.json()["detail"]
    back_to_owner = share(client, sharees["owner"], ready, owner, "view")
    assert back_to_owner.status_code == 422
    two_names = client.post(
        f"/v1/connections/{ready['id']}/shares",
        headers=bearer(owner),
        json={"email": "a@example.com", "username": "a", "permission": "chat"},
    )
    assert two_names.status_code == 422
    bad_permission = client.post(
        f"/v1/connections/{ready['id']}/shares",
        headers=bearer(owner),
        json={"user_id": sharees["chat"]["user"]["id"], "permission": "admin"},
    )
    assert bad_permission.status_code == 422


def test_the_list_shows_shared_connections_with_the_callers_permission(client, ready, sharees):
    for permission, account in sharees.items():
        [item] = client.get("/v1/connections", headers=bearer(account)).json()["items"]
        assert (item["id"], item["permission"]) == (ready["id"], permission)
        assert "password" not in item


# what each caller may do: (method, path suffix, body) → status for chat, view, owner share, the owner
RULES = [
    ("GET", "", None, (200, 200, 200, 200)),
    ("GET", "/insights", None, (403, 200, 200, 200)),
    ("GET", "/stats", None, (403, 200, 200, 200)),
    ("GET", "/schema-search?q=orders", None, (403, 200, 200, 200)),
    ("GET", "/examples", None, (403, 200, 200, 200)),
    ("GET", "/shares", None, (403, 403, 200, 200)),
    ("POST", "/test", None, (403, 403, 200, 200)),
    ("PATCH", "", {"description": "Edited"}, (403, 403, 200, 200)),
    ("POST", "/reanalyze", None, (403, 403, 202, 202)),
    ("DELETE", "", None, (403, 403, 403, 204)),
]


@pytest.mark.parametrize(
    ("method", "suffix", "body", "expected"), RULES, ids=[f"{m} {s}" for m, s, _, _ in RULES]
)
def test_each_permission_opens_what_it_should(client, ready, owner, sharees, method, suffix, body, expected):
    callers = [sharees["chat"], sharees["view"], sharees["owner"], owner]
    statuses = []  # a 202 (re-analysis queued) or a 204 (deleted) ends the round: the next would conflict
    for caller in callers:
        response = client.request(
            method, f"/v1/connections/{ready['id']}{suffix}", headers=bearer(caller), json=body
        )
        statuses.append(response.status_code)
        if response.status_code in (202, 204):
            break
    assert tuple(statuses) == expected[: len(statuses)]


def test_an_owner_share_may_re_share(client, ready, sharees):
    newcomer = signup(client)
    assert share(client, sharees["owner"], ready, newcomer, "chat").status_code == 201
    assert share(client, sharees["view"], ready, newcomer, "owner").status_code == 403


def test_a_sharee_may_leave(client, ready, sharees):
    user_id = sharees["view"]["user"]["id"]
    response = client.delete(
        f"/v1/connections/{ready['id']}/shares/{user_id}", headers=bearer(sharees["view"])
    )
    assert response.status_code == 204
    other = sharees["chat"]["user"]["id"]
    refused = client.delete(f"/v1/connections/{ready['id']}/shares/{other}", headers=bearer(sharees["owner"]))
    assert refused.status_code == 204  # an owner share ends others' shares


def test_a_chat_share_asks_and_reads_only_its_own_sessions(client, llm, ready, owner, sharees):
    script_a_good_answer(llm)
    mine = ask(client, owner, ready).json()["session_id"]
    script_a_good_answer(llm)
    theirs = ask(client, sharees["chat"], ready)
    assert theirs.status_code == 200 and theirs.json()["message"]["row_count"] == 6
    listed = client.get(
        f"/v1/connections/{ready['id']}/chat-sessions", headers=bearer(sharees["chat"])
    ).json()
    assert [item["id"] for item in listed["items"]] == [theirs.json()["session_id"]]
    path = f"/v1/connections/{ready['id']}/chat-sessions/{mine}"
    assert client.get(path, headers=bearer(sharees["chat"])).status_code == 404
    script_a_good_answer(llm)
    assert ask(client, sharees["chat"], ready, session_id=mine).status_code == 404  # never someone else's


def test_public_sessions_are_read_by_view_shares_and_anonymously_until_unshared(
    client, llm, ready, owner, sharees
):
    # GIVEN the owner's answered session, shared publicly
    script_a_good_answer(llm)
    session_id = ask(client, owner, ready).json()["session_id"]
    base = f"/v1/connections/{ready['id']}/chat-sessions/{session_id}"
    shared = client.post(f"{base}/share", headers=bearer(owner), json={"is_public": True})
    assert shared.status_code == 200, shared.text
    token = shared.json()["share_token"]
    assert len(token) >= 43 and shared.json()["share_url"].endswith(f"/shared-chats/{token}")
    again = client.post(f"{base}/share", headers=bearer(owner), json={"is_public": True}).json()
    assert again["share_token"] == token  # the same link while it stays shared
    assert client.get(base, headers=bearer(owner)).json()["share_token"] == token
    # THEN anyone with the token reads it, without any account details
    public = client.get(f"/v1/shared-chats/{token}")
    assert public.status_code == 200
    body = public.json()
    assert body["connection_name"] == "Shop" and body["title"] == "Orders by status?"
    assert [m["role"] for m in body["messages"]] == ["user", "assistant"]
    assert body["messages"][1]["rows"][0] == ["delivered", 1386]
    assert owner["user"]["id"] not in public.text and owner["user"]["email"] not in public.text
    # AND a view share sees it among the sessions and reads it (without its token); a chat share does not
    viewed = client.get(base, headers=bearer(sharees["view"]))
    assert viewed.status_code == 200 and viewed.json()["share_token"] is None
    assert client.get(base, headers=bearer(sharees["chat"])).status_code == 404
    assert (
        client.post(f"{base}/share", headers=bearer(sharees["view"]), json={"is_public": False}).status_code
        == 403
    )
    assert client.delete(base, headers=bearer(sharees["view"])).status_code == 403
    # WHEN it is unshared THEN the link is a 404, and sharing again makes a new one
    off = client.post(f"{base}/share", headers=bearer(owner), json={"is_public": False}).json()
    assert off == {"is_public": False, "share_token": None, "share_url": None}
    assert client.get(f"/v1/shared-chats/{token}").status_code == 404
    assert client.get(base, headers=bearer(sharees["view"])).status_code == 404
    renewed = client.post(f"{base}/share", headers=bearer(owner), json={"is_public": True}).json()[
        "share_token"
    ]
    assert renewed != token and client.get(f"/v1/shared-chats/{renewed}").status_code == 200


def test_an_unknown_share_token_is_404(client):
    assert client.get("/v1/shared-chats/not-a-token").status_code == 404


def test_sessions_are_listed_read_and_deleted(client, llm, ready, owner):
    script_a_good_answer(llm)
    first = ask(client, owner, ready).json()
    script_a_good_answer(llm)
    ask(client, owner, ready, "And again?", session_id=first["session_id"])
    base = f"/v1/connections/{ready['id']}/chat-sessions"
    listed = client.get(base, headers=bearer(owner)).json()
    assert listed["total"] == 1 and listed["items"][0]["title"] == "Orders by status?"
    detail = client.get(f"{base}/{first['session_id']}", headers=bearer(owner)).json()
    assert [m["role"] for m in detail["messages"]] == ["user", "assistant", "user", "assistant"]
    assert client.delete(f"{base}/{first['session_id']}", headers=bearer(owner)).status_code == 204
    assert client.get(f"{base}/{first['session_id']}", headers=bearer(owner)).status_code == 404


def test_the_sql_history_is_the_callers_own_and_everyones_for_owners(client, llm, ready, owner, sharees):
    script_a_good_answer(llm)
    ask(client, owner, ready, "Owner's question")
    script_a_good_answer(llm)
    ask(client, sharees["chat"], ready, "Sharee's question")
    history = f"/v1/connections/{ready['id']}/sql-history"
    mine = client.get(history, headers=bearer(sharees["chat"])).json()
    assert [item["question"] for item in mine["items"]] == ["Sharee's question"]
    everyone = client.get(history, headers=bearer(owner)).json()
    assert [item["question"] for item in everyone["items"]] == ["Sharee's question", "Owner's question"]
    assert everyone["items"][0]["sql_query"] == STATUS_SQL and everyone["items"][0]["row_count"] == 6
    assert client.get(history, headers=bearer(sharees["owner"])).json()["total"] == 2
