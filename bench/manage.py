#!/usr/bin/env python
"""``manage.py`` of the benchmark project; run as ``python bench/manage.py ...``."""

import os
import sys
from pathlib import Path


def main() -> None:
    # Python puts bench/ on sys.path; the settings live in the ``bench`` package.
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
