"""Model output is untrusted input: the SQL a model (or a person, for an example) wrote runs only if it
is exactly one read-only statement. Parsed with sqlglot in the target's dialect, it must be a SELECT (a
WITH, a UNION ...) and hold no data-modifying statement anywhere (a CTE of DELETE), no `SELECT ... INTO`,
no locking clause, no call to a function of the deny list, no read of a catalog holding secrets.

This is the first of three walls: the query then runs alone with the extended protocol (one statement),
inside `DECLARE ... CURSOR` (a SELECT or VALUES only), in a READ ONLY transaction with a statement
timeout (shared.connections.postgres)."""

import logging
import re
from dataclasses import dataclass

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError

MAX_SQL_CHARS = 20_000
# Functions that read or write server files, reach other servers, sleep, signal or reconfigure the
# server, take locks, change settings or sequences, or run SQL of their own.
DENIED_FUNCTIONS = frozenset(
    {
        "pg_read_file", "pg_read_binary_file", "pg_ls_dir", "pg_stat_file", "pg_file_write",
        "pg_file_rename", "pg_file_unlink", "pg_logdir_ls", "pg_sleep", "pg_sleep_for", "pg_sleep_until",
        "pg_terminate_backend", "pg_cancel_backend", "pg_reload_conf", "pg_rotate_logfile", "pg_promote",
        "pg_switch_wal", "pg_create_restore_point", "pg_backup_start", "pg_backup_stop", "pg_notify",
        "pg_import_system_collations",
        "set_config", "current_setting", "nextval", "setval", "lastval", "currval", "dblink", "dblink_exec",
        "dblink_connect", "dblink_connect_u", "dblink_send_query", "dblink_open", "dblink_fetch",
        "query_to_xml", "query_to_xml_and_xmlschema", "query_to_xmlschema", "cursor_to_xml",
        "cursor_to_xmlschema", "table_to_xml", "table_to_xml_and_xmlschema", "schema_to_xml",
        "database_to_xml", "txid_current", "pg_current_xact_id",
    }
)  # fmt: skip
DENIED_FUNCTION_PREFIXES = (
    "lo_", "pg_advisory", "pg_try_advisory", "pg_ls_", "pg_stat_reset", "pg_replication_", "pg_logical_",
    "pg_create_", "pg_drop_", "pg_copy_", "dblink",
)  # fmt: skip
DENIED_TABLES = frozenset(
    {
        "pg_authid", "pg_shadow", "pg_user_mapping", "pg_user_mappings", "pg_hba_file_rules",
        "pg_ident_file_mappings", "pg_file_settings", "pg_stat_activity", "pg_largeobject",
    }
)  # fmt: skip
WRITES = (exp.Insert, exp.Update, exp.Delete, exp.Merge, exp.Create, exp.Drop, exp.Alter, exp.TruncateTable)
OTHER_STATEMENTS = (exp.Command, exp.Copy, exp.Set, exp.Grant, exp.Transaction, exp.Commit, exp.Rollback)
# U&"..." and U&'...' spell names with escapes the parser would not see through
UNICODE_ESCAPE = re.compile(r"\bu&['\"]", re.IGNORECASE)
# sqlglot warns on its logger about syntax it keeps as a Command; the refusal says it instead
logging.getLogger("sqlglot").setLevel(logging.ERROR)


class RefusedSQL(ValueError):
    """The SQL is not one safe read-only statement; the message says why (shown to the user and the
    model, which may try again)."""


@dataclass(frozen=True)
class CheckedSQL:
    sql: str  # the statement as written, without trailing semicolons: what runs
    tables: list[str]  # the tables it reads, as written


def _function_names(node: exp.Func) -> set[str]:
    names = {node.name.lower()} if isinstance(node, exp.Anonymous) else set()
    names.add(node.sql_name().lower())
    return {name.split(".")[-1] for name in names if name}


def _denied(name: str) -> bool:
    return name in DENIED_FUNCTIONS or name.startswith(DENIED_FUNCTION_PREFIXES)


def check(sql: str, *, dialect: str = "postgres") -> CheckedSQL:
    """The statement if it is one safe read-only query; RefusedSQL otherwise."""
    text = (sql or "").strip()
    while text.endswith(";"):
        text = text[:-1].rstrip()
    if not text:
        raise RefusedSQL("there is no SQL statement")
    if len(text) > MAX_SQL_CHARS:
        raise RefusedSQL(f"the statement is longer than {MAX_SQL_CHARS} characters")
    if UNICODE_ESCAPE.search(text):
        raise RefusedSQL("Unicode-escaped names and strings (U&) are not allowed")
    try:
        statements = [statement for statement in sqlglot.parse(text, read=dialect) if statement is not None]
    except SqlglotError as exc:
        raise RefusedSQL(f"the statement cannot be parsed: {str(exc).splitlines()[0][:300]}") from None
    if len(statements) != 1:
        raise RefusedSQL(f"exactly one statement is allowed, got {len(statements)}")
    [tree] = statements
    if isinstance(tree, (*WRITES, *OTHER_STATEMENTS)) or not isinstance(tree, exp.Select | exp.SetOperation):
        raise RefusedSQL(f"only SELECT (or WITH ... SELECT) is allowed, got {_kind(tree)}")
    for node in tree.walk():
        if isinstance(node, WRITES):
            raise RefusedSQL(f"a data-modifying statement ({_kind(node)}) is not allowed, even inside WITH")
        if isinstance(node, OTHER_STATEMENTS):
            raise RefusedSQL(f"{_kind(node)} is not allowed")
        if isinstance(node, exp.Into) or (isinstance(node, exp.Select) and node.args.get("into")):
            raise RefusedSQL("SELECT ... INTO creates a table and is not allowed")
        if isinstance(node, exp.Lock):
            raise RefusedSQL("locking clauses (FOR UPDATE, FOR SHARE ...) are not allowed")
        if isinstance(node, exp.Func):
            denied = sorted(name for name in _function_names(node) if _denied(name))
            if denied:
                raise RefusedSQL(f"the function {denied[0]}() is not allowed")
        if isinstance(node, exp.Table) and node.name.lower() in DENIED_TABLES:
            raise RefusedSQL(f"reading {node.name} is not allowed")
    named = {cte.alias_or_name for cte in tree.find_all(exp.CTE)}
    tables = {
        ".".join(part for part in (table.db, table.name) if part)
        for table in tree.find_all(exp.Table)
        if table.name and not (not table.db and table.name in named)
    }
    return CheckedSQL(sql=text, tables=sorted(tables))


def _kind(node: exp.Expression) -> str:
    if isinstance(node, exp.Command):
        return str(node.this).upper()
    return node.key.upper()
