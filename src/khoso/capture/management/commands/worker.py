"""``khoso worker``: a Celery worker (with the schedule) for the pipeline.

Start-up checks (:class:`PipelineCommand`, shared with ``khoso ingest``): Django runs every system check
before a command by default, and the URL check imports every view of the web with its libraries, for
pages nobody serves from here. These commands run the checks of what they do instead: the models they
write, the archive's own settings checks (tag ``khoso``: an offline enclave must not reach a time-stamp
authority or a mail server) and tesseract with its language data (:mod:`khoso.capture.checks`).
``khoso check``, ``migrate`` and the web still run them all. Django checks the database only for
``migrate`` and ``check --database``; these commands connect to it once instead, so that a worker whose
database does not answer stops with the reason rather than logging it at every task.

What the pool's children need only for some tasks (pyHanko to sign an assembled file, the URL
configuration for the OAI-PMH links of a new record) is imported by the child that first needs it, once
in its life, instead of by every worker before it is ready.
"""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings
from django.core.checks import Tags
from django.core.management.base import BaseCommand, CommandError, CommandParser, SystemCheckError
from django.db import DatabaseError, connection, connections


class PipelineCommand(BaseCommand):
    """A command of the page pipeline: the system checks it depends on, not the web's (module docstring)."""

    requires_system_checks = [Tags.models, "khoso"]

    def check(self, *args: Any, **kwargs: Any) -> None:
        super().check(*args, **kwargs)
        # Django picks checks by tag and this one has none: run it here, as ``khoso check`` would.
        from khoso.capture.checks import ocr_programs_present

        problems = [problem for problem in ocr_programs_present() if problem.is_serious() and not problem.is_silenced()]
        if problems:
            raise SystemCheckError(
                "Kiểm tra hệ thống thấy lỗi / System check identified some issues:\n\nERRORS:\n"
                + "\n".join(str(problem) for problem in problems)
            )
        try:
            connection.ensure_connection()
        except DatabaseError as error:
            raise CommandError(f"Không kết nối được cơ sở dữ liệu / the database does not answer: {error}") from error


class Command(PipelineCommand):
    help = "Chạy tiến trình xử lý nền / Run a pipeline worker."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--concurrency", type=int, default=settings.CELERY_WORKER_CONCURRENCY)
        parser.add_argument("--no-beat", action="store_true", help="Không chạy lịch định kỳ trên máy này")
        parser.add_argument("--hostname", default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        from khoso.config.celery import app

        # The checks ran before handle(). Celery's Django fix-up would run every check again when the
        # worker starts (importing every view for the URL check) and then ignore what they found.
        os.environ.setdefault("CELERY_SKIP_CHECKS", "1")
        connections.close_all()  # the check's connection must not be shared with the pool's forked children
        argv = [
            "worker",
            f"--concurrency={options['concurrency']}",
            "--loglevel=INFO",
            "--without-gossip",
            "--without-mingle",
        ]
        if not options["no_beat"]:
            argv += ["--beat", f"--schedule={settings.DATA_DIR / 'celerybeat-schedule'}"]
        if options["hostname"]:
            argv.append(f"--hostname={options['hostname']}")
        app.worker_main(argv)
