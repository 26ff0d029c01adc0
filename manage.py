#!/usr/bin/env python
"""Django's command-line utility for the Playground service (development settings by default)."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "playground.settings.local")
    try:
        from django.core.management import execute_from_command_line
    except ImportError as exc:
        raise ImportError(
            "Django is not importable. Run `make run` (it creates .venv and installs "
            "requirements), or activate .venv first."
        ) from exc
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
