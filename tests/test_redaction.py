"""Redaction against a real server: masked values read back, types, the keyed hash."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import CommandError
from django.db import connection
from django.test import override_settings

from django_orm_views import PostgresViewFromQueryset, PostgresViewFromSQL, Redact
from django_orm_views.redaction import RedactRule
from tests.helpers import relations, rows
from tests.testapp.factories import CustomerFactory
from tests.testapp.models import Customer

Sync = Callable[..., str]
KEY = "tests-only-redact-key"

SOURCE = """
CREATE TABLE {schema}.src (
    id bigint, email varchar(254), name text, phone varchar(20), code char(5),
    born date, seen timestamp, at timestamptz, amount numeric(10,2),
    score integer, small smallint, big bigint, ratio double precision
);
INSERT INTO {schema}.src VALUES
  (1, 'ada.lovelace@example.org', 'Ada', '07700900001', 'AB123', '1990-07-15',
   '2024-03-10 23:30:15', '2024-03-10 23:30:15+00', 1234.56, -1500, 7, 15, 2.5),
  (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
  (3, 'not-an-email', '', 'abcd', 'X', '0001-01-01', '2024-12-31 23:59:59',
   '2024-01-01 00:30:00+02', -99999999.99, -2147483648, -32768,
   -9223372036854775808, 'NaN'),
  (4, '', ' ', '', '', '2024-02-29', '2024-02-29 12:00:00', '2024-02-29 12:00:00+00',
   99999999.99, 2147483647, 32767, 9223372036854775807, '-Infinity'),
  (5, '@example.org', 'x', '1234567', 'ABCDE', NULL, NULL, NULL, 0, 0, 0, 0, 0),
  (6, 'a@b@c', 'y', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)
"""


@pytest.fixture
def src(schema: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE SCHEMA {schema}")
        cursor.execute(SOURCE.format(schema=schema))
    return schema


def declare(
    schema: str, name: str, redact: dict[str, RedactRule], sql: str | None = None
) -> type[PostgresViewFromSQL]:
    body = {
        "sql": sql or f"SELECT * FROM {schema}.src",
        "schema": schema,
        "name": name,
        "redact": redact,
        "__module__": "tests.user_views",
    }
    return type(name.title().replace("_", ""), (PostgresViewFromSQL,), body)


def column(schema: str, view: str, name: str) -> list[Any]:
    return [r[0] for r in rows(f"SELECT {name} FROM {schema}.{view} ORDER BY id")]


def types(schema: str, relation: str) -> dict[str, str]:
    return dict(
        rows(
            """
            SELECT a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a
            WHERE a.attrelid = %s::regclass AND a.attnum > 0 ORDER BY a.attnum
            """,
            [f"{schema}.{relation}"],
        )
    )


def expected_hash(value: str, key: str = KEY) -> str:
    return hmac.new(key.encode(), value.encode(), hashlib.sha256).hexdigest()[:32]


def test_every_rule_masks_ordinary_and_malformed_values(src: str, sync: Sync) -> None:
    declare(
        src,
        "masked",
        {
            "email": Redact.email(),
            "name": Redact.sql("upper({column}) || '!'"),
            "phone": Redact.partial(keep_start=3, keep_end=2),
            "code": Redact.partial(keep_end=1, fill="#"),
            "born": Redact.truncate("year"),
            "seen": Redact.truncate("hour"),
            "at": Redact.truncate("day"),
            "amount": Redact.bucket(1000),
            "score": Redact.bucket(10000),
            "small": Redact.bucket(5),
            "big": Redact.bucket(10),
            "ratio": Redact.bucket(2),
        },
    )
    sync()
    assert column(src, "masked", "email") == [
        "a***@example.org",
        None,
        "***",
        "***",
        "***",
        "***",
    ]
    assert column(src, "masked", "name") == ["ADA!", None, "!", " !", "X!", "Y!"]
    assert column(src, "masked", "phone") == ["077******01", None, "****", "", "123**67", None]
    # char(5) pads with blanks: the blanks are masked too, the length is kept
    assert column(src, "masked", "code") == ["####3", None, "#    ", "     ", "####E", None]
    assert column(src, "masked", "born") == [
        dt.date(1990, 1, 1),
        None,
        dt.date(1, 1, 1),
        dt.date(2024, 1, 1),
        None,
        None,
    ]
    assert column(src, "masked", "seen")[:4] == [
        dt.datetime(2024, 3, 10, 23),
        None,
        dt.datetime(2024, 12, 31, 23),
        dt.datetime(2024, 2, 29, 12),
    ]
    assert column(src, "masked", "amount") == [
        Decimal("1000.00"),
        None,
        Decimal("-99999000.00"),  # the floor, -100000000, does not fit numeric(10,2)
        Decimal("99999000.00"),
        Decimal("0.00"),
        None,
    ]
    assert column(src, "masked", "score") == [-10000, None, -2147480000, 2147480000, 0, None]
    assert column(src, "masked", "small")[:5] == [5, None, -32765, 32765, 0]
    assert column(src, "masked", "big")[:5] == [
        10,
        None,
        -9223372036854775800,
        9223372036854775800,
        0,
    ]
    ratio = column(src, "masked", "ratio")
    assert ratio[0] == 2.0
    assert ratio[2] != ratio[2]  # NaN stays NaN
    assert ratio[3] == float("-inf")


def test_timestamptz_is_truncated_in_utc_whatever_the_session_time_zone(
    src: str, sync: Sync
) -> None:
    declare(src, "masked", {"at": Redact.truncate("day")})
    sync()
    for zone in ["UTC", "Pacific/Kiritimati", "America/Los_Angeles"]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('TimeZone', %s, false)", [zone])
            # read as text in UTC: Django's loader assumes the session is in UTC
            cursor.execute(
                f"SELECT (at AT TIME ZONE 'UTC')::text FROM {src}.masked "
                "WHERE id IN (1, 3) ORDER BY id"
            )
            values = [r[0] for r in cursor.fetchall()]
        assert values == ["2024-03-10 00:00:00", "2023-12-31 00:00:00"], zone
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('TimeZone', 'UTC', false)")


def test_null_and_constant_keep_the_type(src: str, sync: Sync) -> None:
    declare(
        src,
        "masked",
        {
            "email": Redact.constant("hidden@example.org"),
            "born": Redact.constant(dt.date(2000, 1, 1)),
            "amount": Redact.constant(Decimal("1.5")),
            "phone": Redact.null(),
            "at": Redact.null(),
        },
    )
    sync()
    assert set(column(src, "masked", "email")) == {"hidden@example.org"}
    assert set(column(src, "masked", "born")) == {dt.date(2000, 1, 1)}
    assert set(column(src, "masked", "amount")) == {Decimal("1.50")}
    assert set(column(src, "masked", "phone")) == {None}
    assert set(column(src, "masked", "at")) == {None}


RULES_BY_TYPE: dict[str, list[RedactRule]] = {
    "email": [Redact.email(), Redact.partial(1, 1), Redact.null(), Redact.constant("x")],
    "name": [Redact.email(), Redact.partial(2), Redact.sql("md5({column})")],
    "code": [Redact.partial(keep_start=1), Redact.constant("ZZ")],
    "born": [Redact.truncate("month"), Redact.null(), Redact.truncate("hour")],
    "seen": [Redact.truncate("day"), Redact.constant(dt.date(2001, 1, 1))],
    "at": [Redact.truncate("year"), Redact.truncate("hour")],
    "amount": [Redact.bucket(Decimal("0.5")), Redact.constant(3), Redact.sql("{column} * 2")],
    "score": [Redact.bucket(100)],
    "small": [Redact.bucket(2)],
    "big": [Redact.bucket(1000)],
    "ratio": [Redact.bucket(0.25)],
}


@pytest.mark.parametrize("variant", range(4))
def test_masked_columns_keep_their_exact_type(src: str, sync: Sync, variant: int) -> None:
    redact = {name: rules[variant % len(rules)] for name, rules in RULES_BY_TYPE.items()}
    declare(src, "masked", {**redact, "id": Redact.hash()})
    sync()
    source_types = types(src, "src")
    masked_types = types(src, "masked")
    assert masked_types == {**source_types, "id": "text"}
    assert list(masked_types) == list(source_types)  # names and order kept
    # information_schema agrees, e.g. varchar(254) and numeric(10,2)
    info = rows(
        """
        SELECT column_name, data_type, character_maximum_length, numeric_precision, numeric_scale
        FROM information_schema.columns WHERE table_schema = %s AND table_name = 'masked'
          AND column_name IN ('email', 'amount') ORDER BY column_name
        """,
        [src],
    )
    assert info == [
        ("amount", "numeric", None, 10, 2),
        ("email", "character varying", 254, None, None),
    ]


def test_hash_is_an_hmac_that_joins_across_views_and_keeps_null(src: str, sync: Sync) -> None:
    declare(src, "people", {"id": Redact.hash(), "email": Redact.hash()})
    declare(
        src,
        "visits",
        {"person": Redact.hash()},
        sql=f"SELECT id AS person, seen FROM {src}.src",
    )
    sync()
    people = rows(f"SELECT id, email FROM {src}.people")
    assert (expected_hash("1"), expected_hash("ada.lovelace@example.org")) in people
    assert (expected_hash("2"), None) in people
    assert all(re.fullmatch(r"[0-9a-f]{32}", h) for h, _ in people)
    joined = rows(f"SELECT count(*) FROM {src}.people p JOIN {src}.visits v ON v.person = p.id")
    assert joined == [(6,)]


def test_changing_the_key_changes_every_hash(src: str, sync: Sync) -> None:
    declare(src, "people", {"id": Redact.hash()})
    sync()
    before = relations(src)["people"]
    assert expected_hash("1") in column(src, "people", "id")
    with override_settings(DJANGO_ORM_VIEWS={"REDACT_KEY": "another key"}):
        sync()
    hashes = column(src, "people", "id")
    assert expected_hash("1", "another key") in hashes
    assert expected_hash("1") not in hashes
    assert relations(src)["people"] == before  # only the private key row changed
    sync()
    assert expected_hash("1") in column(src, "people", "id")


def test_the_key_appears_in_no_view_definition_or_readable_object(src: str, sync: Sync) -> None:
    declare(src, "people", {"id": Redact.hash()})
    sync()
    definition = rows("SELECT definition FROM pg_views WHERE schemaname = %s", [src])[0][0]
    assert "redact_key" in definition  # the view names the private table ...
    key_bytes = KEY.encode()
    ipad = bytes(b ^ 0x36 for b in key_bytes.ljust(64, b"\0")).hex()
    for secret in (KEY, key_bytes.hex(), ipad):
        assert secret not in definition  # ... but holds neither the key nor its pads
    # neither the key table nor its schema grants anything to PUBLIC
    assert rows(
        "SELECT has_table_privilege('public', 'django_orm_views.redact_key', 'SELECT'),"
        " has_schema_privilege('public', 'django_orm_views', 'USAGE')"
    ) == [(False, False)]


def test_hash_without_a_key_is_refused_before_any_ddl(src: str, sync: Sync) -> None:
    declare(src, "people", {"id": Redact.hash()})
    with (
        override_settings(DJANGO_ORM_VIEWS={"REDACT_KEY": None}),
        pytest.raises(CommandError, match=r"People: uses Redact.hash\(\) but .*REDACT_KEY"),
    ):
        sync()
    assert set(relations(src)) == {"src"}


def test_unknown_redact_column_is_refused_naming_view_and_column(src: str, sync: Sync) -> None:
    declare(src, "fine", {})
    declare(src, "typo", {"emial": Redact.email()})
    with pytest.raises(CommandError, match=r"Typo: redact names column 'emial'"):
        sync()
    assert set(relations(src)) == {"src"}


def test_rule_on_a_type_it_cannot_handle_is_refused(src: str, sync: Sync) -> None:
    declare(src, "wrong", {"name": Redact.truncate("year")})
    with pytest.raises(
        CommandError, match=r"Wrong: column 'name': Redact.truncate\(\) cannot mask"
    ):
        sync()
    declare(src, "wrong", {"score": Redact.bucket(2.5)})
    with pytest.raises(CommandError, match="not a whole multiple of 1"):
        sync()
    assert set(relations(src)) == {"src"}


def test_redacted_columns_are_commented_for_bi_tools(src: str, sync: Sync) -> None:
    view = declare(src, "masked", {"email": Redact.email(), "phone": Redact.partial(3, 2)})
    sync()

    def comments() -> dict[str, str]:
        return dict(
            rows(
                """
                SELECT a.attname, col_description(a.attrelid, a.attnum) AS comment
                FROM pg_attribute a
                WHERE a.attrelid = %s::regclass
                  AND col_description(a.attrelid, a.attnum) IS NOT NULL
                """,
                [f"{src}.masked"],
            )
        )

    assert comments() == {
        "email": "redacted: email",
        "phone": "redacted: partial(keep_start=3, keep_end=2, fill='*')",
    }
    with connection.cursor() as cursor:
        cursor.execute(f"COMMENT ON COLUMN {src}.masked.name IS 'written by hand'")
    view.redact = {"email": Redact.email()}
    sync()
    assert comments() == {"email": "redacted: email", "name": "written by hand"}


def test_queryset_view_is_masked_too(schema: str, sync: Sync) -> None:
    CustomerFactory.create(email="grace@example.com", full_name="Grace Hopper")

    target = schema

    class MaskedCustomers(PostgresViewFromQueryset):
        schema = target
        redact = {"email": Redact.email(), "full_name": Redact.partial(keep_start=1)}

        def get_queryset(self):
            return Customer.objects.values("id", "full_name", "email", "date_of_birth")

    sync()
    assert rows(f"SELECT full_name, email FROM {schema}.masked_customers") == [
        ("G***********", "g***@example.com")
    ]
    assert types(schema, "masked_customers")["email"] == "character varying(254)"


def test_redacted_view_reading_a_view_created_in_the_same_run(src: str, sync: Sync) -> None:
    declare(src, "base", {}, sql=f"SELECT id, email FROM {src}.src")
    declare(src, "masked_base", {"email": Redact.email()}, sql=f"SELECT * FROM {src}.base")
    sync()
    assert column(src, "masked_base", "email")[0] == "a***@example.org"


def test_masks_do_not_raise_on_extreme_values(schema: str, sync: Sync) -> None:
    """Values at the ends of each type's range, where naive SQL overflows or underflows;
    a mask that raised on some rows would tell an analyst which rows hold them."""
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE SCHEMA {schema}")
        cursor.execute(f"CREATE DOMAIN {schema}.positive AS integer CHECK (VALUE > 0)")
        cursor.execute(f"CREATE DOMAIN {schema}.short_text AS varchar(8) NOT NULL")
        cursor.execute(
            f"""
            CREATE TABLE {schema}.extremes (
                id int, tiny double precision, born date, seen timestamp, at timestamptz,
                hundreds numeric(3,-2), qty {schema}.positive, code {schema}.short_text
            )
            """
            if _pg_version() >= 150000
            else f"""
            CREATE TABLE {schema}.extremes (
                id int, tiny double precision, born date, seen timestamp, at timestamptz,
                hundreds numeric(3,0), qty {schema}.positive, code {schema}.short_text
            )
            """
        )
        cursor.execute(
            f"""
            INSERT INTO {schema}.extremes VALUES
              (1, 1e-320, '294276-12-31', '294276-12-31 23:59:59', '294276-12-31 23:59:59+00',
               -99900, 1, 'abc'),
              (2, 1e308, '4714-11-24 BC', '4714-11-24 00:00:00 BC', '4714-11-24 00:00:00+00 BC',
               99900, 9, 'abcdefgh'),
              (3, '-Infinity', 'infinity', '-infinity', 'infinity', 0, 2147483647, ''),
              (4, -1e-320, '5874897-12-31', 'infinity', '-infinity', NULL, NULL, 'x')
            """
        )
    declare(
        schema,
        "masked",
        {
            "tiny": Redact.bucket(10000),
            "born": Redact.truncate("year"),
            "seen": Redact.truncate("month"),
            "at": Redact.truncate("year"),
            "hundreds": Redact.bucket(1000),
            "qty": Redact.bucket(10),  # 1 and 9 floor to 0, which the domain forbids
            "code": Redact.null(),  # NULL, which the domain forbids
        },
        sql=f"SELECT * FROM {schema}.extremes",
    )
    declare(
        schema,
        "hashed",
        {"born": Redact.hash(), "seen": Redact.hash(), "at": Redact.hash()},
        sql=f"SELECT id, born, seen, at FROM {schema}.extremes",
    )
    sync()
    # dates and times read as text: Python's datetime cannot hold most of them
    masked = rows(
        f"SELECT id, tiny, born::text, seen::text, (at AT TIME ZONE 'UTC')::text, hundreds,"
        f" qty, code FROM {schema}.masked ORDER BY id"
    )
    assert [r[1] for r in masked] == [0.0, 1e308, float("-inf"), -10000.0]
    assert [r[2] for r in masked] == ["294276-01-01", "4714-11-24 BC", "infinity", "294276-01-01"]
    assert [r[3] for r in masked] == [
        "294276-12-01 00:00:00",
        "4714-11-24 00:00:00 BC",
        "-infinity",
        "infinity",
    ]
    assert [r[4] for r in masked] == [
        "294276-01-01 00:00:00",
        "4714-11-24 00:00:00 BC",
        "infinity",
        "-infinity",
    ]
    assert [r[6] for r in masked] == [0, 0, 2147483640, None]  # the domain became integer
    assert {r[7] for r in masked} == {None}
    hashed = rows(f"SELECT born, seen, at FROM {schema}.hashed ORDER BY id")
    assert hashed[2][0] != hashed[3][0]  # infinity and a far date do not collide
    for column_hashes in zip(*hashed, strict=True):
        assert len(set(column_hashes)) == 4  # none raised, none collided
    # the same instant hashes the same as timestamp and as timestamptz (in UTC)
    assert hashed[0][1] == hashed[0][2]
    assert types(schema, "masked")["qty"] == "integer"
    assert types(schema, "masked")["code"] == "character varying(8)"


def _pg_version() -> int:
    return int(rows("SHOW server_version_num")[0][0])


def test_day_and_hour_truncation_at_the_ends_of_the_range(schema: str, sync: Sync) -> None:
    """Day and hour need no clamp: the first and last days, and infinities, pass."""
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE SCHEMA {schema}")
        cursor.execute(f"CREATE TABLE {schema}.ends (id int, seen timestamp, at timestamptz)")
        cursor.execute(
            f"""
            INSERT INTO {schema}.ends VALUES
              (1, '4714-11-24 00:30:00 BC', '4714-11-24 00:30:00+00 BC'),
              (2, '294276-12-31 23:59:59', '294276-12-31 23:59:59+00'),
              (3, 'infinity', '-infinity'),
              (4, '-infinity', 'infinity'),
              (5, NULL, NULL)
            """
        )
    body = f"SELECT * FROM {schema}.ends"
    declare(schema, "by_day", {"seen": Redact.truncate("day"), "at": Redact.truncate("day")}, body)
    declare(
        schema, "by_hour", {"seen": Redact.truncate("hour"), "at": Redact.truncate("hour")}, body
    )
    sync()
    query = "SELECT seen::text, (at AT TIME ZONE 'UTC')::text FROM {}.{} ORDER BY id"
    assert rows(query.format(schema, "by_day")) == [
        ("4714-11-24 00:00:00 BC", "4714-11-24 00:00:00 BC"),
        ("294276-12-31 00:00:00", "294276-12-31 00:00:00"),
        ("infinity", "-infinity"),
        ("-infinity", "infinity"),
        (None, None),
    ]
    assert rows(query.format(schema, "by_hour")) == [
        ("4714-11-24 00:00:00 BC", "4714-11-24 00:00:00 BC"),
        ("294276-12-31 23:00:00", "294276-12-31 23:00:00"),
        ("infinity", "-infinity"),
        ("-infinity", "infinity"),
        (None, None),
    ]
    assert types(schema, "by_hour") == {
        "id": "integer",
        "seen": "timestamp without time zone",
        "at": "timestamp with time zone",
    }


def test_year_and_month_near_the_first_day_whatever_the_sync_time_zone(
    schema: str, sync: Sync
) -> None:
    """Years and months that start inside the range truncate exactly; earlier
    ones give the first day, an instant in UTC whatever the syncing session's
    TimeZone (America/Chicago was 5:50:36 behind UTC then)."""
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE SCHEMA {schema}")
        cursor.execute(
            f"CREATE TABLE {schema}.early (id int, born date, seen timestamp, at timestamptz)"
        )
        cursor.execute(
            f"""
            INSERT INTO {schema}.early VALUES
              (1, '4714-11-24 BC', '4714-11-24 00:30:00 BC', '4714-11-24 00:30:00+00 BC'),
              (2, '4713-03-05 BC', '4713-03-05 12:00:00 BC', '4713-03-05 12:00:00+00 BC'),
              (3, '4714-12-15 BC', '4714-12-15 06:00:00 BC', '4714-12-15 06:00:00+00 BC')
            """
        )
    body = f"SELECT * FROM {schema}.early"
    for unit in ("year", "month"):
        rules = {c: Redact.truncate(unit) for c in ("born", "seen", "at")}
        declare(schema, f"by_{unit}", rules, body)
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('TimeZone', 'America/Chicago', false)")
    try:
        sync()
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('TimeZone', 'UTC', false)")
    query = "SELECT born::text, seen::text, (at AT TIME ZONE 'UTC')::text FROM {}.{} ORDER BY id"
    first = ("4714-11-24 BC", "4714-11-24 00:00:00 BC", "4714-11-24 00:00:00 BC")
    assert rows(query.format(schema, "by_year")) == [
        first,
        ("4713-01-01 BC", "4713-01-01 00:00:00 BC", "4713-01-01 00:00:00 BC"),
        first,
    ]
    assert rows(query.format(schema, "by_month")) == [
        first,
        ("4713-03-01 BC", "4713-03-01 00:00:00 BC", "4713-03-01 00:00:00 BC"),
        ("4714-12-01 BC", "4714-12-01 00:00:00 BC", "4714-12-01 00:00:00 BC"),
    ]


def test_a_look_alike_function_in_public_cannot_capture_masked_values(src: str, sync: Sync) -> None:
    """CVE-2018-1058 style: an exact-match function created in a schema on the
    syncing session's search_path must not stand in for the built-in a mask uses."""
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE FUNCTION public.convert_to(text, text) RETURNS bytea LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE NOTICE 'captured: %', $1; RETURN pg_catalog.convert_to($1, $2::name); "
            "END $$"
        )
        cursor.execute(
            "CREATE FUNCTION public.left(text, integer) RETURNS text LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE NOTICE 'captured: %', $1; RETURN $1; END $$"
        )
    try:
        declare(src, "masked", {"email": Redact.hash(), "name": Redact.email()})
        sync()
        definition = rows("SELECT definition FROM pg_views WHERE viewname = 'masked'")[0][0]
        assert "public.convert_to" not in definition
        assert "public.left" not in definition
        with connection.cursor() as cursor:
            seen: list[str] = []
            cursor.connection.add_notice_handler(lambda d: seen.append(d.message_primary or ""))
            cursor.execute(f"SELECT * FROM {src}.masked")
            cursor.fetchall()
        assert seen == []
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP FUNCTION public.convert_to(text, text)")
            cursor.execute("DROP FUNCTION public.left(text, integer)")


def test_the_key_is_never_sent_in_sql_text(src: str, sync: Sync) -> None:
    """Statement logs record SQL text and bind parameters: the pads go by COPY."""
    from django_orm_views.applying import hmac_pads

    declare(src, "people", {"id": Redact.hash()})
    sent: list[str] = []

    def capture(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        sent.append(f"{sql} {params!r}")
        return execute(sql, params, many, context)

    key = "a brand new key"
    ipad, opad = hmac_pads(key)
    with (
        connection.execute_wrapper(capture),
        override_settings(DJANGO_ORM_VIEWS={"REDACT_KEY": key}),
    ):
        sync()
    text = "\n".join(sent)
    assert sent
    for secret in (key, ipad.hex(), opad.hex(), repr(ipad)[2:20], repr(opad)[2:20]):
        assert secret not in text
    assert expected_hash("1", key) in column(src, "people", "id")


def test_privileges_on_the_private_schema_are_taken_back(src: str, sync: Sync) -> None:
    declare(src, "people", {"id": Redact.hash()})
    sync()
    spy = f"spy_{src}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE ROLE "{spy}"')
        cursor.execute(f'GRANT USAGE ON SCHEMA django_orm_views TO "{spy}"')
        cursor.execute(f'GRANT SELECT ON django_orm_views.redact_key TO "{spy}"')
        cursor.execute("GRANT SELECT (ipad) ON django_orm_views.redact_key TO PUBLIC")
    try:
        with pytest.raises(CommandError, match="not in sync"):
            sync("--check")
        sync()
        assert rows(
            "SELECT has_schema_privilege(%s, 'django_orm_views', 'USAGE'),"
            " has_any_column_privilege(%s, 'django_orm_views.redact_key', 'SELECT'),"
            " has_any_column_privilege('public', 'django_orm_views.redact_key', 'SELECT')",
            [spy, spy],
        ) == [(False, False, False)]
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP OWNED BY "{spy}"')
            cursor.execute(f'DROP ROLE "{spy}"')


def test_float_buckets_at_the_ends_of_the_range_do_not_raise(schema: str, sync: Sync) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE SCHEMA {schema}")
        cursor.execute(f"CREATE TABLE {schema}.floats (id int, r real, d double precision)")
        cursor.execute(
            f"INSERT INTO {schema}.floats VALUES (1, '-3.4028234e38', '-1.79e308'),"
            " (2, '3.4028234e38', '1.79e308'), (3, 'NaN', 'Infinity')"
        )
    declare(
        schema,
        "masked",
        {"r": Redact.bucket(10**37), "d": Redact.bucket(1e300)},
        sql=f"SELECT * FROM {schema}.floats",
    )
    sync()
    masked = rows(f"SELECT r, d FROM {schema}.masked ORDER BY id")
    assert masked[0] == (-3.4e38, pytest.approx(-1.79e308, rel=1e-3))
    assert masked[1] == (pytest.approx(3.4e38), pytest.approx(1.79e308, rel=1e-3))
    assert masked[2][0] != masked[2][0]
    assert masked[2][1] == float("inf")
