"""A 1,000-page file end to end: delivery, pages, PDF/A assembly, signing, indexing, then the viewer.

Issue 8, goal 4: peak memory ≤ 1 GB per worker whatever the file size; a 1,000-page file ingests, and
the viewer opens its first page in under a second. The file-level steps are what grows with the page
count, so each runs in its own process (the peak RSS of a step is then its own, read from
``/proc``: Linux only): ``deliver`` of N 300-dpi scans, with a worker's heartbeat written meanwhile
from another connection (how long another writer waits while a delivery holds the database), the
page pipeline, ``assemble_file`` without and with the archive's signature, the PDF/A self-check,
``index_sync``; then gunicorn serves the file page, the page viewer, the page image, thumbnail and
PDF and the file's PDF (whole and with a Range request) over real HTTP. "Page 1 shown" is the viewer
page plus its page image, fetched one after the other.

OCR of 1,000 real pages takes over an hour on this machine, so by default ``--sample`` pages are
generated with ``bench/pages.py`` and go through the whole pipeline, tesseract included; the other
pages are those scans again, each with its own page number imprinted in the top margin (so every
scan, rendition and thumbnail is a distinct object), and go through the same pipeline except that
tesseract is not run again: the OCR result of their sample page (same pixels but the number) is
reused. QC, deskew, binarisation, the MRC rendition, the thumbnail, the object store and the commit
are real for every page. ``--ocr`` runs tesseract on every page of N distinct generated pages.
Run from the repository root, at low priority::

    nice .venv/bin/python bench/bigfile.py                    # 1,000 pages, 20 with real OCR
    nice .venv/bin/python bench/bigfile.py --pages 200 --ocr  # every page OCRed
    nice .venv/bin/python bench/bigfile.py --mode jpeg        # renditions as JPEG: a 700 MB file PDF
    nice .venv/bin/python bench/bigfile.py --work W --resume  # go on where a run in W stopped

With ``--work`` each step's figures are kept in ``W/results``; ``--resume`` runs only the steps
without figures there, ``--until STEP`` stops after one.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import pickle
import re
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
FILE_CODE = "000.00.00.H15.2026.01.1000"
TITLE = "Hồ sơ nghìn trang: công văn đi năm 2026 của Ủy ban nhân dân tỉnh Đắk Lắk"
MEMORY_TARGET_MB = 1024
VIEWER_TARGET_S = 1.0
RESULT = "RESULT "

# -------------------------------------------------------------------------------- measuring


def _status_kb(field: str, pid: str = "self") -> int:
    text = Path(f"/proc/{pid}/status").read_text()
    match = re.search(rf"^{field}:\s+(\d+) kB", text, re.MULTILINE)
    return int(match.group(1)) if match else 0


def reset_peak() -> float:
    """Start a new peak-RSS window for this process (Linux ``clear_refs``); returns the RSS now, MB."""
    Path("/proc/self/clear_refs").write_text("5")
    return _status_kb("VmRSS") / 1024


def peak_since_reset() -> float:
    return _status_kb("VmHWM") / 1024


def cpu_seconds() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


@contextmanager
def measured(figures: dict[str, Any]) -> Iterator[None]:
    """Wall and CPU seconds (this process and its reaped children), the RSS at the start, the peak RSS
    of this process during the block and the largest child process's peak so far."""
    figures["rss_start_mb"] = reset_peak()
    start_cpu, start = cpu_seconds(), time.perf_counter()
    yield
    figures["wall_s"] = time.perf_counter() - start
    figures["cpu_s"] = cpu_seconds() - start_cpu
    figures["peak_mb"] = peak_since_reset()
    figures["child_peak_mb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


# -------------------------------------------------------------------------------- the scans


def _pages_module() -> Any:
    sys.path.insert(0, str(ROOT / "bench"))
    import pages

    return pages


def _imprint(task: tuple[Path, Path, int]) -> int:
    """The sample scan with its page number in the top-right margin, as archivists number sheets."""
    from PIL import Image, ImageDraw, ImageFont

    pages = _pages_module()
    source, target, number = task
    with Image.open(source) as scan:
        image = scan.convert("RGB")
    font = ImageFont.truetype(str(pages._font_path("DejaVuSans.ttf")), 42)
    ImageDraw.Draw(image).text((image.width - 420, 90), f"{number:04d}", font=font, fill=(40, 40, 60))
    image.save(target, format="JPEG", quality=85, dpi=(pages.DPI, pages.DPI))
    return target.stat().st_size


def _generated(task: tuple[int, int, Path]) -> int:
    pages = _pages_module()
    seed, index, target = task
    degraded = int((index + 1) * 0.5) > int(index * 0.5)  # every other page, as pages.text_pages
    target.write_bytes(pages.text_page(seed * 100_003 + index, degraded=degraded).jpeg())
    return target.stat().st_size


def make_scans(folder: Path, count: int, sample: int, *, every_page_ocr: bool, seed: int = 7) -> tuple[int, float]:
    """Write ``count`` 300-dpi JPEG scans ``trang-0001.jpg``…; returns (bytes, seconds)."""
    folder.mkdir(parents=True)
    start = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(os.cpu_count() or 1) as pool:
        if every_page_ocr:
            tasks = [(seed, index, folder / f"trang-{index + 1:04d}.jpg") for index in range(count)]
            sizes = pool.map(_generated, tasks, chunksize=4)
        else:
            bases = folder.parent / "sample"
            bases.mkdir()
            base_paths = [bases / f"mau-{index:03d}.jpg" for index in range(sample)]
            pool.map(_generated, [(seed, index, path) for index, path in enumerate(base_paths)])
            tasks = [
                (base_paths[index % sample], folder / f"trang-{index + 1:04d}.jpg", index + 1) for index in range(count)
            ]
            sizes = pool.map(_imprint, tasks, chunksize=8)
    return sum(sizes), time.perf_counter() - start


# -------------------------------------------------------------------------------- steps (child processes)


def _django() -> None:
    sys.path.insert(0, str(ROOT / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "khoso.config.settings")
    import django

    django.setup()


def _archive_file() -> Any:
    from khoso.archive.models import ArchiveFile

    return ArchiveFile.objects.get(file_code=FILE_CODE)


def step_setup(args: argparse.Namespace) -> dict[str, Any]:
    """The file, a staff member allowed to see its fonds and a session for the viewer; the test CA."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.models import User

    from khoso.access.models import FondsGrant
    from khoso.archive.services_cli import file_get_or_create
    from khoso.signing.services import archive_signer

    archive_file = file_get_or_create(file_code=FILE_CODE, title=TITLE)
    user = User.objects.filter(username="luutru-vien").first() or User.objects.create_user(
        "luutru-vien", password="mat-khau-bench-12345", is_staff=True
    )
    FondsGrant.objects.get_or_create(user=user, fonds=archive_file.fonds, defaults={"can_edit": False})
    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    with archive_signer():  # makes the demo CA once, outside the measured signing
        pass
    return {"session": session.session_key, "cookie": settings.SESSION_COOKIE_NAME}


def step_deliver(args: argparse.Namespace) -> dict[str, Any]:
    from khoso.capture import services
    from khoso.capture.models import Delivery

    arrivals = services.arrivals_from_folder(Path(args.work) / "scans")
    figures: dict[str, Any] = {"scans": len(arrivals), "bytes": sum(a.path.stat().st_size for a in arrivals)}
    with concurrent_writer() as waits, measured(figures):
        delivery = services.deliver(
            archive_file=_archive_file(), arrivals=arrivals, source=Delivery.Source.CLI, enqueue=False
        )
    figures["pages"] = delivery.page_count
    figures["writer_max_wait_s"] = max(waits["seconds"], default=0.0)
    figures["writer_failures"] = waits["failures"]
    return figures


@contextmanager
def concurrent_writer() -> Iterator[dict[str, Any]]:
    """What another writer meets meanwhile: a worker's heartbeat (a one-row write it makes every 10 s)
    tried every 0.25 s from its own connection; the longest wait, and the writes the database refused."""
    import threading

    from django.db import OperationalError, connection

    from khoso.capture.services import worker_beat

    waits: dict[str, Any] = {"seconds": [], "failures": 0}
    stop = threading.Event()

    def probe() -> None:
        try:
            while not stop.is_set():
                start = time.perf_counter()
                try:
                    worker_beat("bench-probe")
                except OperationalError:  # "database is locked" once SQLite's busy timeout is over
                    waits["failures"] += 1
                waits["seconds"].append(time.perf_counter() - start)
                stop.wait(0.25)
        finally:
            connection.close()

    thread = threading.Thread(target=probe, daemon=True)
    thread.start()
    try:
        yield waits
    finally:
        stop.set()
        thread.join()


def _reuse_ocr(cache: Path, sample: int) -> None:
    """Make the pipeline's OCR stage run tesseract on the sample pages only (keeping each result) and
    hand every other page the result of its sample page: the same scan but the imprinted number."""
    from khoso.capture import pipeline

    real_ocr, real_stage = pipeline.ocr_page, pipeline.stage_ocr
    current: dict[str, int] = {}

    def stage(page: Any, work: Any) -> None:
        current["number"] = page.number
        real_stage(page, work)  # deskew and binarise for real: the MRC mask comes from them

    def ocr(image: Any, **options: Any) -> Any:
        kept = cache / f"{(current['number'] - 1) % sample:04d}.pickle"
        if current["number"] <= sample:
            result = real_ocr(image, **options)
            kept.with_suffix(".tmp").write_bytes(pickle.dumps(result))
            kept.with_suffix(".tmp").replace(kept)
            return result
        return pickle.loads(kept.read_bytes())

    pipeline.ocr_page = ocr
    pipeline.STAGES = tuple((name, stage if name == "ocr" else run) for name, run in pipeline.STAGES)


def step_process(args: argparse.Namespace) -> dict[str, Any]:
    from django.db.models import Count

    from khoso.archive.models import Page
    from khoso.capture import services

    archive_file = _archive_file()
    ids = list(archive_file.pages.order_by("number").values_list("pk", flat=True))
    figures: dict[str, Any] = {}
    if args.ocr:
        batches = {"all": ids}
    else:
        cache = Path(args.work) / "ocr"
        cache.mkdir(exist_ok=True)
        _reuse_ocr(cache, args.sample)
        batches = {"sample": ids[: args.sample], "rest": ids[args.sample :]}
    for name, batch in batches.items():
        part: dict[str, Any] = {"pages": len(batch)}
        with measured(part):
            services.run_inline(batch)
        figures[name] = part
    stages = dict(archive_file.pages.values_list("stage").annotate(n=Count("pk")).values_list("stage", "n"))
    figures["done"] = stages.get(Page.Stage.DONE, 0)
    figures["failed"] = stages.get(Page.Stage.FAILED, 0)
    figures["rescan"] = archive_file.pages.filter(needs_rescan=True).count()
    return figures


def step_assemble(args: argparse.Namespace) -> dict[str, Any]:
    """``assemble_file`` as the worker runs it; with signing on, the signature's share is timed apart."""
    from django.conf import settings

    from khoso.archive.models import ArchiveFile
    from khoso.capture import services
    from khoso.ocr.pdfa import page_count
    from khoso.signing import services as signing
    from khoso.signing.models import RenditionSignature
    from khoso.storage.services import object_store

    archive_file = _archive_file()
    ArchiveFile.objects.filter(pk=archive_file.pk).update(pdf=None)  # build it again for this run
    figures: dict[str, Any] = {"signing": bool(settings.KHOSO_SIGN_RENDITIONS)}
    # assemble_file signs through sign_file (file to file) where the signing app has it, else sign_bytes
    name = "sign_file" if hasattr(signing, "sign_file") else "sign_bytes"
    real_sign = getattr(signing, name)

    def timed_sign(*pdf: Any) -> Any:
        figures["assembly_peak_mb"] = peak_since_reset()
        figures["rss_before_signing_mb"] = reset_peak()
        start = time.perf_counter()
        outcome = real_sign(*pdf)
        figures["sign_s"] = time.perf_counter() - start
        figures["sign_peak_mb"] = peak_since_reset()
        figures["signed_by"] = name
        return outcome

    setattr(signing, name, timed_sign)
    with measured(figures):
        services.assemble_file(archive_file.pk)
    archive_file.refresh_from_db()
    path = object_store().path_for(archive_file.pdf_id)
    figures["bytes"] = path.stat().st_size
    figures["pdf_pages"] = page_count(path)
    if settings.KHOSO_SIGN_RENDITIONS:
        row = RenditionSignature.objects.get(file=archive_file)
        figures["signed"], figures["level"], figures["sign_note"] = row.state == row.State.SIGNED, row.level, row.reason
        figures["unsigned_bytes"] = row.pdfa_size
    return figures


def step_check(args: argparse.Namespace) -> dict[str, Any]:
    from khoso.ocr.pdfa import check_pdfa
    from khoso.storage.services import object_store

    figures: dict[str, Any] = {}
    with measured(figures):
        problems = check_pdfa(object_store().path_for(_archive_file().pdf_id))
    figures["problems"] = problems[:10]
    figures["problem_count"] = len(problems)
    return figures


def step_index(args: argparse.Namespace) -> dict[str, Any]:
    from khoso.search.selectors import search_pages
    from khoso.search.services import index_sync

    figures: dict[str, Any] = {}
    with measured(figures):
        figures["changes"] = index_sync()
    start = time.perf_counter()
    found = search_pages(user=None, query="Ủy ban nhân dân", system=True)
    figures["query_s"], figures["query_hits"] = time.perf_counter() - start, found.total
    return figures


STEPS: dict[str, Callable[[argparse.Namespace], dict[str, Any]]] = {
    "setup": step_setup,
    "deliver": step_deliver,
    "process": step_process,
    "assemble": step_assemble,
    "check": step_check,
    "index": step_index,
}


def run_step(args: argparse.Namespace) -> None:
    _django()
    figures = STEPS[args.step](args)
    figures["process_peak_mb"] = _status_kb("VmHWM") / 1024  # ru_maxrss would carry the parent's peak over exec
    print(RESULT + json.dumps(figures, default=str))


# -------------------------------------------------------------------------------- the orchestra


def _environment(work: Path, mode: str) -> dict[str, str]:
    env = {
        **os.environ,
        "KHOSO_DATA_DIR": str(work / "data"),
        "OMP_THREAD_LIMIT": "1",
        "KHOSO_RENDITION_MODE": mode,
        "KHOSO_STAFF_TOTP": "0",  # the bench's session stands for a login that passed the second factor
        "KHOSO_DEBUG": "false",
    }
    for name in ("KHOSO_DATABASE_URL", "KHOSO_BROKER_URL", "KHOSO_INLINE_TASKS", "DJANGO_SETTINGS_MODULE"):
        env.pop(name, None)
    return env


def child(args: argparse.Namespace, step: str, env: dict[str, str], **extra_env: str) -> dict[str, Any]:
    argv = [sys.executable, __file__, "--step", step, "--work", str(args.work), "--sample", str(args.sample)]
    argv += ["--ocr"] if args.ocr else []
    done = subprocess.run(argv, env={**env, **extra_env}, capture_output=True, text=True, check=False)
    lines = [line for line in done.stdout.splitlines() if line.startswith(RESULT)]
    if done.returncode != 0 or not lines:
        sys.exit(f"step {step} failed ({done.returncode}):\n{done.stdout[-3000:]}\n{done.stderr[-5000:]}")
    return json.loads(lines[-1][len(RESULT) :])


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


@contextmanager
def web_server(env: dict[str, str]) -> Iterator[tuple[int, subprocess.Popen[bytes]]]:
    port = _free_port()
    argv = [sys.executable, "-m", "gunicorn", "khoso.config.wsgi", "--bind", f"127.0.0.1:{port}"]
    argv += ["--workers", "1", "--timeout", "300", "--log-level", "warning"]
    server = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                fetch(port, "/dang-nhap/", {})
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("gunicorn did not start") from None
                time.sleep(0.2)
        yield port, server
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


def fetch(port: int, path: str, headers: dict[str, str]) -> dict[str, Any]:
    """One GET on a new connection: status, time to the response head, time to the last byte, bytes."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    start = time.perf_counter()
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    first = time.perf_counter() - start
    size = 0
    while chunk := response.read(1 << 20):
        size += len(chunk)
    total = time.perf_counter() - start
    connection.close()
    return {
        "status": response.status,
        "ttfb": first,
        "total": total,
        "bytes": size,
        "range": response.getheader("Content-Range"),
    }


def viewer(env: dict[str, str], session: dict[str, Any], pages: int, repeat: int) -> dict[str, Any]:
    base = f"/ho-so/{FILE_CODE}/"
    cookie = {"Cookie": f"{session['cookie']}={session['session']}"}
    routes = [
        ("file page (hồ sơ)", base, {}),
        ("progress JSON (tiến độ)", base + "tien-do.json", {}),
        ("viewer, page 1", base + "trang/1/", {}),
        ("  page 1 image (ảnh)", base + "trang/1/anh", {}),
        ("  page 1 thumbnail", base + "trang/1/anh-nho.jpg", {}),
        ("  page 1 PDF", base + "trang/1/trang.pdf", {}),
        (f"viewer, page {pages}", base + f"trang/{pages}/", {}),
        ("file PDF, Range 0-65535", base + "ho-so.pdf", {"Range": "bytes=0-65535"}),
        ("file PDF, whole", base + "ho-so.pdf", {}),
    ]
    results: dict[str, Any] = {}
    with web_server(env) as (port, server):
        for label, path, headers in routes:
            runs = [fetch(port, path, {**cookie, **headers}) for _ in range(repeat if "whole" not in label else 2)]
            if runs[0]["status"] not in (200, 206):
                sys.exit(f"{path}: HTTP {runs[0]['status']}")
            warm = runs[1:] or runs
            results[label] = {
                "status": runs[0]["status"],
                "bytes": runs[0]["bytes"],
                "range": runs[0]["range"],
                "cold_ttfb": runs[0]["ttfb"],
                "cold_total": runs[0]["total"],
                "ttfb": statistics.median(r["ttfb"] for r in warm),
                "total": statistics.median(r["total"] for r in warm),
            }
        workers = _children_of(server.pid)
        results["worker_peak_mb"] = max((_status_kb("VmHWM", str(pid)) / 1024 for pid in workers), default=0.0)
    return results


def _row(label: str, figures: dict[str, Any], note: str = "") -> None:
    peak = max(figures.get("peak_mb", 0.0), figures.get("child_peak_mb", 0.0) if "worker" in note else 0.0)
    own = figures.get("peak_mb", 0.0) - figures.get("rss_start_mb", 0.0)
    print(f"{label:34} {figures['wall_s']:8.1f} {figures['cpu_s']:8.1f} {peak:9.0f} {own:9.0f}  {note}")


def report(args: argparse.Namespace, made: dict[str, Any], steps: dict[str, Any], web: dict[str, Any]) -> None:
    pages = args.pages
    load = os.getloadavg()
    how = (
        f"{pages} distinct generated pages, every page OCRed"
        if args.ocr
        else f"{args.sample} generated pages OCRed, the other {pages - args.sample} their repeats with the page "
        "number imprinted, OCR reused from their sample page"
    )
    print(f"\nbench/bigfile.py {time.strftime('%d/%m/%Y %H:%M')}: {how}; KHOSO_RENDITION_MODE={args.mode}")
    print(
        f"machine: {os.cpu_count()} cores, load average {made['load'][0]:.1f} at the start, "
        f"{load[0]:.1f} at the end; scans {made['bytes'] / pages / 1024:.0f} KB/page, "
        f"{made['bytes'] / 1024**2:.0f} MB in all (made in {made['seconds']:.0f} s)"
    )
    print(f"{'step':34} {'wall s':>8} {'CPU s':>8} {'peak MB':>9} {'step MB':>9}  figures")
    deliver = steps["deliver"]
    _row(
        "deliver (preflight, store, rows)",
        deliver,
        f"{deliver['pages']} pages, {deliver['wall_s'] / pages * 1000:.0f} ms/page; another writer waited up to "
        f"{deliver['writer_max_wait_s']:.1f} s, {deliver['writer_failures']} writes refused (database locked)",
    )
    process = steps["process"]
    for name, part in process.items():
        if not isinstance(part, dict):
            continue
        label = {"sample": "pages, real pipeline (sample)", "rest": "pages, OCR reused", "all": "pages, real pipeline"}[
            name
        ]
        note = f"worker {part['child_peak_mb']:.0f} MB peak; {part['wall_s'] / max(1, part['pages']):.2f} s/page wall"
        _row(f"{label} ×{part['pages']}", part, note)
    print(f"{'':34} pages done {process['done']}, failed {process['failed']}, flagged for rescan {process['rescan']}")
    plain, signed, check, index = steps["assemble"], steps["sign"], steps["check"], steps["index"]
    _row(
        "assemble_file (PDF/A, unsigned)",
        plain,
        f"{plain['pdf_pages']} pages, {plain['bytes'] / 1024**2:.1f} MB ({plain['bytes'] / pages / 1024:.0f} KB/page)",
    )
    _row("PDF/A self-check (check_pdfa)", check, f"{check['problem_count']} problems {check['problems'][:3]}")
    sign_note = (
        f"{signed.get('signed_by', 'sign')} {signed.get('sign_s', 0):.1f} s, {signed.get('level') or 'unsigned'}; "
        "assembly peak "
        f"{signed.get('assembly_peak_mb', 0):.0f} MB, signing peak {signed.get('sign_peak_mb', 0):.0f} MB "
        f"(from {signed.get('rss_before_signing_mb', 0):.0f}); {signed['bytes'] / 1024**2:.1f} MB signed"
    )
    _row("assemble_file + sign (default)", signed, sign_note)
    _row("index_sync", index, f"{index['changes']} changes; a query after it {index['query_s'] * 1000:.0f} ms")
    print("\nviewer over HTTP (gunicorn, 1 sync worker, loopback); cold = first request, then median of the rest")
    print(f"{'request':30} {'status':>6} {'KB':>9} {'cold TTFB':>10} {'cold all':>9} {'TTFB':>8} {'all':>8}")
    for label, row in web.items():
        if not isinstance(row, dict):
            continue
        print(
            f"{label:30} {row['status']:>6} {row['bytes'] / 1024:9.0f} {row['cold_ttfb'] * 1000:8.0f}ms "
            f"{row['cold_total'] * 1000:7.0f}ms {row['ttfb'] * 1000:6.0f}ms {row['total'] * 1000:6.0f}ms"
        )
    print(f"web worker peak RSS {web['worker_peak_mb']:.0f} MB")
    first_cold = web["viewer, page 1"]["cold_total"] + web["  page 1 image (ảnh)"]["cold_total"]
    first_warm = web["viewer, page 1"]["total"] + web["  page 1 image (ảnh)"]["total"]
    ranged = web["file PDF, Range 0-65535"]
    worst = max(
        deliver["process_peak_mb"],
        *(part["child_peak_mb"] for part in process.values() if isinstance(part, dict)),
        plain["process_peak_mb"],
        signed["process_peak_mb"],
        index["process_peak_mb"],
        web["worker_peak_mb"],
    )
    ingested = process["done"] == pages and plain["pdf_pages"] == pages and check["problem_count"] == 0
    print("\ngoal | measured | verdict")
    print(
        f"peak memory ≤ {MEMORY_TARGET_MB} MB per process | largest {worst:.0f} MB "
        f"(deliver {deliver['process_peak_mb']:.0f}, "
        f"workers {max(p['child_peak_mb'] for p in process.values() if isinstance(p, dict)):.0f}, assemble "
        f"{plain['process_peak_mb']:.0f}, assemble + sign {signed['process_peak_mb']:.0f}, index "
        f"{index['process_peak_mb']:.0f}, web {web['worker_peak_mb']:.0f}) | "
        f"{'met' if worst <= MEMORY_TARGET_MB else 'NOT MET'}"
    )
    print(
        f"a {pages}-page file ingests | {process['done']} pages done, PDF/A of {plain['pdf_pages']} pages, "
        f"{check['problem_count']} self-check problems, {signed.get('level') or 'not signed'} | "
        f"{'met' if ingested else 'NOT MET'}"
    )
    print(
        f"viewer shows page 1 < {VIEWER_TARGET_S:.0f} s | viewer page + page image {first_cold * 1000:.0f} ms cold, "
        f"{first_warm * 1000:.0f} ms warm (loopback) | {'met' if first_cold < VIEWER_TARGET_S else 'NOT MET'}"
    )
    print(
        f"file PDF, first bytes without the whole file | Range request → HTTP {ranged['status']}, "
        f"{ranged['bytes'] / 1024:.0f} KB of {web['file PDF, whole']['bytes'] / 1024**2:.1f} MB | "
        f"{'met' if ranged['status'] == 206 else 'NOT MET (the whole file is sent)'}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--sample", type=int, default=20, help="generated pages run through tesseract (default path)")
    parser.add_argument("--ocr", action="store_true", help="generate and OCR every page (slow: ~3 CPU-s a page)")
    parser.add_argument("--mode", choices=["mrc", "jpeg"], default="mrc", help="KHOSO_RENDITION_MODE")
    parser.add_argument("--repeat", type=int, default=6, help="requests per viewer route (the first is cold)")
    parser.add_argument("--work", type=Path, help="working folder (kept); default a temporary one, removed")
    parser.add_argument("--resume", action="store_true", help="with --work: keep the figures of steps already run")
    parser.add_argument("--until", help="stop after this step (its figures stay in WORK/results)")
    parser.add_argument("--step", choices=sorted(STEPS), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step:
        run_step(args)
        return
    args.sample = min(args.sample, args.pages)
    keep = args.work is not None
    args.work = (args.work or Path(tempfile.mkdtemp(prefix="khoso-bigfile-"))).resolve()
    try:
        run_all(args)
    finally:
        if not keep:
            shutil.rmtree(args.work, ignore_errors=True)


def run_all(args: argparse.Namespace) -> None:
    """Every step in order; with ``--resume`` a step whose figures are saved in WORK/results is not run again."""
    env = _environment(args.work, args.mode)
    saved = args.work / "results"
    saved.mkdir(parents=True, exist_ok=True)

    def once(name: str, run: Callable[[], Any]) -> Any:
        path = saved / f"{name}.json"
        if args.resume and path.exists():
            return json.loads(path.read_text())
        figures = run()
        path.write_text(json.dumps(figures, default=str))
        print(f"  {name} done ({time.strftime('%H:%M:%S')})", flush=True)
        if name == args.until:
            sys.exit(f"stopped after {name} (--until); figures in {saved}")
        return figures

    subprocess.run([sys.executable, "-m", "khoso", "migrate", "-v0"], env=env, check=True)
    session = once("setup", lambda: child(args, "setup", env))

    def scans() -> dict[str, Any]:
        made: dict[str, Any] = {"load": os.getloadavg()}
        made["bytes"], made["seconds"] = make_scans(
            args.work / "scans", args.pages, args.sample, every_page_ocr=args.ocr
        )
        return made

    made = once("scans", scans)
    steps = {
        step: once(
            step, lambda step=step, extra=extra: child(args, "assemble" if step == "sign" else step, env, **extra)
        )
        for step, extra in (
            ("deliver", {}),
            ("process", {}),
            ("assemble", {"KHOSO_SIGN_RENDITIONS": "0"}),
            ("check", {}),
            ("sign", {"KHOSO_SIGN_RENDITIONS": "1"}),
            ("index", {}),
        )
    }
    web = once("viewer", lambda: viewer(env, session, args.pages, args.repeat))
    report(args, made, steps, web)


if __name__ == "__main__":
    main()
