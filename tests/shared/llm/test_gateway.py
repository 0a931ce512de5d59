"""The one path to a model: resolved, held, called, settled (or released), metered."""

from decimal import Decimal

import pytest
from sqlalchemy import select

from shared.config import settings
from shared.errors import InvalidInputError, PaymentRequiredError
from shared.llm import client, credits, gateway, keys
from shared.llm.models import CreditHold, UsageMetric
from shared.llm.offers import LLMNotConfiguredError
from tests.conftest import TEST_MODEL
from tests.factories import make_user
from tests.fakes.llm_provider import Completion

MESSAGES = [{"role": "user", "content": "Summarise the week"}]


def caller_of(user) -> gateway.Caller:  # type: ignore[no-untyped-def]
    return gateway.Caller(user_id=user.id, session_type="execution", session_id="run-1")


def test_a_call_is_charged_exactly_the_formula_bonus_first_and_metered(db, llm):
    # GIVEN 1 credit and 0.5 bonus credits; the model costs 1 per 1k prompt and 2 per 1k completion tokens
    user = make_user(db, credits=Decimal("1"), bonus_credits=Decimal("0.5"))
    llm.script(Completion(text="A calm week.", prompt_tokens=120, completion_tokens=35))
    # WHEN a call is made
    answer = gateway.complete(db, caller=caller_of(user), messages=MESSAGES, max_tokens=200)
    # THEN it costs 120/1000·1 + 35/1000·2 = 0.19, paid from the bonus credits
    assert (answer.text, answer.credits, answer.model) == ("A calm week.", Decimal("0.19"), TEST_MODEL)
    assert credits.balances(db, user.id) == credits.Balances(Decimal("1"), Decimal("0.31"))
    [metric] = db.scalars(select(UsageMetric).where(UsageMetric.user_id == user.id))
    assert (metric.session_type, metric.session_id, metric.model) == ("execution", "run-1", TEST_MODEL)
    assert (metric.prompt_tokens, metric.completion_tokens, metric.credits, metric.calls) == (
        120,
        35,
        Decimal("0.19"),
        1,
    )
    [request] = llm.requests
    assert request.api_key == "sk-platform-test" and request.body["max_tokens"] == 200


def test_calls_of_one_session_and_model_add_up_in_one_row(db, llm):
    user = make_user(db, credits=Decimal("5"))
    llm.script(Completion(text="ok", prompt_tokens=100, completion_tokens=100))
    for _ in range(3):
        gateway.complete(db, caller=caller_of(user), messages=MESSAGES, max_tokens=100)
    [metric] = db.scalars(select(UsageMetric).where(UsageMetric.user_id == user.id))
    assert (metric.prompt_tokens, metric.completion_tokens, metric.credits, metric.calls) == (
        300,
        300,
        Decimal("0.9"),
        3,
    )


def test_without_enough_credits_the_call_is_402_and_never_made(db, llm):
    user = make_user(db, credits=Decimal("0.01"))
    with pytest.raises(PaymentRequiredError):
        gateway.complete(db, caller=caller_of(user), messages=MESSAGES, max_tokens=1000)
    assert llm.requests == []


def test_a_provider_that_stays_down_fails_the_call_and_releases_the_hold(db, llm):
    user = make_user(db, credits=Decimal("3"))
    llm.script(Completion(status=503, error="overloaded"))
    with pytest.raises(client.ProviderUnavailable, match="HTTP 503"):
        gateway.complete(db, caller=caller_of(user), messages=MESSAGES, max_tokens=100)
    assert credits.balances(db, user.id).total == Decimal("3")
    assert db.scalars(select(CreditHold).where(CreditHold.user_id == user.id)).all() == []
    assert len(llm.requests) == settings.LLM_MAX_RETRIES + 1


def test_a_model_that_is_not_offered_is_422(db, llm):
    user = make_user(db, credits=Decimal("3"))
    with pytest.raises(InvalidInputError, match="not offered"):
        gateway.complete(db, caller=caller_of(user), messages=MESSAGES, model="gpt-9")


def test_without_a_platform_key_llm_features_are_unavailable_naming_the_settings(db, llm, monkeypatch):
    monkeypatch.setattr(settings, "LLM_API_KEY", None)
    user = make_user(db, credits=Decimal("3"))
    with pytest.raises(LLMNotConfiguredError, match="LLM_BASE_URL and LLM_API_KEY"):
        gateway.complete(db, caller=caller_of(user), messages=MESSAGES)


def test_the_users_own_key_reaches_the_provider_and_costs_nothing(db, llm, monkeypatch):
    # GIVEN a user without credits who stored their own key for a provider on loopback (allowed here)
    monkeypatch.setattr(settings, "OUTBOUND_ALLOWED_HOSTS", ["127.0.0.1"])
    user = make_user(db)
    keys.put_key(db, user_id=user.id, provider="custom", api_key="sk-users-own", base_url=llm.base_url)
    llm.script(Completion(text="on your key", prompt_tokens=1000, completion_tokens=1000))
    # WHEN they call any model of that provider
    answer = gateway.complete(
        db, caller=caller_of(user), messages=MESSAGES, model="their-model", provider="custom"
    )
    # THEN their key was sent, nothing was charged, and the usage is metered at 0 credits
    assert llm.requests[0].api_key == "sk-users-own" and llm.requests[0].body["model"] == "their-model"
    assert (answer.text, answer.credits) == ("on your key", Decimal(0))
    [metric] = db.scalars(select(UsageMetric).where(UsageMetric.user_id == user.id))
    assert (metric.model, metric.provider, metric.credits, metric.prompt_tokens) == (
        "their-model",
        "custom",
        Decimal(0),
        1000,
    )


def test_a_provider_without_a_key_of_the_users_is_422(db, llm):
    user = make_user(db)
    with pytest.raises(InvalidInputError, match="PUT /v1/users/me/llm-keys/openai"):
        gateway.complete(db, caller=caller_of(user), messages=MESSAGES, model="gpt-4o", provider="openai")
