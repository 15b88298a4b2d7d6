"""``khoso insurance-copy FONDS_CODE --to DIR``: the fonds' insurance copy with manifest and statistics list."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from khoso.archive.models import Fonds
from khoso.backup import services
from khoso.core.errors import ArchiveError


class Command(BaseCommand):
    help = (
        "Lập bản sao bảo hiểm của một phông vào DIR/<mã phông>/: tệp số của từng hồ sơ, manifest-sha256.txt, "
        "danh mục thống kê (XLSX, PDF); lần sau chỉ chép phần thay đổi. "
        "/ Write a fonds' insurance copy with manifest and statistics list; later runs copy only changes."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("fonds_code")
        parser.add_argument("--to", type=Path, required=True)
        parser.add_argument("--institution", help="mã cơ quan lưu trữ khi mã phông trùng / institution code")

    def handle(self, *args: Any, **options: Any) -> None:
        candidates = Fonds.objects.filter(code=options["fonds_code"])
        if options["institution"]:
            candidates = candidates.filter(institution__code=options["institution"])
        found = list(candidates[:2])
        if not found:
            raise CommandError(f"Không tìm thấy phông «{options['fonds_code']}» / fonds not found", returncode=1)
        if len(found) > 1:
            raise CommandError(
                "Mã phông trùng ở nhiều cơ quan: dùng --institution / ambiguous fonds code", returncode=1
            )
        try:
            run = services.insurance_copy(fonds=found[0], target=options["to"])
        except ArchiveError as error:
            raise CommandError(str(error), returncode=1) from error
        self.stdout.write(
            f"{run.target}: {run.files} hồ sơ / files, {run.pages} trang / pages, {run.bytes} byte; "
            f"lần này ghi / written now {run.files_written} tệp ({run.bytes_written} byte); "
            f"manifest SHA-256 {run.manifest_sha256}"
        )
