"""``khoso ingest PATH --file-code CODE``: deliver a folder of page images or a PDF to a file."""

from __future__ import annotations

import contextlib
import json
import time
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from khoso.archive.models import ArchiveFile, Page
from khoso.capture import services
from khoso.capture.management.commands.worker import PipelineCommand
from khoso.capture.models import Delivery
from khoso.capture.selectors import file_progress
from khoso.core.errors import ArchiveError
from khoso.core.text import nfc
from khoso.signing.services import get_ready_to_sign

WAIT_LIMIT_SECONDS = 3600


class Command(PipelineCommand):
    """Runs the pipeline's start-up checks, not the web's (:mod:`khoso.capture.management.commands.worker`)."""

    help = "Nộp bản quét của một hồ sơ (thư mục ảnh hoặc tệp PDF) / Ingest the scans of a file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--file-code", required=True, help="Mã hồ sơ (TT 05/2025)")
        parser.add_argument("--title", default="", help="Tiêu đề hồ sơ, khi hồ sơ chưa có")
        parser.add_argument("--fonds", default="", help="Mã phông, khi hồ sơ chưa có")
        parser.add_argument("--wait", action="store_true", help="Chờ xử lý xong rồi in kết quả")
        parser.add_argument("--json", action="store_true", help="In kết quả dạng JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        from khoso.archive.services_cli import file_get_or_create

        path: Path = options["path"]
        try:
            if not path.exists():
                raise CommandError(f"Không tìm thấy {path} / {path} not found")
            archive_file = file_get_or_create(
                file_code=nfc(options["file_code"]), title=options["title"], fonds_code=options["fonds"]
            )
            arrivals = (
                services.arrivals_from_folder(path) if path.is_dir() else [services.Arrival(path, nfc(path.name))]
            )
            if not arrivals:
                raise CommandError(f"Thư mục {path} không có tệp nào / folder is empty")
            inline = options["wait"] and not services.worker_alive()
            # Without a worker, this command's own page processes preflight the delivery, then run its pages.
            with services.page_processes() if inline else contextlib.nullcontext() as processes:
                delivery = services.deliver(
                    archive_file=archive_file,
                    arrivals=arrivals,
                    source=Delivery.Source.CLI,
                    enqueue=not inline,
                    processes=processes,
                )
                if inline:
                    # The file is assembled and signed after its last page: the signature gets ready meanwhile.
                    page_ids = list(delivery.pages.values_list("pk", flat=True))
                    services.run_inline(page_ids, processes=processes, when_a_core_is_free=get_ready_to_sign)
        except ArchiveError as error:
            self._fail(error, options["json"])
        if inline:
            services.assemble_file(archive_file.pk)
        elif options["wait"]:
            self._wait(archive_file)
        self._report(archive_file, delivery, options["json"], waited=options["wait"])

    def _wait(self, archive_file: ArchiveFile) -> None:
        deadline = time.monotonic() + WAIT_LIMIT_SECONDS
        while time.monotonic() < deadline:
            archive_file.refresh_from_db()
            pages = archive_file.pages
            unfinished = pages.exclude(stage__in=[Page.Stage.DONE, Page.Stage.FAILED]).exists()
            failed = pages.filter(stage=Page.Stage.FAILED).exists()
            if not unfinished and (archive_file.pdf_id or failed):
                return
            time.sleep(0.5)
        raise CommandError("Hết thời gian chờ xử lý / timed out waiting for the pipeline")

    def _report(self, archive_file: ArchiveFile, delivery: Delivery, as_json: bool, *, waited: bool) -> None:
        archive_file.refresh_from_db()
        progress = file_progress(archive_file)
        result = {
            "file_code": archive_file.file_code,
            "delivery": delivery.pk,
            "pages": progress["total"],
            "status": progress["status"] if waited else "queued",
            "qc": [
                {
                    "page": p["number"],
                    "passed": p["qc_passed"],
                    "needs_rescan": p["needs_rescan"],
                    "problems": p["qc"].get("problems", []),
                    "error": p["error"],
                }
                for p in progress["pages"]
            ],
            "pdf_sha256": archive_file.pdf_id,
            "pdf_bytes": archive_file.pdf.size if archive_file.pdf_id and archive_file.pdf else None,
        }
        if as_json:
            self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))
        else:
            self.stdout.write(
                f"Hồ sơ {result['file_code']}: {result['pages']} trang, trạng thái {result['status']}, "
                f"PDF/A {result['pdf_sha256'] or '—'}"
            )
        if progress["status"] == "failed":
            raise SystemExit(1)

    def _fail(self, error: ArchiveError, as_json: bool) -> None:
        if as_json:
            self.stdout.write(json.dumps({"error": error.as_dict()}, ensure_ascii=False))
        else:
            self.stderr.write(str(error))
        raise SystemExit(int(error.exit_code))
