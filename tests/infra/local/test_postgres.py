"""The embedded PostgreSQL: its pgvector computes on this CPU, its start-up self-check says clearly when
it cannot, and data directories left by another server are taken over or moved aside, never deleted."""

import math
import os
import pwd
import subprocess

import pytest
from sqlalchemy import text

from infra.local.postgres import (
    SERVER_USER,
    EmbeddedPostgresError,
    adopt_data_dir,
    check_vector_support,
    cosine_distance,
    crash_lines,
    probe_vector,
    vector_literal,
)


def test_pgvector_computes_384_dimension_cosine_distances_and_norms_on_this_cpu(db):
    """Never skipped: a pgvector built for instructions this CPU lacks fails here (or crashes the
    server, which the run's crash check reports), not later in a search."""
    a, b = probe_vector(3), probe_vector(5)
    distance, norm, inner = db.execute(
        text(
            "SELECT CAST(:a AS vector(384)) <=> CAST(:b AS vector(384)),"
            " vector_norm(CAST(CAST(:array AS real[]) AS vector(384))),"
            " CAST(:a AS vector(384)) <#> CAST(:b AS vector(384))"
        ),
        {"a": vector_literal(a), "b": vector_literal(b), "array": "{" + vector_literal(a)[1:-1] + "}"},
    ).one()
    assert distance == pytest.approx(cosine_distance(a, b), abs=1e-5)
    assert norm == pytest.approx(math.sqrt(sum(x * x for x in a)), rel=1e-5)
    assert inner == pytest.approx(-sum(x * y for x, y in zip(a, b, strict=True)), rel=1e-4)


def test_a_filtered_hnsw_search_with_iterative_scans_returns_the_exact_neighbours(db):
    db.execute(text("CREATE TEMP TABLE probe (id integer, embedding vector(384))"))
    for seed in range(1, 121):
        db.execute(
            text("INSERT INTO probe VALUES (:id, CAST(:v AS vector(384)))"),
            {"id": seed, "v": vector_literal(probe_vector(seed))},
        )
    db.execute(text("CREATE INDEX ON probe USING hnsw (embedding vector_cosine_ops)"))
    db.execute(text("SET LOCAL hnsw.iterative_scan = relaxed_order"))
    db.execute(text("SET LOCAL enable_seqscan = off"))
    query = probe_vector(40)
    found = db.scalars(
        text(
            "SELECT id FROM probe WHERE mod(id, 5) = 0 ORDER BY embedding <=> CAST(:q AS vector(384)) LIMIT 8"
        ),
        {"q": vector_literal(query)},
    ).all()
    exact = sorted(
        (seed for seed in range(1, 121) if seed % 5 == 0),
        key=lambda seed: cosine_distance(probe_vector(seed), query),
    )[:8]
    assert sorted(found) == sorted(exact)


def test_the_self_check_passes_on_the_test_server_and_leaves_nothing_behind(admin_engine):
    check_vector_support(admin_engine.url.render_as_string(hide_password=False))
    with admin_engine.connect() as connection:
        assert connection.scalar(text("SELECT to_regclass('ainav_vector_check')")) is None


def test_the_self_check_names_the_cpu_and_the_way_out_when_the_server_process_dies(admin_engine):
    # GIVEN a probe whose server process dies under it (as a SIGILL in pgvector kills it)
    def dying_probe(connection) -> None:  # type: ignore[no-untyped-def]
        connection.execute(text("SELECT pg_terminate_backend(pg_backend_pid())"))

    # WHEN the self-check runs it THEN one message says what failed, why, and what to do instead
    with pytest.raises(EmbeddedPostgresError) as failure:
        check_vector_support(admin_engine.url.render_as_string(hide_password=False), probe=dying_probe)
    message = str(failure.value)
    assert "384-dimension cosine distance" in message
    assert "cannot run on this CPU" in message
    assert "DATABASE_URL" in message and "pgvector 0.8+" in message


def test_the_self_check_reports_a_missing_capability_with_the_servers_words(admin_engine):
    def refused_probe(connection) -> None:  # type: ignore[no-untyped-def]
        connection.execute(text("SELECT CAST('[1,2]' AS vector(384))"))

    with pytest.raises(EmbeddedPostgresError, match=r"cannot run the vector queries ainav needs: .*384"):
        check_vector_support(admin_engine.url.render_as_string(hide_password=False), probe=refused_probe)


def test_crash_lines_are_read_from_the_offset_on(tmp_path):
    log = tmp_path / "log"
    log.write_text("LOG:  client backend (PID 1) was terminated by signal 4: Illegal instruction\n")
    offset = log.stat().st_size
    with log.open("a") as more:
        more.write("LOG:  all server processes terminated; reinitializing\n")
        more.write("LOG:  client backend (PID 2) was terminated by signal 11: Segmentation fault\n")
    assert crash_lines(log) == [
        "LOG:  client backend (PID 1) was terminated by signal 4: Illegal instruction",
        "LOG:  client backend (PID 2) was terminated by signal 11: Segmentation fault",
    ]
    assert crash_lines(log, offset) == [
        "LOG:  client backend (PID 2) was terminated by signal 11: Segmentation fault"
    ]


def test_a_data_directory_of_another_major_version_is_moved_aside_not_deleted(tmp_path, capsys):
    # GIVEN a data directory made by PostgreSQL 16
    data_dir = tmp_path / "pg"
    data_dir.mkdir()
    (data_dir / "PG_VERSION").write_text("16\n")
    (data_dir / "base").mkdir()
    (data_dir / "base" / "keep-me").write_text("rows")
    # WHEN the embedded server is about to start on it
    adopt_data_dir(data_dir)
    # THEN it is moved aside whole, with a message saying where and how to keep it
    [aside] = tmp_path.glob("pg.moved-*")
    assert not data_dir.exists()
    assert (aside / "base" / "keep-me").read_text() == "rows"
    said = capsys.readouterr().err
    assert str(aside) in said and "PostgreSQL 16" in said and "pg_dump" in said


@pytest.mark.skipif(os.geteuid() != 0, reason="only root runs the server as another user")
def test_a_data_directory_of_another_server_user_is_taken_over_as_root(tmp_path, capsys):
    # GIVEN a PostgreSQL 18 data directory owned by another system user (the former package's)
    subprocess.run(["useradd", "--system", "ainav_old_pg"], check=False, capture_output=True)
    former = pwd.getpwnam("ainav_old_pg")
    data_dir = tmp_path / "pg"
    (data_dir / "base").mkdir(parents=True)
    (data_dir / "PG_VERSION").write_text("18\n")
    (data_dir / "base" / "1").write_text("rows")
    for path in (data_dir, data_dir / "base", data_dir / "base" / "1", data_dir / "PG_VERSION"):
        os.chown(path, former.pw_uid, former.pw_gid)
    # WHEN the embedded server is about to start on it
    adopt_data_dir(data_dir)
    # THEN every file now belongs to the server user, the data is kept, and the change is announced
    server = pwd.getpwnam(SERVER_USER)
    assert {path.stat().st_uid for path in [data_dir, *data_dir.rglob("*")]} == {server.pw_uid}
    assert (data_dir / "base" / "1").read_text() == "rows"
    assert "took over" in capsys.readouterr().err
