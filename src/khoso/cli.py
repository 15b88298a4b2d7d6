"""The ``khoso`` command: Django's ``manage.py`` plus our own verbs.

Archivists and operators use one command for everything (``khoso ingest``, ``khoso search``,
``khoso fsck``, ``khoso worker``, ``khoso runserver``…). Our verbs are Django management
commands, so they share settings, logging and error handling with the web and the worker.

Why :func:`run` ends the process itself: when a command has finished, the interpreter would go on to
tear down every module it imported, one by one (Django, numpy, OpenCV, tantivy, pyHanko: about 1,700
modules, 0.25–0.45 s measured on 23/11/2026), work whose only result is freed memory the operating
system reclaims anyway. A scanning station runs ``khoso ingest`` once per file, thousands of times a
day. So once the command's own work is over (its output flushed, its database connections closed, the
exit handlers run: logging's flush, temporary files' clean-up), the process exits at once. A command
that leaves a thread of its own running, or that failed with a traceback, ends the ordinary way.
"""

from __future__ import annotations

import atexit
import os
import sys
import threading


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "khoso.config.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["khoso", *(sys.argv[1:] if argv is None else argv)])


def run() -> None:
    """The program's entry point (``khoso``, ``python -m khoso``): :func:`main`, then a prompt exit."""
    try:
        main()
    except SystemExit as exiting:
        code = exiting.code
    else:
        code = 0
    if threading.active_count() > 1:
        sys.exit(code)
    _exit_promptly(code)


def _exit_promptly(code: object) -> None:
    from django.db import connections

    connections.close_all()
    if code is not None and not isinstance(code, int):
        print(code, file=sys.stderr)
        code = 1
    atexit._run_exitfuncs()  # what the interpreter would run on the way out, before os._exit skips the rest
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    os._exit(code or 0)


if __name__ == "__main__":
    run()
