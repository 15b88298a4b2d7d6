"""``khoso backup [--full | --incremental] [--to DIR]... [--prune [--keep-full N]] [--prune-only]``.

Database, object manifest and objects, together, into every target in one run: each ``--to`` (or each
folder of KHOSO_BACKUP_DIR) gets its own complete, independently restorable set (TT 05 Đ27: two sets
on independent media). A target that fails is reported and logged; the others are still written;
the exit status is then 1. ``--prune`` applies the retention rule to each target after its backup.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from khoso.backup import backupset, services
from khoso.backup.models import BackupLog, Outcome
from khoso.core.errors import ArchiveError


def _summary(log: BackupLog) -> dict[str, Any]:
    if log.kind == BackupLog.Kind.PRUNE:
        return {
            "target": log.target,
            "outcome": log.outcome,
            "removed": log.removed_backups,
            "objects_removed": log.objects_removed,
            "bytes_removed": log.bytes_removed,
            "error": log.error,
        }
    return {
        "target": log.target,
        "outcome": log.outcome,
        "name": log.name,
        "kind": log.kind,
        "folder": str(Path(log.target) / log.name) if log.outcome == Outcome.OK else "",
        "objects": log.objects_total,
        "copied": log.objects_copied,
        "bytes_copied": log.bytes_copied,
        "dump_sha256": log.dump_sha256,
        "error": log.error,
    }


class Command(BaseCommand):
    help = (
        "Sao lưu CSDL và tài liệu số cùng nhau (TT 05 Đ27): bản kết xuất CSDL nhất quán, bản kê đối tượng, "
        "siêu dữ liệu XML và các đối tượng (kho chung, mỗi đối tượng được kiểm tra SHA-256), vào mọi thư mục đích "
        "(mỗi nơi một bộ hoàn chỉnh). Mặc định gia tăng. "
        "/ Back up the database and the objects together into every target, one complete set each; "
        "incremental unless --full."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        kind = parser.add_mutually_exclusive_group()
        kind.add_argument("--full", action="store_const", dest="kind", const=backupset.FULL)
        kind.add_argument("--incremental", action="store_const", dest="kind", const=backupset.INCREMENTAL)
        parser.add_argument(
            "--to",
            type=Path,
            action="append",
            help="thư mục sao lưu, nhắc lại cho nhiều bộ / backup folder, repeat for several sets "
            "(default: every folder of KHOSO_BACKUP_DIR)",
        )
        parser.add_argument(
            "--prune",
            action="store_true",
            help="sau khi sao lưu, xóa bản cũ theo chế độ lưu giữ / then remove old backups by the retention rule",
        )
        parser.add_argument(
            "--prune-only", action="store_true", help="chỉ dọn bản cũ, không sao lưu / only prune, no backup"
        )
        parser.add_argument(
            "--keep-full",
            type=int,
            default=backupset.KEEP_FULL,
            metavar="THANG",
            help=f"số tháng giữ bản sao lưu toàn bộ (mặc định {backupset.KEEP_FULL}) / months of full backups kept",
        )
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["prune_only"]:
                logs = [
                    services.backup_prune(root=root, keep_full=options["keep_full"])
                    for root in (options["to"] or services.backup_roots())
                ]
            else:
                results = services.backup_targets(
                    kind=options["kind"] or backupset.INCREMENTAL,
                    targets=options["to"],
                    trigger=BackupLog.Trigger.MANUAL,
                    prune=options["prune"],
                    keep_full=options["keep_full"],
                )
                logs = [log for result in results for log in (result.backup, result.prune) if log is not None]
        except ArchiveError as error:
            raise CommandError(str(error), returncode=1) from error
        failed = [log for log in logs if log.outcome != Outcome.OK]
        if options["json"]:
            self.stdout.write(json.dumps({"sets": [_summary(log) for log in logs]}, ensure_ascii=False, indent=2))
        else:
            for log in logs:
                self.stdout.write(self._line(log))
        if failed:
            reasons = "; ".join(f"{log.target}: {log.error}" for log in failed)
            raise CommandError(
                f"{len(failed)} việc không thành công (đã ghi nhật ký sao lưu) / {len(failed)} failed: {reasons}",
                returncode=1,
            )

    @staticmethod
    def _line(log: BackupLog) -> str:
        if log.outcome != Outcome.OK:
            return f"LỖI / FAILED {log.get_kind_display()} → {log.target}: {log.error}"
        if log.kind == BackupLog.Kind.PRUNE:
            removed = ", ".join(log.removed_backups) or "—"
            warning = f" ({log.error})" if log.error else ""
            return (
                f"Đã dọn / pruned {log.target}: xóa bản / removed {removed}; {log.objects_removed} đối tượng / "
                f"objects ({log.bytes_removed} byte) khỏi kho chung / from the pool{warning}"
            )
        return (
            f"Đã sao lưu / backed up {Path(log.target) / log.name}: {log.objects_total} đối tượng / objects, "
            f"{log.objects_copied} mới chép / newly copied ({log.bytes_copied} byte)"
        )
