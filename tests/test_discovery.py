"""Discovery of ``postgres_views`` modules, run in a fresh interpreter as Django would."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from django_orm_views.registry import registry


def _run_django_setup(
    tmp_path: Path, apps: dict[str, str | None]
) -> subprocess.CompletedProcess[str]:
    """Start Django with extra apps whose ``postgres_views`` holds the given source."""
    for app, source in apps.items():
        package = tmp_path / app
        package.mkdir()
        (package / "__init__.py").write_text("")
        if source is not None:
            (package / "postgres_views.py").write_text(textwrap.dedent(source))
    settings = tmp_path / "extra_settings.py"
    settings.write_text(
        "from tests.settings import *  # noqa\n"
        f"INSTALLED_APPS = [*INSTALLED_APPS, {', '.join(repr(a) for a in apps)}]\n"
    )
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(tmp_path), str(Path(__file__).parent.parent)]),
        "DJANGO_SETTINGS_MODULE": "extra_settings",
    }
    code = (
        "import django; django.setup()\n"
        "from django_orm_views.registry import registry\n"
        "print(sorted(v.qualified_name() for v in registry))\n"
    )
    return subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
    )


def test_installed_apps_views_are_discovered() -> None:
    assert registry.get("analytics", "customer_countries") is not None
    assert registry.get("analytics", "orders_per_country") is not None


def test_app_without_module_is_fine_and_views_are_found(tmp_path: Path) -> None:
    result = _run_django_setup(
        tmp_path,
        {
            "plain_app": None,
            "views_app": """
                from django_orm_views import PostgresViewFromSQL

                class Hello(PostgresViewFromSQL):
                    sql = "SELECT 1 AS n"
            """,
        },
    )
    assert result.returncode == 0, result.stderr
    assert "'analytics.hello'" in result.stdout


@pytest.mark.parametrize(
    ("source", "error"),
    [
        ("x = 1 / 0\n", "ZeroDivisionError"),
        ("import no_such_module_anywhere\n", "ModuleNotFoundError: No module named"),
        ("def broken(:\n", "SyntaxError"),
    ],
)
def test_broken_module_fails_loudly_with_its_traceback(
    tmp_path: Path, source: str, error: str
) -> None:
    result = _run_django_setup(tmp_path, {"broken_app": source})
    assert result.returncode != 0
    assert error in result.stderr
    assert "broken_app/postgres_views.py" in result.stderr


def test_bad_view_class_fails_at_import_naming_it(tmp_path: Path) -> None:
    result = _run_django_setup(
        tmp_path,
        {
            "dup_app": """
                from django_orm_views import PostgresViewFromSQL

                class First(PostgresViewFromSQL):
                    name = "orders_per_country"
                    sql = "SELECT 1"
            """,
        },
    )
    assert result.returncode != 0
    assert "dup_app.postgres_views.First" in result.stderr
    assert "tests.testapp.postgres_views.OrdersPerCountry" in result.stderr
