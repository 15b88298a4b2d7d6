"""``khoso package export FILE_CODE --type SIP|AIP|DIP OUT.zip``, ``khoso package import ZIP [--json]`` and
``khoso package receive ZIP... [--fonds CODE] [--agency NAME] [--json]`` (a transfer batch, checked only)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from khoso.archive.models import Fonds
from khoso.core.errors import ArchiveError
from khoso.packages import selectors, services


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
        receive = verbs.add_parser(
            "receive", help="Nhận một lần nộp lưu: kiểm tra, chưa nhập vào kho / receive a transfer batch (check only)"
        )
        receive.add_argument("zips", nargs="+", type=Path)
        receive.add_argument("--fonds", default="", help="Mã phông nhận / receiving fonds code")
        receive.add_argument("--agency", default="", help="Cơ quan nộp lưu / transferring agency")
        receive.add_argument("--note", default="")
        receive.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["verb"] == "export":
                self._export(options)
            elif options["verb"] == "receive":
                self._receive(options)
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

    def _receive(self, options: dict[str, Any]) -> None:
        paths: list[Path] = options["zips"]
        for path in paths:
            if not path.is_file():
                raise CommandError(f"Không tìm thấy tệp «{path}» / file not found")
        fonds = None
        if options["fonds"]:
            fonds = Fonds.objects.filter(code=options["fonds"]).first()
            if fonds is None:
                raise CommandError(f"Không có phông «{options['fonds']}» / unknown fonds")
        batch = services.batch_receive(
            fonds=fonds,
            packages=[(path.name, path) for path in paths],
            source_agency=options["agency"],
            note=options["note"],
        )
        items = selectors.batch_items(batch=batch)
        if options["json"]:
            result = {
                "batch": batch.pk,
                "fonds": batch.fonds.code,
                "source_agency": batch.source_agency,
                "items": [
                    {
                        "sequence": item.sequence,
                        "package": item.package_name,
                        "file_code": item.file_code,
                        "title": item.title,
                        "maintenance": item.maintenance,
                        "valid": item.valid,
                        "findings": item.findings,
                    }
                    for item in items
                ],
            }
            self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))
        else:
            for item in items:
                verdict = "hợp lệ / valid" if item.valid else f"{len(item.findings)} lỗi / findings"
                self.stdout.write(f"{item.sequence}. {item.package_name}: {item.file_code} {verdict}")
                for finding in item.findings:
                    self.stdout.write(f"   {finding['rule']}: {finding['message']} / {finding['message_en']}")
            self.stdout.write(f"Lần nộp lưu số {batch.pk} ({batch.fonds.code}): {len(items)} gói tin / packages")
