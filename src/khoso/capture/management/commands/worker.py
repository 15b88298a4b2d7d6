"""``khoso worker``: a Celery worker (with the schedule) for the pipeline."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Chạy tiến trình xử lý nền / Run a pipeline worker."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--concurrency", type=int, default=settings.CELERY_WORKER_CONCURRENCY)
        parser.add_argument("--no-beat", action="store_true", help="Không chạy lịch định kỳ trên máy này")
        parser.add_argument("--hostname", default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        from khoso.config.celery import app

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
