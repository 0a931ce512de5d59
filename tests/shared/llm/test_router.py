"""The gateway's routes: models offered, balances and ledger, usage, personal keys, admin grants."""

import uuid
from decimal import Decimal

from sqlalchemy import select, update

from shared.llm import gateway
from shared.llm.models import ProviderKey
from shared.users.models import User
from tests.accounts import bearer, signup
from tests.conftest import TEST_MODEL
from tests.fakes.llm_provider import Completion


def test_the_models_offered_are_listed_with_prices_and_no_keys(client, llm):
    body = client.get("/v1/llm/models").json()
    assert body["default_model"] == TEST_MODEL
    assert body["items"] == [
        {
            "name": TEST_MODEL,
            "prompt_price": 1.0,
            "completion_price": 2.0,
            "supports_tools": True,
            "context_window": 8000,
            "default": True,
        }
    ]
    assert "sk-platform-test" not in str(body) and llm.base_url not in str(body)


def test_a_new_account_starts_with_the_signup_bonus_in_its_balances_and_ledger(client):
    account = signup(client)
    assert client.get("/v1/users/me/credits", headers=bearer(account)).json() == {
        "credits": 0.0,
        "bonus_credits": 100.0,
    }
    [entry] = client.get("/v1/users/me/credits/transactions", headers=bearer(account)).json()["items"]
    assert (entry["kind"], entry["bonus_amount"], entry["bonus_credits_after"]) == (
        "bonus_grant",
        100.0,
        100.0,
    )
    assert entry["note"] == "signup bonus"


def test_usage_is_reported_per_day_and_per_model(client, db, llm):
    account = signup(client)
    user = db.get(User, uuid.UUID(account["user"]["id"]))
    llm.script(Completion(text="ok", prompt_tokens=1000, completion_tokens=500))
    for session_id in ("a", "b"):
        gateway.complete(
            db,
            caller=gateway.Caller(user_id=user.id, session_type="execution", session_id=session_id),
            messages=[{"role": "user", "content": "hi"}],
            max_tokens=600,
        )
    by_model = client.get("/v1/users/me/usage?group_by=model", headers=bearer(account)).json()
    assert by_model["items"] == [
        {
            "day": None,
            "model": TEST_MODEL,
            "user_id": None,
            "prompt_tokens": 2000,
            "completion_tokens": 1000,
            "credits": 4.0,
            "calls": 2,
        }
    ]
    by_day = client.get("/v1/users/me/usage", headers=bearer(account)).json()
    assert len(by_day["items"]) == 1 and by_day["total"]["credits"] == 4.0
    assert client.get("/v1/users/me/usage?model=other", headers=bearer(account)).json()["items"] == []
    bad_period = "/v1/users/me/usage?since=2026-11-30T00:00:00Z&until=2026-11-29T00:00:00Z"
    assert client.get(bad_period, headers=bearer(account)).status_code == 422


def test_a_personal_key_is_stored_encrypted_and_never_shown(client, db):
    account = signup(client)
    put = client.put(
        "/v1/users/me/llm-keys/openai", headers=bearer(account), json={"api_key": "sk-mine-1234567890"}
    )
    assert put.status_code == 201 and "sk-mine" not in put.text
    again = client.put("/v1/users/me/llm-keys/openai", headers=bearer(account), json={"api_key": "sk-mine-2"})
    assert again.status_code == 200
    [listed] = client.get("/v1/users/me/llm-keys", headers=bearer(account)).json()
    assert (listed["provider"], listed["base_url"], listed["configured"]) == ("openai", None, True)
    stored = db.scalar(select(ProviderKey.api_key_encrypted))
    assert "sk-mine" not in stored
    assert client.delete("/v1/users/me/llm-keys/openai", headers=bearer(account)).status_code == 204
    assert client.delete("/v1/users/me/llm-keys/openai", headers=bearer(account)).status_code == 404


def test_a_personal_key_for_an_unknown_provider_or_a_private_base_url_is_422(client):
    account = signup(client)
    unknown = client.put("/v1/users/me/llm-keys/acme", headers=bearer(account), json={"api_key": "k"})
    assert unknown.status_code == 422
    for base_url in ("http://169.254.169.254/latest", "http://127.0.0.1:11434/v1", "http://10.0.0.8/v1"):
        refused = client.put(
            "/v1/users/me/llm-keys/custom",
            headers=bearer(account),
            json={"api_key": "k", "base_url": base_url},
        )
        assert refused.status_code == 422 and "not a public address" in refused.json()["detail"]
    missing = client.put("/v1/users/me/llm-keys/custom", headers=bearer(account), json={"api_key": "k"})
    assert missing.status_code == 422 and "base_url" in missing.json()["detail"]


def test_superusers_grant_credits_members_cannot(client, superuser):
    member = signup(client)
    url = f"/v1/admin/users/{member['user']['id']}/credits"
    assert client.post(url, headers=bearer(member), json={"amount": 5, "note": "me"}).status_code == 403
    granted = client.post(url, headers=bearer(superuser), json={"amount": 12.5, "note": "pilot user"})
    assert granted.status_code == 201
    body = granted.json()
    assert (body["credits"], body["bonus_credits"]) == (12.5, 100.0)
    assert [t["kind"] for t in body["transactions"]] == ["grant"]
    assert body["transactions"][0]["actor_id"] == superuser["user"]["id"]
    taken = client.post(url, headers=bearer(superuser), json={"bonus_amount": -100, "note": "expired"})
    assert taken.json()["bonus_credits"] == 0.0


def test_bad_grants_are_refused(client, superuser, db):
    member = signup(client)
    url = f"/v1/admin/users/{member['user']['id']}/credits"
    cases = [
        {"amount": 1, "note": ""},
        {"note": "nothing to grant"},
        {"amount": 0, "bonus_amount": 0, "note": "zeros"},
        {"amount": 1.00001, "note": "over-precise"},
        {"amount": -1, "note": "below zero"},
    ]
    for body in cases:
        assert client.post(url, headers=bearer(superuser), json=body).status_code == 422, body
    unknown = client.post(
        f"/v1/admin/users/{uuid.uuid4()}/credits", headers=bearer(superuser), json={"amount": 1, "note": "x"}
    )
    assert unknown.status_code == 404
    balance = db.scalar(select(User.credits).where(User.id == uuid.UUID(member["user"]["id"])))
    assert balance == Decimal(0)


def test_superusers_read_everyones_usage_grouped_by_user(client, superuser, db, llm):
    member = signup(client)
    user_id = uuid.UUID(member["user"]["id"])
    db.execute(update(User).where(User.id == user_id).values(credits=Decimal("10")))
    llm.script(Completion(text="ok", prompt_tokens=1000, completion_tokens=0))
    gateway.complete(
        db,
        caller=gateway.Caller(user_id=user_id, session_type="conversation", session_id="c1"),
        messages=[{"role": "user", "content": "hi"}],
        max_tokens=10,
    )
    report = client.get(f"/v1/admin/usage?group_by=user&user_id={user_id}", headers=bearer(superuser)).json()
    assert [(row["user_id"], row["credits"], row["calls"]) for row in report["items"]] == [
        (str(user_id), 1.0, 1)
    ]
    assert client.get("/v1/admin/usage", headers=bearer(member)).status_code == 403
