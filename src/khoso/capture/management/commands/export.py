"""``khoso export FILE_CODE --pdf OUT.pdf``: write a file's PDF/A rendition."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from khoso.archive.models import ArchiveFile
from khoso.storage.services import object_store


class Command(BaseCommand):
    help = "Xuất bản PDF/A của hồ sơ / Export a file's PDF/A rendition."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file_code")
        parser.add_argument("--pdf", type=Path, required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        archive_file = ArchiveFile.objects.filter(file_code=options["file_code"]).first()
        if archive_file is None:
            raise CommandError(f"Không tìm thấy hồ sơ «{options['file_code']}» / file not found")
        pdf = archive_file.pdf if archive_file.pdf_id else None
        if pdf is None:
            raise CommandError("Hồ sơ chưa có bản PDF/A (chưa xử lý xong) / no PDF/A yet")
        store = object_store()
        if not store.verify(pdf.sha256):
            raise CommandError("Bản PDF/A trong kho sai mã băm SHA-256 / stored PDF/A fails its SHA-256 check")
        out: Path = options["pdf"]
        tmp = out.with_name(f".{out.name}.part")
        with store.open(pdf.sha256) as source, open(tmp, "wb") as target:
            shutil.copyfileobj(source, target)
        tmp.replace(out)
        self.stdout.write(f"{out} ({pdf.size} byte, SHA-256 {archive_file.pdf_id})")
