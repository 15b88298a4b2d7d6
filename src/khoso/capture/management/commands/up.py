"""``khoso up``: prepare the embedded default and start web server + worker in the background.

Logs and pid files live in ``KHOSO_DATA_DIR/run``; ``khoso down`` stops both.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser


def run_dir() -> Path:
    path = Path(settings.DATA_DIR) / "run"
    path.mkdir(exist_ok=True)
    return path


class Command(BaseCommand):
    help = "Khởi động máy chủ web và tiến trình xử lý / Start the web server and a worker."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bind", default="127.0.0.1:8000")

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate", verbosity=0)
        call_command("collectstatic", verbosity=0, interactive=False)
        call_command("demo")
        call_command("reindex", if_missing=True)
        call_command("down", verbosity=0)
        khoso = [sys.executable, "-m", "khoso"]
        env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
        services = {
            "worker": [*khoso, "worker"],
            "web": [
                sys.executable,
                "-m",
                "gunicorn",
                "khoso.config.wsgi",
                "--bind",
                options["bind"],
                "--workers",
                "2",
                "--timeout",
                "300",
            ],
        }
        for name, argv in services.items():
            with open(run_dir() / f"{name}.log", "ab") as log:
                process = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
            (run_dir() / f"{name}.pid").write_text(str(process.pid))
        url = f"http://{options['bind']}/"
        for _ in range(60):
            try:
                urllib.request.urlopen(url + "dang-nhap/", timeout=2)  # noqa: S310 - our own loopback server
                break
            except OSError:
                time.sleep(0.5)
        else:
            raise CommandError(f"Máy chủ web không khởi động được; xem {run_dir() / 'web.log'}")
        self.stdout.write(f"Kho Số đang chạy tại / running at {url}  (dữ liệu / data: {settings.DATA_DIR})")
