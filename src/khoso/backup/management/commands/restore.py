"""``khoso restore BACKUP [--data-dir DIR] [--force]``: bring a backup back as a working instance."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from khoso.backup import services
from khoso.core.errors import ArchiveError

HELP = """\
Khôi phục một bản sao lưu (CSDL + đối tượng) vào một thư mục dữ liệu TRỐNG, kiểm tra mã băm từng đối tượng,
rồi chạy «khoso migrate» và «khoso fsck» trên bản khôi phục; mã thoát 1 nếu có bất kỳ lỗi nào.
Restore a backup into an EMPTY data directory, verify every object, then migrate and fsck it; exit 1 on any problem.

Khôi phục trên máy mới / on a new machine:
  1. Cài Kho Số (./install.sh) và dừng dịch vụ: khoso down.
  2. Gắn ổ chứa bản sao lưu (cả thư mục sao lưu, gồm pool/), vd. /mnt/sao-luu.
  3. KHOSO_DATA_DIR=/srv/khoso khoso restore /mnt/sao-luu/20260501-003000-full
     (PostgreSQL: đặt KHOSO_DATABASE_URL tới một CSDL trống; bản sao lưu được nạp bằng pg_restore.)
  4. khoso reindex  (chỉ mục tìm kiếm được dựng lại, không nằm trong bản sao lưu), rồi khoso up.
Khóa ký số (KHOSO_SIGNING_P12) và khóa bí mật không nằm trong bản sao lưu: giữ chúng riêng.
Signing keys and the secret key are not in backups: keep them separately. Rebuild the search index with
«khoso reindex». BACKUP may be a folder or a backup name under KHOSO_BACKUP_DIR.
"""


class Command(BaseCommand):
    help = HELP
    requires_system_checks: list[str] = []

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.formatter_class = argparse.RawDescriptionHelpFormatter
        return parser

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("backup", help="thư mục bản sao lưu hoặc tên / backup folder or name")
        parser.add_argument("--data-dir", type=Path, help="thư mục dữ liệu đích / target (default KHOSO_DATA_DIR)")
        parser.add_argument(
            "--force", action="store_true", help="đích đã có dữ liệu: chuyển sang before-restore-… / set old data aside"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = services.restore(
                source=options["backup"], data_dir=options["data_dir"], force=options["force"], say=self.stdout.write
            )
        except ArchiveError as error:
            raise CommandError(str(error), returncode=1) from error
        for problem in report.problems:
            self.stdout.write(f"loi_khoi_phuc: {problem}")
        for finding in report.fsck:
            self.stdout.write(f"{finding['code']}: {finding['message']} [{finding['object']}]")
        self.stdout.write(
            f"Bản sao lưu / backup {report.backup} → {report.data_dir}: {report.objects} đối tượng / objects "
            f"({report.bytes} byte); fsck: {len(report.fsck)} vấn đề / problems"
        )
        if not report.ok:
            raise CommandError("Khôi phục có lỗi / the restore has problems", returncode=1)
        self.stdout.write("Khôi phục thành công / restore complete. Tiếp theo / next: khoso reindex")
