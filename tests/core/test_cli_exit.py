"""``khoso`` ends its process as soon as a command is done (:func:`khoso.cli.run`), without losing what
an ordinary exit would have done: the command's output, its exit status, the exit handlers, a thread it
left running.

Each test runs the program in a fresh interpreter, as an operator's shell does.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


@pytest.fixture
def environment(tmp_path: Path) -> dict[str, str]:
    env = {**os.environ, "KHOSO_DATA_DIR": str(tmp_path / "data")}
    for name in ("KHOSO_DATABASE_URL", "KHOSO_BROKER_URL", "DJANGO_SETTINGS_MODULE", "PYTHONUNBUFFERED"):
        env.pop(name, None)
    return env


def _khoso(environment: dict[str, str], *argv: str, before: str = "") -> subprocess.CompletedProcess[str]:
    program = f"import sys\n{before}\nsys.argv = ['khoso', *{list(argv)!r}]\nfrom khoso.cli import run\nrun()\n"
    return subprocess.run([sys.executable, "-c", program], env=environment, capture_output=True, text=True, timeout=120)


def test_the_output_reaches_a_pipe(environment: dict[str, str]) -> None:
    done = _khoso(environment, "check")  # a short message: it sits in the pipe's buffer until flushed
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "System check identified no issues (0 silenced)."


def test_a_failed_command_keeps_its_status_and_message(environment: dict[str, str], tmp_path: Path) -> None:
    missing = tmp_path / "khong-co"
    done = _khoso(environment, "ingest", str(missing), "--file-code", "000.00.00.H15.2025.01")
    assert done.returncode == 1
    assert f"Không tìm thấy {missing}" in done.stderr


def test_exit_handlers_still_run(environment: dict[str, str]) -> None:
    done = _khoso(environment, "check", before="import atexit\natexit.register(print, 'tạm biệt')")
    assert done.returncode == 0, done.stderr
    assert done.stdout.rstrip().endswith("tạm biệt")


def test_a_thread_left_running_is_waited_for(environment: dict[str, str]) -> None:
    # The thread finishes its work only once the main thread is done, as a thread still busy then would.
    thread = (
        "import threading\n"
        "threading.Thread(target=lambda: (threading.main_thread().join(), print('xong việc'))).start()"
    )
    done = _khoso(environment, "check", before=thread)
    assert done.returncode == 0, done.stderr
    assert "xong việc" in done.stdout
