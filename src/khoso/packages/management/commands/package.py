"""``khoso package export FILE_CODE --type SIP|AIP|DIP OUT.zip`` and ``khoso package import ZIP [--json]``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from khoso.core.errors import ArchiveError
from khoso.packages import services


class Command(BaseCommand):
    help = "Gói tin TT 05/2025: xuất và nhập / TT 05/2025 packages: export and import."

    def add_arguments(self, parser: CommandParser) -> None:
        verbs = parser.add_subparsers(dest="verb", required=True)
        export = verbs.add_parser("export", help="Xuất một hồ sơ thành gói tin / export one file as a package")
        export.add_argument("file_code")
        export.add_argument("--type", dest="package_type", required=True, help="SIP, AIP hoặc DIP")
        export.add_argument("out", type=Path)
        read = verbs.add_parser("import", help="Kiểm tra và nhập gói tin / check and import a package")
        read.add_argument("zip", type=Path)
        read.add_argument("--json", action="store_true")
        read.add_argument("--check-only", action="store_true", help="Chỉ kiểm tra, không nhập / check only")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["verb"] == "export":
                self._export(options)
            else:
                self._import(options)
        except ArchiveError as error:
            self.stderr.write(str(error))
            raise SystemExit(int(error.exit_code)) from error

    def _export(self, options: dict[str, Any]) -> None:
        package_type = services.package_type_of(options["package_type"])
        out: Path = options["out"]
        objid = services.package_export(file_code=options["file_code"], package_type=package_type, out=out)
        self.stdout.write(f"{out}: {package_type.value} {objid} ({out.stat().st_size} byte)")

    def _import(self, options: dict[str, Any]) -> None:
        path: Path = options["zip"]
        if not path.is_file():
            raise CommandError(f"Không tìm thấy tệp «{path}» / file not found")
        report = services.package_read(path, commit=not options["check_only"])
        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
        else:
            for finding in report.findings:
                self.stdout.write(str(finding))
            if report.valid:
                done = "đã nhập / imported" if report.file_id else "hợp lệ / valid"
                self.stdout.write(f"{report.name}: {report.file_code} {done}")
            else:
                self.stdout.write(f"{report.name}: {len(report.findings)} lỗi / findings")
        if not report.valid:
            raise SystemExit(1)
