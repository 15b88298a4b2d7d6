"""The fixed cost of a pipeline command's start stays small (issue 8): ``khoso ingest`` and ``khoso worker``
start without the libraries only some operations need, and run their own system checks, not the web's.

Each test starts a fresh interpreter (``sys.modules`` of this one holds whatever earlier tests imported).
No timing is asserted: which modules are loaded is what keeps the time down, on any machine.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

#: Loaded by signing, printing (XLSX/PDF reports), the page pipeline, the REST API's schema: ≈ 3 CPU-s
#: together, none of it needed before a page is processed, a file signed or a report printed.
HEAVY = (
    "pyhanko",
    "khoso.signing.pades",
    "khoso.signing.ltv",
    "fontTools",
    "aiohttp",
    "openpyxl",
    "reportlab",
    "khoso.core.printing",
    "cv2",
    "numpy",
    "khoso.capture.pipeline",
    "drf_spectacular.extensions",
    "rest_framework.views",
)

STARTUP = f"""
import sys

import django

django.setup()
HEAVY = {HEAVY!r}


def loaded(names):
    return sorted(name for name in names if name in sys.modules)


import khoso.capture.management.commands.ingest
import khoso.capture.management.commands.worker
from django.core.management import load_command_class

assert not loaded(HEAVY), ("at start-up", loaded(HEAVY))
for name in ("ingest", "worker"):
    command = load_command_class("khoso.capture", name)
    command.check(tags=command.requires_system_checks)
assert "khoso.config.urls" not in sys.modules, "the pipeline commands ran the web's URL checks"
assert not loaded(HEAVY), ("after the checks", loaded(HEAVY))

# A new public file's OAI-PMH record links to its portal pages: built without the site's URLs.
from khoso.oai.selectors import portal_addresses

assert portal_addresses()["portal_file"][0].endswith("/tra-cuu/ho-so/")
assert "khoso.config.urls" not in sys.modules, "the OAI-PMH record's links loaded every route of the site"

# The URL configuration: every web process loads it. Views import their document libraries when they
# make a document.
import khoso.config.urls

web_only = ("drf_spectacular.extensions", "rest_framework.views")  # the API's routes need these two
late = loaded(name for name in HEAVY if name not in web_only)
assert not late, ("with the URL configuration", late)
print("ok")
"""


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """The embedded default in a data folder of its own, whatever database and broker the suite runs on."""
    inherited = ("PYTHONPATH", "KHOSO_DATABASE_URL", "KHOSO_BROKER_URL")
    env = {key: value for key, value in os.environ.items() if key not in inherited}
    env.update(
        DJANGO_SETTINGS_MODULE="khoso.config.settings",
        KHOSO_DATA_DIR=str(tmp_path / "data"),
        PYTHONPATH=os.pathsep.join(sys.path),
        **extra,
    )
    return env


def _run(args: list[str], env: dict[str, str], timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, env=env, timeout=timeout, check=False
    )


def test_pipeline_commands_start_without_the_heavy_libraries(tmp_path: Path) -> None:
    done = _run(["-c", STARTUP], _env(tmp_path))
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr


def test_ingest_still_refuses_to_start_without_tesseract_language_data(tmp_path: Path) -> None:
    (tmp_path / "scans").mkdir()
    done = _run(
        ["-m", "khoso", "ingest", str(tmp_path / "scans"), "--file-code", "000.00.00.H15.2025.01"],
        _env(tmp_path, KHOSO_OCR_LANGUAGE="vie+xyz"),
    )
    assert done.returncode == 1, (done.stdout, done.stderr)
    assert "khoso.E001" in done.stderr and "xyz" in done.stderr


def test_worker_stops_when_the_database_does_not_answer(tmp_path: Path) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    done = _run(
        ["-m", "khoso", "worker", "--no-beat"],
        _env(tmp_path, KHOSO_DATABASE_URL=f"postgres://khoso@127.0.0.1:{port}/khoso"),
        timeout=120,  # a worker that starts anyway would run until killed
    )
    assert done.returncode == 1, (done.stdout, done.stderr)
    assert "Không kết nối được cơ sở dữ liệu" in done.stderr
