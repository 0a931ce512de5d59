"""The llm node goes through the LLM gateway: charged to the run's owner, metered to the execution."""

import itertools
from decimal import Decimal

from sqlalchemy import select

from shared.config import settings
from shared.llm import credits, keys
from shared.llm.models import CreditTransaction, UsageMetric
from tests.conftest import TEST_MODEL
from tests.fakes.llm_provider import Completion, rate_limited
from tests.graphs import edge, graph, node


def chain(*nodes_after_input: dict) -> dict:
    ids = ["in"] + [n["id"] for n in nodes_after_input]
    return graph([node("in", "input"), *nodes_after_input], [edge(a, b) for a, b in itertools.pairwise(ids)])


def fund(runnable, credit: str = "0", bonus: str = "0") -> None:  # type: ignore[no-untyped-def]
    runnable.user.credits, runnable.user.bonus_credits = Decimal(credit), Decimal(bonus)
    runnable.db.flush()


def test_an_llm_run_is_charged_the_formula_bonus_first_and_shows_its_usage_everywhere(runnable, llm):
    # GIVEN an owner with 3 credits and 0.05 bonus credits, and a workflow of two llm nodes
    fund(runnable, "3", "0.05")
    llm.script(
        Completion(text="Paris.", prompt_tokens=40, completion_tokens=10),
        Completion(text="Yes.", prompt_tokens=30, completion_tokens=5),
    )
    workflow = runnable.workflow(
        chain(
            node("ask", "llm", prompt="Capital of {{ input.country }}?", max_tokens=50),
            node("check", "llm", prompt="Is {{ nodes.ask.text }} right?", temperature=0),
            node("out", "output", values={"answer": "{{ nodes.ask.text }}"}),
        ),
        system_prompt="You answer in one word.",
        temperature=0.3,
        llm_model=TEST_MODEL,
    )
    # WHEN it runs
    execution = runnable.run(runnable.execution(workflow, {"country": "France"}))
    # THEN each call cost prompt/1000·1 + completion/1000·2: 0.06 and 0.04, bonus credits first
    assert execution.status == "completed", execution.error_message
    assert execution.output_data == {"answer": "Paris."}
    assert (execution.token_usage, execution.credits_used, execution.total_api_calls) == (
        85,
        Decimal("0.1"),
        2,
    )
    assert credits.balances(runnable.db, runnable.user.id) == credits.Balances(Decimal("2.95"), Decimal("0"))
    first = llm.requests[0].body
    assert (first["model"], first["temperature"], first["max_tokens"]) == (TEST_MODEL, 0.3, 50)
    assert first["messages"] == [
        {"role": "system", "content": "You answer in one word."},
        {"role": "user", "content": "Capital of France?"},
    ]
    assert llm.requests[1].body["max_tokens"] == settings.LLM_DEFAULT_MAX_TOKENS
    ask_log = next(e for e in execution.execution_log if e["node_id"] == "ask")
    assert ask_log["output"]["usage"] == {"prompt_tokens": 40, "completion_tokens": 10, "credits": 0.06}
    [metric] = runnable.db.scalars(select(UsageMetric).where(UsageMetric.session_id == str(execution.id)))
    assert (metric.session_type, metric.calls, metric.credits) == ("execution", 2, Decimal("0.1"))
    consumed = runnable.db.scalars(
        select(CreditTransaction.bonus_amount + CreditTransaction.amount).where(
            CreditTransaction.reference == f"execution:{execution.id}", CreditTransaction.kind == "consume"
        )
    ).all()
    assert sorted(consumed) == [Decimal("-0.06"), Decimal("-0.04")]


def test_without_a_platform_key_the_node_fails_naming_the_settings(runnable, llm, monkeypatch):
    monkeypatch.setattr(settings, "LLM_API_KEY", None)
    fund(runnable, "5")
    execution = runnable.run(
        runnable.execution(runnable.workflow(chain(node("ask", "llm", prompt="hi")), llm_model=TEST_MODEL))
    )
    assert execution.status == "failed"
    assert "No model provider is configured: set LLM_BASE_URL and LLM_API_KEY" in execution.error_message


def test_a_rate_limit_is_waited_out_inside_the_call(runnable, llm):
    fund(runnable, "5")
    llm.script(rate_limited("0"), Completion(text="ok"))
    workflow = runnable.workflow(chain(node("ask", "llm", prompt="hi")), llm_model=TEST_MODEL)
    assert runnable.run(runnable.execution(workflow)).status == "completed"
    assert len(llm.requests) == 2


def test_the_llm_down_fails_the_node_clearly_and_charges_nothing(runnable, llm):
    fund(runnable, "5")
    llm.script(Completion(status=502, error="bad gateway"))
    workflow = runnable.workflow(chain(node("ask", "llm", prompt="hi")), llm_model=TEST_MODEL)
    execution = runnable.run(runnable.execution(workflow))
    assert execution.status == "failed"
    assert execution.error_message.startswith("node 'ask' (llm): ")
    assert "answered HTTP 502" in execution.error_message
    assert credits.balances(runnable.db, runnable.user.id).total == Decimal("5")


def test_an_owner_without_credits_gets_a_failed_node_that_says_so(runnable, llm):
    workflow = runnable.workflow(chain(node("ask", "llm", prompt="hi")), llm_model=TEST_MODEL)
    execution = runnable.run(runnable.execution(workflow))
    assert execution.status == "failed" and "Not enough credits" in execution.error_message
    assert llm.requests == []


def test_a_workflow_on_the_owners_own_key_costs_nothing(runnable, llm, monkeypatch):
    monkeypatch.setattr(settings, "OUTBOUND_ALLOWED_HOSTS", ["127.0.0.1"])
    keys.put_key(
        runnable.db, user_id=runnable.user.id, provider="custom", api_key="sk-own", base_url=llm.base_url
    )
    llm.script(Completion(text="free", prompt_tokens=5000, completion_tokens=5000))
    workflow = runnable.workflow(
        chain(node("ask", "llm", prompt="hi")), llm_model="their-model", llm_provider="custom"
    )
    execution = runnable.run(runnable.execution(workflow))
    assert execution.status == "completed", execution.error_message
    assert (execution.credits_used, execution.token_usage) == (Decimal(0), 10000)
    assert llm.requests[0].api_key == "sk-own"
