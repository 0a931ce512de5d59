from tests.lambda_support import FakeLambdaContext, load_event, load_function


def test_the_scheduled_event_runs_maintenance_and_reports(engine, aws):
    report = load_function("functions/maintenance").handler(
        load_event("eventbridge_maintenance.json"), FakeLambdaContext()
    )
    assert set(report) == {
        "failed_stuck",
        "resumed_lost",
        "requeued_pending",
        "released_holds",
        "analyses_failed_stuck",
        "analyses_queued",
        "reconciled_tasks",
        "dead_letters",
        "purged_rows",
        "queued_mcp_checks",
    }
