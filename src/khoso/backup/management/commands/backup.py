"""``khoso backup [--full | --incremental] [--to DIR]``: database, object manifest and objects, together."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from khoso.backup import backupset, services
from khoso.backup.models import BackupLog
from khoso.core.errors import ArchiveError


class Command(BaseCommand):
    help = (
        "Sao lưu CSDL và tài liệu số cùng nhau (TT 05 Đ27): bản kết xuất CSDL nhất quán, bản kê đối tượng, "
        "siêu dữ liệu XML và các đối tượng (kho chung, mỗi đối tượng được kiểm tra SHA-256). Mặc định gia tăng. "
        "/ Back up the database and the objects together; incremental unless --full."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        kind = parser.add_mutually_exclusive_group()
        kind.add_argument("--full", action="store_const", dest="kind", const=backupset.FULL)
        kind.add_argument("--incremental", action="store_const", dest="kind", const=backupset.INCREMENTAL)
        parser.add_argument("--to", type=Path, help="thư mục sao lưu / backup folder (default KHOSO_BACKUP_DIR)")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            log = services.backup_run(
                kind=options["kind"] or backupset.INCREMENTAL, trigger=BackupLog.Trigger.MANUAL, to=options["to"]
            )
        except ArchiveError as error:
            raise CommandError(str(error), returncode=1) from error
        summary = {
            "name": log.name,
            "kind": log.kind,
            "folder": str(Path(log.target) / log.name),
            "objects": log.objects_total,
            "copied": log.objects_copied,
            "bytes_copied": log.bytes_copied,
            "dump_sha256": log.dump_sha256,
        }
        if options["json"]:
            self.stdout.write(json.dumps(summary, ensure_ascii=False, indent=2))
        else:
            self.stdout.write(
                f"Đã sao lưu / backed up {summary['folder']}: {log.objects_total} đối tượng / objects, "
                f"{log.objects_copied} mới chép / newly copied ({log.bytes_copied} byte)"
            )
