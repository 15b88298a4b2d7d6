"""``khoso package export FILE_CODE --type SIP|AIP|DIP OUT.zip [--user NAME --reason TEXT]``,
``khoso package import ZIP [--fonds CODE --institution CODE] [--json]`` and
``khoso package receive ZIP... [--fonds CODE] [--institution CODE] [--agency NAME] [--json]`` (a transfer
batch, checked only).

A gói tài liệu exported as SIP/AIP becomes SIP_tailieu/AIP_tailieu. Secret material (mode 03, or a
document with a độ mật) is exported only with ``--user`` naming an account holding archive.export_secret
and ``--reason``; the refusal names that rule and exits with status 6 (permission)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
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
        export.add_argument("--user", default="", help="Tài khoản người xuất / exporting account (username)")
        export.add_argument("--reason", default="", help="Lý do xuất (bắt buộc với tài liệu Mật) / reason")
        read = verbs.add_parser("import", help="Kiểm tra và nhập gói tin / check and import a package")
        read.add_argument("zip", type=Path)
        read.add_argument("--json", action="store_true")
        read.add_argument("--check-only", action="store_true", help="Chỉ kiểm tra, không nhập / check only")
        read.add_argument("--fonds", default="", help="Mã phông nhận / receiving fonds code")
        read.add_argument("--institution", default="", help="Mã cơ quan lưu trữ của phông nhận / its institution")
        receive = verbs.add_parser(
            "receive", help="Nhận một lần nộp lưu: kiểm tra, chưa nhập vào kho / receive a transfer batch (check only)"
        )
        receive.add_argument("zips", nargs="+", type=Path)
        receive.add_argument("--fonds", default="", help="Mã phông nhận / receiving fonds code")
        receive.add_argument("--institution", default="", help="Mã cơ quan lưu trữ của phông nhận / its institution")
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
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"], is_active=True).first()
            if user is None:
                raise CommandError(f"Không có tài khoản «{options['user']}» đang hoạt động / unknown user")
        objid = services.package_export(
            file_code=options["file_code"], package_type=package_type, out=out, user=user, reason=options["reason"]
        )
        kind = services.export_type(file_code=options["file_code"], package_type=package_type)
        self.stdout.write(f"{out}: {kind.value} {objid} ({out.stat().st_size} byte)")

    def _import(self, options: dict[str, Any]) -> None:
        path: Path = options["zip"]
        if not path.is_file():
            raise CommandError(f"Không tìm thấy tệp «{path}» / file not found")
        fonds = self._fonds(options)
        report = services.package_read(path, commit=not options["check_only"], fonds=fonds)
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
        fonds = self._fonds(options)
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

    def _fonds(self, options: dict[str, Any]) -> Fonds | None:
        """The fonds chosen with --fonds (and --institution: fonds codes repeat across institutions)."""
        if not options["fonds"]:
            return None
        found = Fonds.objects.filter(code=options["fonds"])
        if options["institution"]:
            found = found.filter(institution__code=options["institution"])
        fonds = list(found.select_related("institution")[:2])
        if not fonds:
            raise CommandError(f"Không có phông «{options['fonds']}» / unknown fonds")
        if len(fonds) > 1:
            raise CommandError(
                f"Phông «{options['fonds']}» có ở nhiều cơ quan lưu trữ: thêm --institution / "
                "the fonds code exists in several institutions: add --institution"
            )
        return fonds[0]
