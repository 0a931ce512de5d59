"""System statistics over a period, for holders of system:read."""

from datetime import timedelta
from decimal import Decimal

from shared.config import get_utc_now
from shared.llm.models import UsageMetric
from tests.accounts import bearer, signup
from tests.admins import admin_with
from tests.factories import make_execution, make_workflow


def test_stats_count_accounts_runs_usage_and_content_of_the_period(client, db):
    # GIVEN an analyst, a member with a workflow, two runs (one failed) and metered model usage
    analyst = admin_with(client, db, "system:read")
    member = signup(client)
    from shared.users.models import User

    owner = db.get(User, member["user"]["id"])
    workflow = make_workflow(db, owner)
    make_execution(db, workflow, status="completed")
    make_execution(db, workflow, status="failed")
    db.add(
        UsageMetric(
            user_id=owner.id,
            session_type="execution",
            session_id="s1",
            model="test-chat",
            provider="platform",
            prompt_tokens=100,
            completion_tokens=50,
            credits=Decimal("0.2"),
            calls=2,
        )
    )
    db.flush()
    # WHEN the analyst reads the stats of the last day
    since = (get_utc_now() - timedelta(days=1)).isoformat()
    response = client.get("/v1/admin/stats", headers=bearer(analyst), params={"since": since})
    # THEN every figure counts what was made
    assert response.status_code == 200, response.text
    stats = response.json()
    assert stats["users"]["new"] >= 2 and stats["users"]["signed_in"] >= 2
    assert stats["users"]["active"] + stats["users"]["disabled"] == stats["users"]["total"]
    assert stats["runs_by_status"]["completed"] >= 1 and stats["runs_by_status"]["failed"] >= 1
    usage = [row for row in stats["usage"] if row["model"] == "test-chat"]
    assert usage[0]["prompt_tokens"] >= 100 and usage[0]["calls"] >= 2
    assert usage[0]["day"] == get_utc_now().strftime("%Y-%m-%d")
    assert Decimal(stats["credits_granted"]) >= Decimal(0)
    assert stats["workflows"]["new"] >= 1
    assert set(stats["linked_accounts"]) == {"github", "wechat"}
    assert {"agents", "conversations", "messages", "scheduled_workflows"} <= set(stats)


def test_a_period_that_ends_before_it_starts_is_422(client, db):
    analyst = admin_with(client, db, "system:read")
    now = get_utc_now()
    params = {"since": now.isoformat(), "until": (now - timedelta(days=1)).isoformat()}
    assert client.get("/v1/admin/stats", headers=bearer(analyst), params=params).status_code == 422


def test_stats_need_system_read(client, db):
    assert client.get("/v1/admin/stats").status_code == 401
    other = admin_with(client, db, "users:read")
    assert client.get("/v1/admin/stats", headers=bearer(other)).status_code == 403
