"""Declares ``BENCH_VIEWS`` views in ``BENCH_SCHEMA`` (nothing when unset)."""

from __future__ import annotations

import os

from bench.benchviews.generate import declare_views

_schema = os.environ.get("BENCH_SCHEMA")
if _schema:
    declare_views(_schema, int(os.environ.get("BENCH_VIEWS", "1000")), __name__)
