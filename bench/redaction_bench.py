#!/usr/bin/env python
"""What a redacted view costs on a primary-key lookup, next to its table.

Run from the repository root::

    python bench/redaction_bench.py [--rows 1000000] [--repeat 200] [--filter-repeat 3]

On one server (``DATABASE_URL`` when set, otherwise an embedded PostgreSQL
started for the run) it:

1. creates, in a schema with a unique name, a table ``customers`` of
   ``--rows`` rows (filled with ``generate_series``, then ``VACUUM ANALYZE``),
   with its primary key on ``id`` and an index on ``email``;
2. declares two ``PostgresViewFromSQL`` views over it, ``customers_redacted``
   (every column but ``id`` masked) and ``customers_hashed`` (the same, with
   ``email`` hashed), and runs ``sync_views --schema <schema>``;
3. prints ``EXPLAIN (ANALYZE, BUFFERS)`` of ``SELECT * ... WHERE id = $1`` on
   the table and on each view, checks the views reach the table through an
   Index Scan on its primary key (also in the generic plan a prepared
   statement settles on), then times ``--repeat`` lookups of random ids per
   query, prepared and unprepared, on one connection, in shuffled order each
   round, and reports median, p95 and the view/table ratio;
4. for information, times a filter on a masked column (``WHERE email = ...``
   through each view, which cannot use the index on ``email``), and the
   server-side cost of computing every row of each relation (what the masks
   cost per row on a full scan);
5. drops the schema and sync's records of it (and sync's state schema when
   this run was the first to create it).

The last line of output is JSON.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import statistics
import sys
import time
import uuid
import warnings
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql
from psycopg.types.numeric import Int8

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.timing import Samples  # noqa: E402  (needs ROOT on sys.path)

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

#: Same key as the other benchmark, so a run never changes another run's hashes.
REDACT_KEY = "bench-only-redact-key"
TABLE = "customers"
PKEY = "customers_pkey"
VIEWS = ("customers_redacted", "customers_hashed")
#: Views made by hand, not by sync, to tell apart what costs planning time:
#: the view itself, the security barrier, and the mask expressions.
DIAGNOSTIC_VIEWS = {
    "diag_plain": "plain view, SELECT * FROM customers, no mask, no barrier",
    "diag_plain_sb": "the same WITH (security_barrier), no mask",
    "diag_masked_no_sb": "customers_redacted's exact query, without security_barrier",
    "diag_functions": "customers_redacted's masks, each in a PL/pgSQL function (not inlined)",
}
#: Views with one rule each, synced like the others, to price each rule on a full scan.
ONE_RULE_VIEWS = {
    "only_email": "email: Redact.email()",
    "only_full_name": "full_name: Redact.null()",
    "only_phone": "phone: Redact.partial(keep_start=3, keep_end=2)",
    "only_date_of_birth": 'date_of_birth: Redact.truncate("year")',
    "only_created_at": 'created_at: Redact.truncate("day")',
    "only_balance": "balance: Redact.bucket(100)",
    "only_email_hash": "email: Redact.hash()",
}
STATE_SCHEMA = "django_orm_views"
#: Lookups run before timing starts (caches, hint bits, plan caches).
WARMUP = 20


# -- setup ----------------------------------------------------------------------------------


def configure_django(schema: str) -> dict[str, Any]:
    """Configure Django in this process and return its ``DATABASES`` entry."""
    import django
    from django.conf import settings

    from django_orm_views.devdb import database_settings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # platformdirs, without XDG_RUNTIME_DIR
        database = database_settings()
    settings.configure(
        SECRET_KEY="bench-only",
        USE_TZ=True,
        DEFAULT_AUTO_FIELD="django.db.models.BigAutoField",
        INSTALLED_APPS=["django_orm_views"],
        DATABASES={"default": database},
        DJANGO_ORM_VIEWS={"SCHEMA": schema, "REDACT_KEY": REDACT_KEY},
    )
    django.setup()
    return database


def connect(database: dict[str, Any]) -> psycopg.Connection[tuple[Any, ...]]:
    """A psycopg connection (autocommit) to the server Django uses."""
    params: dict[str, Any] = {
        "dbname": database.get("NAME") or "postgres",
        "user": database.get("USER") or None,
        "password": database.get("PASSWORD") or None,
        "host": database.get("HOST") or None,
        "port": str(database["PORT"]) if database.get("PORT") else None,
        "application_name": "redaction_bench",
    }
    options = database.get("OPTIONS") or {}
    params.update({k: v for k, v in options.items() if isinstance(v, str | int)})
    return psycopg.connect(autocommit=True, **{k: v for k, v in params.items() if v is not None})


def create_table(conn: psycopg.Connection[tuple[Any, ...]], schema: str, rows: int) -> float:
    """Create and fill ``<schema>.customers``; return the seconds it took."""
    started = time.perf_counter()
    table = sql.Identifier(schema, TABLE)
    conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
    conn.execute(
        sql.SQL(
            "CREATE TABLE {} ("
            " id bigint NOT NULL,"
            " email varchar(254),"
            " full_name text,"
            " phone varchar(20),"
            " date_of_birth date,"
            " created_at timestamptz,"
            " balance numeric(10,2))"
        ).format(table)
    )
    # a few NULLs in every masked column, so the masks meet them too
    conn.execute(
        sql.SQL(
            "INSERT INTO {} "
            "SELECT g,"
            " CASE WHEN mod(g, 101) = 0 THEN NULL"
            "  ELSE 'user' || g || '@example' || mod(g, 50) || '.org' END,"
            " CASE WHEN mod(g, 103) = 0 THEN NULL ELSE 'Customer Number ' || g END,"
            " CASE WHEN mod(g, 107) = 0 THEN NULL"
            "  ELSE '077' || lpad(mod(g, 100000000)::text, 8, '0') END,"
            " CASE WHEN mod(g, 109) = 0 THEN NULL"
            "  ELSE date '1940-01-01' + mod(g * 7, 25000)::int END,"
            " timestamptz '2020-01-01 00:00:00+00' + g * interval '61 seconds',"
            " (mod(g * 7919, 20000000) - 10000000) / 100.0 "
            "FROM generate_series(1, %s::bigint) AS g"
        ).format(table),
        [rows],
    )
    conn.execute(
        sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} PRIMARY KEY (id)").format(
            table, sql.Identifier(PKEY)
        )
    )
    conn.execute(sql.SQL("CREATE INDEX customers_email ON {} (email)").format(table))
    conn.execute(sql.SQL("VACUUM (ANALYZE) {}").format(table))
    return time.perf_counter() - started


def masks() -> dict[str, Any]:
    """The rules of ``customers_redacted``: every column but ``id`` masked."""
    from django_orm_views import Redact

    return {
        "email": Redact.email(),
        "full_name": Redact.null(),
        "phone": Redact.partial(keep_start=3, keep_end=2),
        "date_of_birth": Redact.truncate("year"),
        "created_at": Redact.truncate("day"),
        "balance": Redact.bucket(100),
    }


def declare_views(schema: str) -> None:
    """Declare the redacted views (Django must be set up)."""
    from django_orm_views import PostgresViewFromSQL, Redact

    body = f"SELECT * FROM {schema}.{TABLE}"
    rules = masks()
    declared = {
        VIEWS[0]: rules,
        VIEWS[1]: {**rules, "email": Redact.hash()},
        "only_email_hash": {"email": Redact.hash()},
    }
    for column, rule in rules.items():
        declared[f"only_{column}"] = {column: rule}
    for view_name, redact in declared.items():
        attrs = {"schema": schema, "name": view_name, "sql": body, "redact": redact}
        attrs["__module__"] = __name__
        type(view_name.title().replace("_", ""), (PostgresViewFromSQL,), attrs)


def create_diagnostic_views(conn: psycopg.Connection[tuple[Any, ...]], schema: str) -> None:
    """Create the ``DIAGNOSTIC_VIEWS`` by hand, in the benchmark's schema."""
    table = sql.Identifier(schema, TABLE)
    conn.execute(
        sql.SQL("CREATE VIEW {} AS SELECT * FROM {}").format(
            sql.Identifier(schema, "diag_plain"), table
        )
    )
    conn.execute(
        sql.SQL("CREATE VIEW {} WITH (security_barrier) AS SELECT * FROM {}").format(
            sql.Identifier(schema, "diag_plain_sb"), table
        )
    )
    row = conn.execute(
        "SELECT pg_get_viewdef(to_regclass(%s), true)", [f"{schema}.{VIEWS[0]}"]
    ).fetchone()
    assert row is not None
    assert row[0]
    conn.execute(
        sql.SQL("CREATE VIEW {} AS {}").format(
            sql.Identifier(schema, "diag_masked_no_sb"), sql.SQL(row[0].rstrip().rstrip(";"))
        )
    )
    create_function_view(conn, schema)


def create_function_view(conn: psycopg.Connection[tuple[Any, ...]], schema: str) -> None:
    """``diag_functions``: the same masks, each moved into a PL/pgSQL function.

    The alternative design to inline expressions: a call is one node to plan,
    but PostgreSQL cannot inline PL/pgSQL, so every value pays for a call.
    """
    from django.db import connection

    from django_orm_views.catalog import describe
    from django_orm_views.masking import mask_expression

    rules = masks()
    with connection.cursor() as cursor:
        columns = describe(cursor, f"SELECT * FROM {schema}.{TABLE}")
    items: list[sql.Composable] = []
    for column in columns:
        ref = sql.Identifier("unmasked", column.name)
        rule = rules.get(column.name)
        if rule is None:
            items.append(ref)
            continue
        function = sql.Identifier(schema, f"mask_{column.name}")
        expression = mask_expression(rule, sql.Identifier("value"), column)
        conn.execute(
            sql.SQL(
                "CREATE FUNCTION {}(value {type}) RETURNS {type} LANGUAGE plpgsql IMMUTABLE "
                "AS {body}"
            ).format(
                function,
                type=sql.SQL(column.type_sql),
                body=sql.Literal(f"BEGIN RETURN {expression.as_string(conn)}; END"),
            )
        )
        items.append(sql.SQL("{}({}) AS {}").format(function, ref, sql.Identifier(column.name)))
    conn.execute(
        sql.SQL(
            "CREATE VIEW {} WITH (security_barrier) AS "
            "SELECT {} FROM (SELECT * FROM {}) AS unmasked"
        ).format(
            sql.Identifier(schema, "diag_functions"),
            sql.SQL(", ").join(items),
            sql.Identifier(schema, TABLE),
        )
    )


def run_sync(schema: str) -> tuple[str, float]:
    """``sync_views --schema <schema>``; return its output and seconds."""
    from django.core.management import call_command

    out = io.StringIO()
    started = time.perf_counter()
    call_command("sync_views", "--schema", schema, stdout=out)
    return out.getvalue().strip(), time.perf_counter() - started


def state_schema_exists(conn: psycopg.Connection[tuple[Any, ...]]) -> bool:
    row = conn.execute("SELECT to_regnamespace(%s) IS NOT NULL", [STATE_SCHEMA]).fetchone()
    return bool(row and row[0])


def cleanup(conn: psycopg.Connection[tuple[Any, ...]], schema: str, state_was_there: bool) -> None:
    """Drop the schema and sync's records of it, under sync's own lock."""
    from django_orm_views.applying import LOCK_KEY

    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
        conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))
        if not state_schema_exists(conn):
            return
        table = sql.Identifier(STATE_SCHEMA, "managed_view")
        if conn.execute("SELECT to_regclass('django_orm_views.managed_view')").fetchone() == (
            None,
        ):
            return
        conn.execute(sql.SQL("DELETE FROM {} WHERE schema_name = %s").format(table), [schema])
        left = conn.execute(sql.SQL("SELECT count(*) FROM {}").format(table)).fetchone()
        if not state_was_there and left == (0,):
            conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(STATE_SCHEMA)))


# -- plans ----------------------------------------------------------------------------------


def relation_sql(schema: str, relation: str) -> sql.Composed:
    return sql.SQL("SELECT * FROM {} WHERE id = %s").format(sql.Identifier(schema, relation))


def walk(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield node
    for child in node.get("Plans", ()):
        yield from walk(child)


def uses_pkey(plan: dict[str, Any]) -> bool:
    """Whether the plan reaches the table through an Index Scan on its primary key."""
    return any(
        node.get("Node Type") in ("Index Scan", "Index Only Scan")
        and node.get("Index Name") == PKEY
        for node in walk(plan)
    )


def node_types(plan: dict[str, Any]) -> list[str]:
    out = []
    for node in walk(plan):
        label = str(node["Node Type"])
        if "Index Name" in node:
            label += f" using {node['Index Name']}"
        elif "Relation Name" in node:
            label += f" on {node['Relation Name']}"
        out.append(label)
    return out


def explain_text(
    conn: psycopg.Connection[tuple[Any, ...]], query: sql.Composed, params: Sequence[Any]
) -> str:
    rows = conn.execute(
        sql.SQL("EXPLAIN (ANALYZE, BUFFERS, VERBOSE) ") + query, params, prepare=False
    ).fetchall()
    return "\n".join(str(r[0]) for r in rows)


def explain_json(
    conn: psycopg.Connection[tuple[Any, ...]], query: sql.Composed, params: Sequence[Any]
) -> dict[str, Any]:
    return explain_document(
        conn, sql.SQL("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ") + query, params
    )


def explain_document(
    conn: psycopg.Connection[tuple[Any, ...]],
    statement: sql.Composed | str,
    params: Sequence[Any] = (),
) -> dict[str, Any]:
    """Run an ``EXPLAIN (FORMAT JSON)`` statement, unprepared; return its one document."""
    row = conn.execute(statement, params, prepare=False).fetchone()
    assert row is not None
    document = row[0] if not isinstance(row[0], str) else json.loads(row[0])
    result: dict[str, Any] = document[0]
    return result


def generic_plan(conn: psycopg.Connection[tuple[Any, ...]], query: sql.Composed) -> dict[str, Any]:
    """The plan of ``query`` as a prepared statement using its generic plan."""
    text = query.as_string(conn).replace("%s", "$1")
    # prepare=False throughout: psycopg's own prepared statements stay out of the way
    conn.execute("SET plan_cache_mode = force_generic_plan", prepare=False)
    try:
        conn.execute(sql.SQL("PREPARE bench_generic(bigint) AS ") + sql.SQL(text), prepare=False)
        plan: dict[str, Any] = explain_document(
            conn, "EXPLAIN (FORMAT JSON) EXECUTE bench_generic(1)"
        )["Plan"]
        return plan
    finally:
        conn.execute("DEALLOCATE bench_generic", prepare=False)
        conn.execute("RESET plan_cache_mode", prepare=False)


# -- timing ---------------------------------------------------------------------------------


def time_lookups(
    conn: psycopg.Connection[tuple[Any, ...]],
    queries: dict[str, sql.Composed],
    rows: int,
    repeat: int,
    rng: random.Random,
) -> dict[tuple[str, str], Samples]:
    """``repeat`` rounds; each round runs every (query, mode) once, shuffled, on one id."""
    jobs = [(name, mode) for name in queries for mode in ("prepared", "unprepared")]
    texts = {name: query.as_string(conn) for name, query in queries.items()}
    warm = texts[TABLE]
    samples = {job: Samples() for job in jobs}
    for round_number in range(WARMUP + repeat):
        key = Int8(rng.randint(1, rows))  # bound as bigint, like the column
        # read the row once, untimed, so every timed query finds its pages in shared buffers
        conn.execute(warm, [key]).fetchall()
        order = jobs[:]
        rng.shuffle(order)
        for name, mode in order:
            started = time.perf_counter_ns()
            found = conn.execute(texts[name], [key], prepare=mode == "prepared").fetchall()
            elapsed = (time.perf_counter_ns() - started) / 1e9
            if len(found) != 1:
                raise AssertionError(f"{name} WHERE id = {key} returned {len(found)} rows")
            if round_number >= WARMUP:
                samples[(name, mode)].values.append(elapsed)
    return samples


def time_filter(
    conn: psycopg.Connection[tuple[Any, ...]],
    query: sql.Composed,
    value: Any,
    repeat: int,
) -> tuple[Samples, int]:
    samples = Samples()
    count = 0
    for _ in range(repeat):
        started = time.perf_counter()
        count = len(conn.execute(query, [value], prepare=False).fetchall())
        samples.values.append(time.perf_counter() - started)
    return samples, count


def time_scan(
    conn: psycopg.Connection[tuple[Any, ...]], schema: str, relation: str, repeat: int
) -> float:
    """Median server-side milliseconds to compute every row of the relation.

    ``EXPLAIN (ANALYZE, TIMING OFF)`` evaluates every output column but sends
    no rows, so the client's decoding is not measured.
    """
    query = sql.SQL("EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) SELECT * FROM {}").format(
        sql.Identifier(schema, relation)
    )
    return statistics.median(
        float(explain_document(conn, query)["Execution Time"]) for _ in range(repeat)
    )


# -- main -----------------------------------------------------------------------------------


def ms(seconds: float) -> str:
    return f"{seconds * 1000:9.3f}"


def indent(text: str, prefix: str = "    ") -> str:
    return "\n".join(prefix + line for line in text.splitlines())


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows in the table")
    parser.add_argument("--repeat", type=int, default=200, help="timed lookups per query")
    parser.add_argument(
        "--filter-repeat", type=int, default=3, help="runs of each masked-column filter"
    )
    parser.add_argument("--seed", type=int, default=20240601, help="random ids' seed")
    args = parser.parse_args(argv)
    if args.rows < 1 or args.repeat < 1:
        parser.error("--rows and --repeat must be >= 1")

    schema = f"bench_redact_{uuid.uuid4().hex[:10]}"
    database = configure_django(schema)
    declare_views(schema)
    rng = random.Random(args.seed)
    result: dict[str, Any] = {"schema": schema, "rows": args.rows, "repeat": args.repeat}

    with connect(database) as conn:
        server = conn.execute("SHOW server_version").fetchone()
        result["server_version"] = server[0] if server else None
        result["server"] = "DATABASE_URL" if os.environ.get("DATABASE_URL") else "embedded"
        state_was_there = state_schema_exists(conn)
        try:
            run(conn, schema, args, rng, result)
        finally:
            cleanup(conn, schema, state_was_there)
            print(f"\ncleaned up: dropped schema {schema} and its sync records")
    print(json.dumps(result, sort_keys=True))
    return 0 if result.get("index_scan_ok") else 1


def run(
    conn: psycopg.Connection[tuple[Any, ...]],
    schema: str,
    args: argparse.Namespace,
    rng: random.Random,
    result: dict[str, Any],
) -> None:
    print(f"server: PostgreSQL {result['server_version']}; schema {schema}")
    seconds = create_table(conn, schema, args.rows)
    print(f"table {schema}.{TABLE}: {args.rows:,} rows in {seconds:.1f}s")
    result["fill_seconds"] = round(seconds, 3)
    output, seconds = run_sync(schema)
    print(f"sync_views --schema {schema}: {output} (call_command {seconds:.2f}s)")
    result["sync_seconds"] = round(seconds, 3)

    create_diagnostic_views(conn, schema)
    main = (TABLE, *VIEWS)
    queries = {name: relation_sql(schema, name) for name in (*main, *DIAGNOSTIC_VIEWS)}
    probe = Int8(rng.randint(1, args.rows))
    options = dict(
        conn.execute(
            "SELECT relname::text, array_to_string(reloptions, ',') FROM pg_class "
            "WHERE relnamespace = to_regnamespace(%s) AND relkind = 'v' ORDER BY 1",
            [schema],
        ).fetchall()
    )
    print(f"view options: {options}")
    result["view_options"] = options

    # -- plans --------------------------------------------------------------------------
    ok = True
    result["plans"] = {}
    conn.execute(queries[TABLE], [probe]).fetchall()  # pages into shared buffers first
    for name, query in queries.items():
        if name in DIAGNOSTIC_VIEWS:
            generic = generic_plan(conn, query)
            custom_plan = explain_json(conn, query, [probe])["Plan"]
            result["plans"][name] = {
                "custom": node_types(custom_plan),
                "generic": node_types(generic),
                "pkey_index_scan": uses_pkey(custom_plan) and uses_pkey(generic),
            }
            continue
        print(f"\nEXPLAIN (ANALYZE, BUFFERS, VERBOSE) SELECT * FROM {name} WHERE id = {probe}")
        print(indent(explain_text(conn, query, [probe])))
        custom = explain_json(conn, query, [probe])
        generic = generic_plan(conn, query)
        custom_ok, generic_ok = uses_pkey(custom["Plan"]), uses_pkey(generic)
        ok = ok and custom_ok and generic_ok
        result["plans"][name] = {
            "custom": node_types(custom["Plan"]),
            "generic": node_types(generic),
            "pkey_index_scan": custom_ok and generic_ok,
            "planning_ms": custom.get("Planning Time"),
            "execution_ms": custom.get("Execution Time"),
        }
        print(
            f"  -> Index Scan on {PKEY}: custom plan {'yes' if custom_ok else 'NO'}, "
            f"generic plan {'yes' if generic_ok else 'NO'} ({' > '.join(node_types(generic))})"
        )
    result["index_scan_ok"] = ok

    # -- server-side cost, from EXPLAIN ANALYZE -----------------------------------------
    runs = min(args.repeat, 50)
    print(f"\nserver side, median of {runs} EXPLAIN (ANALYZE) per relation (custom plans), in ms:")
    header = f"{'relation':<22} {'planning':>9} {'execution':>10} {'total':>9} {'x table':>8}"
    print(header)
    print("-" * len(header))
    planning: dict[str, list[float]] = {name: [] for name in queries}
    execution: dict[str, list[float]] = {name: [] for name in queries}
    for _ in range(runs):
        key = Int8(rng.randint(1, args.rows))
        conn.execute(queries[TABLE], [key]).fetchall()  # pages into shared buffers, untimed
        order = list(queries)
        rng.shuffle(order)
        for name in order:
            plan = explain_json(conn, queries[name], [key])
            planning[name].append(float(plan["Planning Time"]))
            execution[name].append(float(plan["Execution Time"]))
    result["server_side"] = {}
    base_total = 0.0
    for name in queries:
        planning_ms = statistics.median(planning[name])
        execution_ms = statistics.median(execution[name])
        total = planning_ms + execution_ms
        base_total = base_total or total
        print(
            f"{name:<22} {planning_ms:9.3f} {execution_ms:10.3f} {total:9.3f} "
            f"{total / base_total:8.2f}"
        )
        result["server_side"][name] = {
            "planning_ms": round(planning_ms, 4),
            "execution_ms": round(execution_ms, 4),
        }

    # -- lookups ------------------------------------------------------------------------
    samples = time_lookups(conn, queries, args.rows, args.repeat, rng)
    print(
        f"\nSELECT * FROM <relation> WHERE id = $1, {args.repeat} random ids "
        f"(after {WARMUP} warm-up rounds; each id's pages read untimed first), round trip in ms:"
    )
    header = f"{'relation':<22} {'mode':<11} {'median':>9} {'p95':>9} {'mean':>9} {'x table':>8}"
    print(header)
    print("-" * len(header))
    result["lookups"] = {}
    for name in queries:
        for mode in ("prepared", "unprepared"):
            s = samples[(name, mode)]
            base = samples[(TABLE, mode)]
            ratio = s.median / base.median
            print(f"{name:<22} {mode:<11} {ms(s.median)} {ms(s.p95)} {ms(s.mean)} {ratio:8.2f}")
            result["lookups"][f"{name}/{mode}"] = {
                "median_ms": round(s.median * 1000, 4),
                "p95_ms": round(s.p95 * 1000, 4),
                "mean_ms": round(s.mean * 1000, 4),
                "ratio_median_vs_table": round(ratio, 3),
                "ratio_p95_vs_table": round(s.p95 / base.p95, 3),
            }
    for name, description in DIAGNOSTIC_VIEWS.items():
        print(f"  {name}: {description}")
    worst = max(
        samples[(v, m)].median / samples[(TABLE, m)].median
        for v in VIEWS
        for m in ("prepared", "unprepared")
    )
    result["worst_median_ratio"] = round(worst, 3)
    for mode in ("prepared", "unprepared"):
        ratio = max(samples[(v, mode)].median / samples[(TABLE, mode)].median for v in VIEWS)
        result[f"worst_{mode}_ratio"] = round(ratio, 3)
        verdict = "OK" if ratio <= 1.2 else "ABOVE 1.2"
        print(f"worst view/table median ratio, {mode}: {ratio:.2f} ({verdict})")

    # -- full scans: what the masks cost per row ----------------------------------------
    print(f"\nSELECT * FROM <relation>, all {args.rows:,} rows, server side (information only):")
    header = f"{'relation':<22} {'median ms':>10} {'ns/row':>8} {'masks ns/row':>13}"
    print(header)
    print("-" * len(header))
    result["scans"] = {}
    scanned = (*main, "diag_functions", *ONE_RULE_VIEWS)
    scan_ms = {name: time_scan(conn, schema, name, args.filter_repeat) for name in scanned}
    for name in scanned:
        per_row = scan_ms[name] * 1e6 / args.rows
        cost = (scan_ms[name] - scan_ms[TABLE]) * 1e6 / args.rows
        print(f"{name:<22} {scan_ms[name]:10.1f} {per_row:8.0f} {cost:13.0f}")
        result["scans"][name] = {"median_ms": round(scan_ms[name], 1), "ns_per_row": round(per_row)}
    for name, description in ONE_RULE_VIEWS.items():
        print(f"  {name}: {description}")

    # -- filter on a masked column (information only) ----------------------------------
    print(f"\nfilter on a masked column, {args.filter_repeat} runs each (information only):")
    sample_id = Int8(rng.randint(1, args.rows))
    values: dict[str, Any] = {}
    for name in main:
        row = conn.execute(
            sql.SQL("SELECT email FROM {} WHERE id = %s").format(sql.Identifier(schema, name)),
            [sample_id],
        ).fetchone()
        values[name] = row[0] if row else None
    result["filters"] = {}
    header = f"{'relation':<22} {'value':<36} {'rows':>7} {'median ms':>10}  plan"
    print(header)
    print("-" * (len(header) + 30))
    for name in main:
        query = sql.SQL("SELECT * FROM {} WHERE email = %s").format(sql.Identifier(schema, name))
        plan = explain_json(conn, query, [values[name]])
        s, count = time_filter(conn, query, values[name], args.filter_repeat)
        shape = " > ".join(node_types(plan["Plan"]))
        print(f"{name:<22} {str(values[name])[:36]:<36} {count:>7} {ms(s.median):>10}  {shape}")
        result["filters"][name] = {
            "value": values[name],
            "rows": count,
            "median_ms": round(s.median * 1000, 3),
            "plan": node_types(plan["Plan"]),
        }


if __name__ == "__main__":
    sys.exit(main())
