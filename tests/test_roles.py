"""analytics_roles: provisioning commands and the access report, on a real server."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings

from analytics_roles.conf import ANALYST_MARKER, GROUP_MARKER
from tests.helpers import Shop, connect_as, rows


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_sync_roles_makes_nologin_groups_and_a_second_run_is_a_no_op(shop: Shop) -> None:
    group = rows(
        "SELECT rolcanlogin, rolsuper, rolcreaterole, rolbypassrls, "
        "shobj_description(oid, 'pg_authid') FROM pg_roles WHERE rolname = %s",
        [shop.analyst_group],
    )
    assert group == [(False, False, False, False, GROUP_MARKER)]
    roles = {shop.analyst_group: {"statement_timeout": "30s", "connection_limit": 3}}
    with override_settings(ANALYTICS_ROLES=roles):
        assert "ran 0 statement(s)" in run("sync_roles")
        # changed settings reach the analysts of the group
        roles[shop.analyst_group]["statement_timeout"] = "45s"
        assert "ran 1 statement(s)" in run("sync_roles")
    with connect_as(shop.analyst, shop.password) as alice:
        assert alice.execute("SHOW statement_timeout").fetchone() == ("45s",)


def test_sync_roles_prunes_only_its_own_roles(shop: Shop) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE ROLE "{shop.prefix}dba_made"')
    with override_settings(ANALYTICS_ROLES={shop.analyst_group: {}}):
        out = run("sync_roles", "--prune", "--dry-run")
        assert f'DROP ROLE "{shop.finance_group}"' in out
        assert "dba_made" not in out
    # the finance group still has a view granted: dropping it is refused, nothing changes
    with (
        override_settings(ANALYTICS_ROLES={shop.analyst_group: {}}),
        pytest.raises(CommandError, match="nothing was changed"),
    ):
        run("sync_roles", "--prune")
    assert rows("SELECT count(*) FROM pg_roles WHERE rolname = %s", [shop.finance_group]) == [(1,)]


def test_create_analyst_sends_only_a_scram_verifier(shop: Shop) -> None:
    [(verifier, limit)] = rows(
        "SELECT rolpassword, rolconnlimit FROM pg_authid WHERE rolname = %s", [shop.analyst]
    )
    assert verifier.startswith("SCRAM-SHA-256$4096:")
    assert shop.password not in verifier
    assert limit == 3
    [(settings,)] = rows(
        "SELECT setconfig FROM pg_db_role_setting WHERE setrole = %s::regrole", [shop.analyst]
    )
    assert sorted(settings) == [
        "default_transaction_read_only=on",
        "idle_in_transaction_session_timeout=5min",
        f"search_path={shop.schema}",
        "statement_timeout=30s",
    ]


def test_generated_password_is_printed_once_and_analysts_are_listed(shop: Shop) -> None:
    name = f"{shop.prefix}bob"
    with override_settings(ANALYTICS_ROLES={shop.finance_group: {}}):
        out = run("create_analyst", name, "--role", shop.finance_group)
    assert out.count("password (shown once): ") == 1
    listed = run("list_analysts")
    assert f"{name}: {shop.finance_group}" in listed
    assert f"{shop.analyst}: {shop.analyst_group}" in listed
    assert rows(
        "SELECT shobj_description(oid, 'pg_authid') FROM pg_roles WHERE rolname = %s", [name]
    ) == [(ANALYST_MARKER,)]
    run("drop_analyst", name)
    assert rows("SELECT count(*) FROM pg_roles WHERE rolname = %s", [name]) == [(0,)]


def test_provisioning_refuses_what_it_must_not_do(shop: Shop) -> None:
    with override_settings(ANALYTICS_ROLES={shop.analyst_group: {}}):
        with pytest.raises(CommandError, match="already exists"):
            run("create_analyst", shop.analyst, "--role", shop.analyst_group)
        with pytest.raises(CommandError, match="is not in ANALYTICS_ROLES"):
            run("create_analyst", f"{shop.prefix}x", "--role", "nope")
        with pytest.raises(CommandError, match="PUBLIC"):
            run("create_analyst", "public", "--role", shop.analyst_group)
    with pytest.raises(CommandError, match="not created by create_analyst"):
        run("drop_analyst", shop.analyst_group)


def test_commands_need_createrole(shop: Shop) -> None:
    plain = f"{shop.prefix}plain"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE ROLE "{plain}"')
        cursor.execute(f'SET ROLE "{plain}"')
    try:
        with pytest.raises(CommandError, match="needs CREATEROLE"):
            run("sync_roles")
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")


def test_access_report_json_field_by_field(shop: Shop) -> None:
    report = json.loads(run("access_report", "--format", "json", "--role", shop.analyst))
    assert len(report) == 1
    alice = report[0]
    assert alice["role"] == shop.analyst
    assert alice["login"] is True
    assert alice["member_of"] == [shop.analyst_group]
    assert alice["warnings"] == []
    assert [(v["schema"], v["name"], v["kind"], v["managed"]) for v in alice["views"]] == [
        (shop.schema, "british", "view", True),
        (shop.schema, "customers", "view", True),
    ]
    customers = alice["views"][1]["columns"]
    assert customers == [
        {"name": "id", "type": "text", "redacted": True, "redaction": "hash"},
        {
            "name": "email",
            "type": "character varying(254)",
            "redacted": True,
            "redaction": "email",
        },
        {
            "name": "full_name",
            "type": "character varying(200)",
            "redacted": False,
            "redaction": None,
        },
        {"name": "country", "type": "character varying(2)", "redacted": False, "redaction": None},
    ]


def test_access_report_flags_a_hand_made_base_table_grant(shop: Shop) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f'GRANT SELECT ON public.testapp_customer TO "{shop.analyst_group}"')
        cursor.execute(f'GRANT CREATE ON SCHEMA public TO "{shop.analyst_group}"')
    report = json.loads(run("access_report", "--format", "json", "--role", shop.analyst))
    codes = {(w["code"], w["object"]) for w in report[0]["warnings"]}
    assert ("outside-schema", "public.testapp_customer") in codes
    assert ("create", "public") in codes
    with pytest.raises(CommandError, match=r"\d+ warning"):
        run("access_report", "--role", shop.analyst, "--fail-on-warnings")
    text = run("access_report", "--role", shop.analyst)
    assert "WARNING outside-schema" in text
    markdown = run("access_report", "--role", shop.analyst, "--format", "markdown")
    assert f"## `{shop.analyst}` (login role)" in markdown
    # sync_roles takes CREATE back
    with override_settings(ANALYTICS_ROLES={shop.analyst_group: {}, shop.finance_group: {}}):
        run("sync_roles")
    report = json.loads(run("access_report", "--format", "json", "--role", shop.analyst))
    assert ("create", "public") not in {(w["code"], w["object"]) for w in report[0]["warnings"]}


def test_the_stored_verifier_matches_the_password(shop: Shop) -> None:
    """The test servers trust local connections, so prove the password instead from the
    SCRAM verifier (RFC 5802): StoredKey = H(HMAC(PBKDF2(password, salt, i), "Client Key"))."""
    import base64
    import hashlib
    import hmac

    [(verifier,)] = rows("SELECT rolpassword FROM pg_authid WHERE rolname = %s", [shop.analyst])
    _, params, keys = verifier.split("$")
    iterations, salt = params.split(":")
    stored_key = keys.split(":")[0]

    def stored(password: str) -> str:
        salted = hashlib.pbkdf2_hmac(
            "sha256", password.encode(), base64.b64decode(salt), int(iterations)
        )
        client_key = hmac.new(salted, b"Client Key", hashlib.sha256).digest()
        return base64.b64encode(hashlib.sha256(client_key).digest()).decode()

    assert stored(shop.password) == stored_key
    assert stored(shop.password + "!") != stored_key


def test_sync_roles_takes_over_no_role_it_did_not_create_unless_told(shop: Shop) -> None:
    service = f"{shop.prefix}service"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE ROLE "{service}" LOGIN')
    with override_settings(ANALYTICS_ROLES={service: {}}):
        with pytest.raises(CommandError, match="--adopt"):
            run("sync_roles")
        assert rows("SELECT rolcanlogin FROM pg_roles WHERE rolname = %s", [service]) == [(True,)]
        with pytest.raises(CommandError, match="not created by sync_roles"):
            run("create_analyst", f"{shop.prefix}carol", "--role", service)
        run("sync_roles", "--adopt")
    assert rows(
        "SELECT rolcanlogin, shobj_description(oid, 'pg_authid') FROM pg_roles WHERE rolname = %s",
        [service],
    ) == [(False, GROUP_MARKER)]
    with (
        override_settings(ANALYTICS_ROLES={"postgres": {}}),
        pytest.raises(CommandError, match="can never be an analysts' group"),
    ):
        run("sync_roles", "--adopt")


def test_settings_dropped_from_a_group_are_reset_on_its_analysts(shop: Shop) -> None:
    with override_settings(
        ANALYTICS_ROLES={shop.analyst_group: {"idle_in_transaction_session_timeout": None}}
    ):
        run("sync_roles")
    [(settings,)] = rows(
        "SELECT setconfig FROM pg_db_role_setting WHERE setrole = %s::regrole", [shop.analyst]
    )
    assert not any(s.startswith(("statement_timeout", "idle_in")) for s in settings)
    assert "default_transaction_read_only=on" in settings


def test_create_on_the_database_is_flagged_and_revoked(shop: Shop) -> None:
    with connection.cursor() as cursor:
        database = connection.settings_dict["NAME"]
        cursor.execute(f'GRANT CREATE ON DATABASE "{database}" TO "{shop.analyst_group}"')
    report = json.loads(run("access_report", "--format", "json", "--role", shop.analyst))
    assert ("create-schema", "database") in {
        (w["code"], w["object"]) for w in report[0]["warnings"]
    }
    with override_settings(ANALYTICS_ROLES={shop.analyst_group: {}, shop.finance_group: {}}):
        run("sync_roles")
    report = json.loads(run("access_report", "--format", "json", "--role", shop.analyst))
    assert report[0]["warnings"] == []


def test_a_non_superuser_with_createrole_can_provision(shop: Shop) -> None:
    """Production runs these commands as an application role, not a superuser."""
    admin, group, dave = (f"{shop.prefix}{n}" for n in ("admin", "auditors", "dave"))
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE ROLE "{admin}" CREATEROLE')
        cursor.execute(f'SET ROLE "{admin}"')
    try:
        with override_settings(ANALYTICS_ROLES={group: {"statement_timeout": "10s"}}):
            run("sync_roles")
            assert "ran 0 statement(s)" in run("sync_roles")
            run("create_analyst", dave, "--role", group)
            run("sync_roles")
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")
    assert rows(
        "SELECT pg_has_role(%s, %s, 'MEMBER'), rolcanlogin FROM pg_roles WHERE rolname = %s",
        [dave, group, dave],
    ) == [(True, True)]
    [(settings,)] = rows(
        "SELECT setconfig FROM pg_db_role_setting WHERE setrole = %s::regrole", [dave]
    )
    assert "statement_timeout=10s" in settings
