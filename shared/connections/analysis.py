"""The analysis of a connection, a queue job (`connection.analyze`): in one READ ONLY transaction on
the user's database (each statement under ANALYSIS_STATEMENT_TIMEOUT_MS), read the tables, columns,
keys and indexes, count each table's rows, distinct values and nulls, keep the values of categorical
columns and a few samples; then classify the columns, write the table insights and embed their
documents. Status and progress move pending → analyzing (0-80) → indexing (80-100) → ready; a failure
sets `error` with the reason. Maintenance queues re-analyses and fails analyses whose worker died."""

import time
import uuid
from datetime import timedelta

from aws_lambda_powertools import Logger
from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from shared.config import get_utc_now, settings
from shared.connections import targets
from shared.connections.models import BUSY_STATUSES, DatabaseConnection
from shared.connections.targets import QueryFailed, TargetError
from shared.errors import ConflictError, ServiceUnavailableError
from shared.queue import messages as queue_messages
from shared.queue import service as queue_service

logger = Logger(child=True)

EXTRACTED = 80.0  # progress once every table is read; indexing takes the rest
PROGRESS_STEP = 5.0  # commit progress at most every 5 points
REQUEUE_BATCH = 50
NOT_QUEUED = "The analysis could not be queued; start it again with POST .../reanalyze"


class AnalysisTimeout(TargetError):
    """The analysis ran past ANALYSIS_TIMEOUT_SECONDS."""


def queue(session: Session, connection: DatabaseConnection, *, raise_if_not_queued: bool = True) -> None:
    """Mark the connection pending and send its `connection.analyze`. A queue that refuses the message
    leaves it in `error`, saying so (and, for a reanalyze, the caller gets a 503 to retry)."""
    connection.status, connection.status_message, connection.analysis_progress = "pending", None, 0.0
    connection.updated_at = get_utc_now()  # when it was queued: maintenance sends it again if lost
    session.commit()
    try:
        queue_service.send(session, queue_messages.ConnectionAnalyze(connection_id=connection.id))
    except queue_service.QueueUnavailableError as exc:
        connection.status, connection.status_message = "error", NOT_QUEUED
        session.commit()
        logger.error("analysis not queued", extra={"connection_id": str(connection.id)})
        if raise_if_not_queued:
            raise ServiceUnavailableError("The analysis could not be queued; try again shortly") from exc


def reanalyze(session: Session, connection: DatabaseConnection) -> None:
    """Analyse again (202); 409 while an analysis is pending or running."""
    if connection.status in BUSY_STATUSES:
        raise ConflictError(f"An analysis is already {connection.status}; wait for it to finish")
    queue(session, connection)


def _claim(session: Session, connection_id: uuid.UUID) -> DatabaseConnection | None:
    """The pending connection, now analyzing; None when it is not pending (a duplicate delivery)."""
    claimed = session.scalar(
        update(DatabaseConnection)
        .where(DatabaseConnection.id == connection_id, DatabaseConnection.status == "pending")
        .values(
            status="analyzing", analysis_progress=0.0, analysis_started_at=get_utc_now(), status_message=None
        )
        .returning(DatabaseConnection.id)
    )
    session.commit()
    return session.get(DatabaseConnection, claimed) if claimed else None


def _progress(
    session: Session, connection: DatabaseConnection, value: float, status: str | None = None
) -> None:
    if status is not None or value - connection.analysis_progress >= PROGRESS_STEP:
        connection.analysis_progress = round(value, 1)
        connection.status = status or connection.status
        session.commit()


def run(session: Session, connection_id: uuid.UUID) -> str | None:
    """The worker's part: analyse a pending connection; returns its final status (None: not ours)."""
    from shared.embedding.service import (
        EmbeddingModelMissing,
    )  # the worker's embedding layer, not maintenance's

    connection = _claim(session, connection_id)
    if connection is None:
        logger.info("connection not pending: nothing to analyse", extra={"connection_id": str(connection_id)})
        return None
    deadline = time.monotonic() + settings.ANALYSIS_TIMEOUT_SECONDS
    try:
        message = _analyse(session, connection, deadline)
    except (TargetError, EmbeddingModelMissing) as exc:
        return fail(session, connection, str(exc))
    except Exception as exc:  # a bug must not leave the connection analyzing until maintenance
        logger.exception("analysis crashed", extra={"connection_id": str(connection_id)})
        return fail(session, connection, f"the analysis failed unexpectedly ({type(exc).__name__})")
    connection.status, connection.status_message = "ready", message
    connection.analysis_progress, connection.last_analyzed_at = 100.0, get_utc_now()
    session.commit()
    return connection.status


def _analyse(session: Session, connection: DatabaseConnection, deadline: float) -> str:
    target = targets.target_of(connection)
    notes: dict[str, list[str]] = {}
    with target.read_only(statement_timeout_ms=settings.ANALYSIS_STATEMENT_TIMEOUT_MS) as reader:
        connection.server_version = reader.server_version[:200] or None
        tables = target.dialect.list_tables(reader, max_tables=settings.ANALYSIS_MAX_TABLES + 1)
        cut = len(tables) > settings.ANALYSIS_MAX_TABLES
        tables = tables[: settings.ANALYSIS_MAX_TABLES]
        _progress(session, connection, PROGRESS_STEP)
        for number, table in enumerate(tables, start=1):
            if time.monotonic() > deadline:
                raise AnalysisTimeout(
                    f"the analysis took longer than {settings.ANALYSIS_TIMEOUT_SECONDS:g}s "
                    f"({number - 1} of {len(tables)} tables read)"
                )
            try:
                target.dialect.profile(
                    reader,
                    table,
                    sample_size=settings.ANALYSIS_SAMPLE_SIZE,
                    stats_rows=settings.ANALYSIS_STATS_ROW_LIMIT,
                    category_threshold=settings.ANALYSIS_CATEGORY_THRESHOLD,
                )
            except QueryFailed as exc:
                notes[table.qualified_name] = [f"statistics and samples not read: {exc}"]
            _progress(session, connection, PROGRESS_STEP + (EXTRACTED - PROGRESS_STEP) * number / len(tables))
    _progress(session, connection, EXTRACTED, status="indexing")
    from shared.connections import insights  # embeds: the worker's embedding layer, not maintenance's

    stored = insights.store_analysis(session, connection, tables, notes)
    summary = f"{stored} tables and views analysed"
    if cut:
        summary += f" (the first {settings.ANALYSIS_MAX_TABLES}; the database holds more)"
    if notes:
        summary += f"; {len(notes)} without statistics (see their notes)"
    return summary


def fail(session: Session, connection: DatabaseConnection, reason: str) -> str:
    session.rollback()
    connection = session.get(DatabaseConnection, connection.id) or connection
    connection.status, connection.status_message = "error", reason[:2000]
    session.commit()
    logger.info("analysis failed", extra={"connection_id": str(connection.id)})
    return connection.status


def fail_stuck(session: Session) -> int:
    """Analyses whose worker died (running past ANALYSIS_TIMEOUT_SECONDS plus grace) end in `error`."""
    cutoff = get_utc_now() - timedelta(
        seconds=settings.ANALYSIS_TIMEOUT_SECONDS + settings.STUCK_RUNNING_GRACE_SECONDS
    )
    failed = session.scalars(
        update(DatabaseConnection)
        .where(
            DatabaseConnection.status.in_(("analyzing", "indexing")),
            DatabaseConnection.analysis_started_at < cutoff,
        )
        .values(status="error", status_message="the analysis stopped (its worker ended); analyse again")
        .returning(DatabaseConnection.id)
    ).all()
    session.commit()
    return len(failed)


def queue_due(session: Session) -> int:
    """Connections analysed longer ago than REANALYSIS_INTERVAL_HOURS (or failed that long ago) are
    analysed again; pending ones whose message was lost are sent again."""
    now = get_utc_now()
    stale = now - timedelta(hours=settings.REANALYSIS_INTERVAL_HOURS)
    lost = now - timedelta(seconds=settings.PENDING_REQUEUE_AFTER_SECONDS)
    due = session.scalars(
        select(DatabaseConnection)
        .where(
            or_(
                (DatabaseConnection.status == "ready") & (DatabaseConnection.last_analyzed_at < stale),
                (DatabaseConnection.status == "error") & (DatabaseConnection.updated_at < stale),
                (DatabaseConnection.status == "pending") & (DatabaseConnection.updated_at < lost),
            )
        )
        .order_by(DatabaseConnection.updated_at)
        .limit(REQUEUE_BATCH)
    ).all()
    queued = 0
    for connection in due:
        queue(session, connection, raise_if_not_queued=False)
        if connection.status != "pending":
            break  # the queue is away: the rest waits for the next run
        queued += 1
    return queued
