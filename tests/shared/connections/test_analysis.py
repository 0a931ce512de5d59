"""The analysis of a connection: the shop's every table becomes an insight with its columns classified
(and why), its keys, relationships and indexes, a document and its embedding; status and progress move
pending → analyzing → indexing → ready, a failure says why, people's descriptions survive re-analysis,
and maintenance queues old analyses again and fails stuck ones."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from shared.config import get_utc_now, settings
from shared.connections import analysis, insights
from shared.connections.models import ColumnMetadata, DatabaseConnection, TableInsight
from tests.accounts import bearer
from tests.shared.connections.conftest import SHOP_TABLES, create

pytestmark = pytest.mark.usefixtures("aws")


def insights_of(client, account, connection) -> dict:  # type: ignore[no-untyped-def]
    response = client.get(
        f"/v1/connections/{connection['id']}/insights", headers=bearer(account), params={"page_size": 100}
    )
    assert response.status_code == 200, response.text
    return {item["table_name"]: item for item in response.json()["items"]}


def column(table: dict, name: str) -> dict:
    return next(c for c in table["columns"] if c["name"] == name)


def test_the_analysis_reaches_ready_with_an_insight_for_every_table(client, db, owner, shop):
    # GIVEN a new connection to the shop: pending, its analysis queued
    connection = create(client, owner, shop.fields())
    assert (connection["status"], connection["analysis_progress"]) == ("pending", 0.0)
    # WHEN the worker analyses it
    assert analysis.run(db, connection["id"]) == "ready"
    # THEN it is ready, with an embedded insight for every table of the shop
    after = client.get(f"/v1/connections/{connection['id']}", headers=bearer(owner)).json()
    assert after["status"] == "ready" and after["analysis_progress"] == 100.0
    assert after["last_analyzed_at"] and after["server_version"].startswith("18")
    assert after["status_message"] == f"{SHOP_TABLES} tables and views analysed"
    tables = insights_of(client, owner, connection)
    assert len(tables) == SHOP_TABLES
    assert {"orders", "order_items", "customers", "products", "support_tickets"} <= set(tables)
    embedded = db.scalar(
        select(func.count()).where(
            TableInsight.connection_id == connection["id"], TableInsight.embedding.is_not(None)
        )
    )
    assert embedded == SHOP_TABLES
    orders = tables["orders"]
    assert orders["row_count"] == 2500 and orders["primary_key"] == ["id"]
    assert "customer_id" in orders["insight_document"] and "delivered" in orders["insight_document"]


def test_columns_are_classified_by_the_seeds_rules_with_their_reason(client, db, ready, owner):
    tables = insights_of(client, owner, ready)
    orders, customers, products = tables["orders"], tables["customers"], tables["products"]
    status = column(orders, "status")
    assert (status["semantic_type"], status["indexing_strategy"]) == ("categorical", "categorical")
    assert set(status["categorical_values"]) == {
        "pending",
        "paid",
        "shipped",
        "delivered",
        "cancelled",
        "refunded",
    }
    assert (
        status["distinct_count"] == 6
        and "within the category threshold of 100" in status["classification_reason"]
    )
    assert column(orders, "id")["semantic_type"] == "identifier"
    assert column(orders, "id")["classification_reason"] == "part of the primary key"
    assert column(orders, "customer_id")["classification_reason"] == "a foreign key to public.customers.id"
    assert column(orders, "ordered_at")["semantic_type"] == "temporal"
    assert column(orders, "total_amount")["semantic_type"] == "numeric"
    assert column(orders, "promotion_code")["null_count"] > 0
    name = column(products, "name")
    assert (name["semantic_type"], name["indexing_strategy"]) == ("free_text", "vector")
    assert "over the category threshold" in name["classification_reason"]
    assert column(customers, "email")["semantic_type"] == "identifier"  # a code: one value per row
    assert column(customers, "marketing_opt_in")["semantic_type"] == "categorical"
    assert len(column(products, "name")["sample_values"]) == 5


def test_keys_relationships_and_indexes_make_the_documents(client, ready, owner):
    tables = insights_of(client, owner, ready)
    orders, items = tables["orders"], tables["order_items"]
    assert {
        "columns": ["customer_id"],
        "schema": "public",
        "table": "customers",
        "ref_columns": ["id"],
    } in orders["foreign_keys"]
    assert {"schema": "public", "table": "order_items", "columns": ["order_id"]} in orders["referenced_by"]
    assert "ix_orders_customer_id" in {index["name"] for index in orders["indexes"]}
    assert items["purpose"].startswith("the order items of each order")
    assert (
        "one row per pair" in tables["inventory"]["purpose"]
        or "belonging to" in tables["inventory"]["purpose"]
    )
    assert "hierarchy" in tables["employees"]["purpose"]  # manager_id → employees
    assert orders["summary"].startswith("Orders: ") and "2,500 rows" in orders["summary"]


def test_progress_moves_through_the_statuses_to_100(client, db, owner, shop, monkeypatch):
    seen: list[tuple[str, float]] = []
    progress = analysis._progress

    def recording(session, connection, value, status=None):  # type: ignore[no-untyped-def]
        progress(session, connection, value, status)
        seen.append((connection.status, connection.analysis_progress))

    monkeypatch.setattr(analysis, "_progress", recording)
    connection = create(client, owner, shop.fields())
    analysis.run(db, connection["id"])
    statuses = [status for status, _ in seen]
    assert statuses[0] == "analyzing" and statuses[-1] == "indexing"
    values = [value for _, value in seen]
    assert values == sorted(values) and values[-1] == 80.0
    assert db.get(DatabaseConnection, connection["id"]).analysis_progress == 100.0


def test_a_failure_sets_error_with_the_reason(client, db, owner, shop):
    connection = create(client, owner, shop.fields(database="no_such_database"))
    assert analysis.run(db, connection["id"]) == "error"
    after = client.get(f"/v1/connections/{connection['id']}", headers=bearer(owner)).json()
    assert after["status"] == "error"
    assert 'database "no_such_database" does not exist' in after["status_message"]


def test_a_second_delivery_of_the_same_analysis_does_nothing(client, db, ready):
    assert analysis.run(db, ready["id"]) is None


def test_a_persons_description_is_re_embedded_and_kept_by_the_next_analysis(client, db, ready, owner):
    # GIVEN the analysed shop and its orders table
    orders = insights_of(client, owner, ready)["orders"]
    before = db.get(TableInsight, orders["id"]).embedding
    # WHEN its owner describes it
    description = "Purchases customers made in the web shop, one row per checkout"
    response = client.patch(
        f"/v1/connections/{ready['id']}/insights/{orders['id']}",
        headers=bearer(owner),
        json={"description": description},
    )
    # THEN the documents say so and the embedding changed
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["description"] == description and body["edited_at"]
    assert description in body["insight_document"] and description in body["summary"]
    assert list(db.get(TableInsight, orders["id"]).embedding) != list(before)
    # AND a new analysis keeps the description (and the insight's id)
    db.execute(
        update(DatabaseConnection).where(DatabaseConnection.id == ready["id"]).values(status="pending")
    )
    assert analysis.run(db, ready["id"]) == "ready"
    again = insights_of(client, owner, ready)["orders"]
    assert (again["id"], again["description"]) == (orders["id"], description)
    # AND null goes back to the guessed purpose
    reset = client.patch(
        f"/v1/connections/{ready['id']}/insights/{orders['id']}",
        headers=bearer(owner),
        json={"description": None},
    )
    assert reset.json()["description"] is None and orders["purpose"] in reset.json()["summary"]


def test_a_table_that_is_gone_loses_its_insight(client, db, ready, owner):
    connection = db.get(DatabaseConnection, ready["id"])
    ghost = TableInsight(connection_id=connection.id, schema_name="public", table_name="dropped_since")
    db.add(ghost)
    db.flush()
    db.add(ColumnMetadata(table_insight_id=ghost.id, position=1, column_name="x", data_type="int",
                          semantic_type="numeric", indexing_strategy="skip"))  # fmt: skip
    connection.status = "pending"
    db.flush()
    analysis.run(db, connection.id)
    assert db.get(TableInsight, ghost.id) is None


def test_statistics_count_what_the_analysis_found(client, ready, owner):
    stats = client.get(f"/v1/connections/{ready['id']}/stats", headers=bearer(owner)).json()
    assert stats["table_count"] == SHOP_TABLES and stats["status"] == "ready"
    assert stats["total_rows"] > 15_000
    assert stats["columns_by_type"]["identifier"] > 20 and stats["columns_by_type"]["categorical"] > 10
    assert stats["column_count"] == sum(stats["columns_by_type"].values())
    assert (stats["questions"], stats["queries_run"], stats["examples"]) == (0, 0, 0)


def test_reanalyze_is_accepted_then_conflicts_while_pending(client, db, ready, owner):
    first = client.post(f"/v1/connections/{ready['id']}/reanalyze", headers=bearer(owner))
    assert first.status_code == 202 and first.json()["status"] == "pending"
    second = client.post(f"/v1/connections/{ready['id']}/reanalyze", headers=bearer(owner))
    assert second.status_code == 409
    assert analysis.run(db, ready["id"]) == "ready"


def test_maintenance_queues_old_analyses_and_lost_ones_again(db, ready):
    old = get_utc_now() - timedelta(hours=settings.REANALYSIS_INTERVAL_HOURS + 1)
    db.execute(
        update(DatabaseConnection).where(DatabaseConnection.id == ready["id"]).values(last_analyzed_at=old)
    )
    assert analysis.queue_due(db) >= 1
    assert db.get(DatabaseConnection, ready["id"]).status == "pending"
    # a pending one whose message was lost is sent again too
    lost = get_utc_now() - timedelta(seconds=settings.PENDING_REQUEUE_AFTER_SECONDS + 1)
    db.execute(update(DatabaseConnection).where(DatabaseConnection.id == ready["id"]).values(updated_at=lost))
    assert analysis.queue_due(db) >= 1
    assert db.get(DatabaseConnection, ready["id"]).updated_at > lost


def test_maintenance_fails_an_analysis_whose_worker_died(db, ready):
    long_ago = get_utc_now() - timedelta(
        seconds=settings.ANALYSIS_TIMEOUT_SECONDS + settings.STUCK_RUNNING_GRACE_SECONDS + 1
    )
    db.execute(
        update(DatabaseConnection)
        .where(DatabaseConnection.id == ready["id"])
        .values(status="analyzing", analysis_started_at=long_ago)
    )
    assert analysis.fail_stuck(db) >= 1
    connection = db.get(DatabaseConnection, ready["id"])
    db.refresh(connection)
    assert connection.status == "error" and "worker ended" in connection.status_message


def test_an_analysis_past_its_time_stops_with_error(client, db, owner, shop, monkeypatch):
    monkeypatch.setattr(settings, "ANALYSIS_TIMEOUT_SECONDS", 0.0)
    connection = create(client, owner, shop.fields())
    assert analysis.run(db, connection["id"]) == "error"
    assert "took longer than" in db.get(DatabaseConnection, connection["id"]).status_message


def test_only_the_document_texts_are_embedded(db, ready):
    insight = db.scalar(
        select(TableInsight).where(
            TableInsight.connection_id == ready["id"], TableInsight.table_name == "orders"
        )
    )
    columns = insights.columns_by_insight(db, [insight.id])[insight.id]
    text = insights.write_texts(insight, columns)
    assert text.startswith("orders: ") and "customer id" in text and "delivered" in text
