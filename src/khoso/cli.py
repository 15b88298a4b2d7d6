"""The ``khoso`` command: Django's ``manage.py`` plus our own verbs.

Archivists and operators use one command for everything (``khoso ingest``, ``khoso search``,
``khoso fsck``, ``khoso worker``, ``khoso runserver``…). Our verbs are Django management
commands, so they share settings, logging and error handling with the web and the worker.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "khoso.config.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["khoso", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
