#!/usr/bin/env python
"""Django's command-line utility for the example project.

Run it from the repository root (``python example/manage.py demo``) or from
inside ``example/``: Python puts this file's folder on ``sys.path`` either way.
"""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
