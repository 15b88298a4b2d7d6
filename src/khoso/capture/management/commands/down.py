"""``khoso down``: stop the web server and worker started by ``khoso up``."""

from __future__ import annotations

import os
import signal
from typing import Any

from django.core.management.base import BaseCommand

from khoso.capture.management.commands.up import run_dir


class Command(BaseCommand):
    help = "Dừng máy chủ web và tiến trình xử lý / Stop the web server and worker."

    def handle(self, *args: Any, **options: Any) -> None:
        for pid_file in run_dir().glob("*.pid"):
            try:
                os.killpg(int(pid_file.read_text()), signal.SIGTERM)
                self.stdout.write(f"Đã dừng / stopped {pid_file.stem}")
            except (ProcessLookupError, ValueError, PermissionError):
                pass
            pid_file.unlink()
