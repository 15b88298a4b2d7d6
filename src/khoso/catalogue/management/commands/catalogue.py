"""``khoso catalogue import --fonds CODE FILE [--inventory N] [--user NAME] [--commit] [--json]`` and
``khoso catalogue export --fonds CODE (--xlsx OUT | --csv OUT) [--level ho-so|van-ban] [--inventory N]
[--user NAME]``.

Without ``--commit`` the import is a dry run: every row error (row, column, value, rule) and what would
be created, updated or left unchanged; it exits 1 when the sheet has errors. With ``--commit`` the sheet
is checked again and written in one transaction, or not at all. ``--user`` names the account acting:
its secret-material right decides whether secret rows are exported or may be imported, and a changed
access mode becomes a four-eyes proposal in its name (without ``--user`` such a row is refused).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from khoso.archive.models import Fonds, Inventory
from khoso.catalogue import documents, services
from khoso.catalogue.columns import Level
from khoso.catalogue.validation import VERB_LABELS, Preview
from khoso.core.errors import ArchiveError


class Command(BaseCommand):
    help = "Nhập, xuất mục lục hồ sơ / văn bản (XLSX, CSV) / import and export catalogues."

    def add_arguments(self, parser: CommandParser) -> None:
        verbs = parser.add_subparsers(dest="verb", required=True)
        read = verbs.add_parser("import", help="Xem trước (mặc định) hoặc ghi một mục lục / preview or commit")
        read.add_argument("file", type=Path)
        read.add_argument("--commit", action="store_true", help="Ghi vào kho (một giao dịch) / write it")
        read.add_argument("--json", action="store_true")
        write = verbs.add_parser("export", help="Xuất mục lục của một phông / export a fonds' catalogue")
        out = write.add_mutually_exclusive_group(required=True)
        out.add_argument("--xlsx", type=Path)
        out.add_argument("--csv", type=Path)
        write.add_argument("--level", choices=[level.value for level in Level], default=Level.FILE.value)
        for verb in (read, write):
            verb.add_argument("--fonds", required=True, help="Mã phông / fonds code")
            verb.add_argument("--institution", default="", help="Mã cơ quan lưu trữ (khi mã phông trùng)")
            verb.add_argument("--inventory", type=int, default=None, help="Mục lục số / inventory number")
            verb.add_argument("--user", default="", help="Tài khoản thực hiện / acting account (username)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["verb"] == "export":
                self._export(options)
            else:
                self._import(options)
        except ArchiveError as error:
            self.stderr.write(str(error))
            raise SystemExit(int(error.exit_code)) from error

    def _context(self, options: dict[str, Any]) -> tuple[Fonds, Inventory | None, Any]:
        found = Fonds.objects.filter(code=options["fonds"]).select_related("institution")
        if options["institution"]:
            found = found.filter(institution__code=options["institution"])
        fonds_list = list(found[:2])
        if not fonds_list:
            raise CommandError(f"Không có phông «{options['fonds']}» / unknown fonds")
        if len(fonds_list) > 1:
            raise CommandError(f"Phông «{options['fonds']}» có ở nhiều cơ quan lưu trữ: thêm --institution")
        fonds = fonds_list[0]
        inventory = None
        if options["inventory"] is not None:
            inventory = Inventory.objects.filter(fonds=fonds, number=options["inventory"]).first()
            if inventory is None:
                raise CommandError(f"Phông {fonds.code} không có mục lục số {options['inventory']}")
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"], is_active=True).first()
            if user is None:
                raise CommandError(f"Không có tài khoản «{options['user']}» đang hoạt động / unknown user")
        return fonds, inventory, user

    def _export(self, options: dict[str, Any]) -> None:
        fonds, inventory, user = self._context(options)
        level = Level(options["level"])
        include_secret = services.may_see_secret(user)
        if options["xlsx"]:
            out: Path = options["xlsx"]
            data = documents.catalogue_xlsx(
                fonds=fonds, inventory=inventory, level=level, include_secret=include_secret
            )
        else:
            out = options["csv"]
            data = documents.catalogue_csv(fonds=fonds, inventory=inventory, level=level, include_secret=include_secret)
        out.write_bytes(data)
        self.stdout.write(f"{out}: {level.label} phông {fonds.code} ({len(data)} byte)")

    def _import(self, options: dict[str, Any]) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"Không tìm thấy tệp «{path}» / file not found")
        fonds, inventory, user = self._context(options)
        data = path.read_bytes()
        if options["commit"]:
            result = services.commit_data(data, name=path.name, fonds=fonds, inventory=inventory, user=user)
        else:
            result = services.preview_import_data(data, name=path.name, fonds=fonds, inventory=inventory, user=user)
        self._report(result, committed=options["commit"], as_json=options["json"])
        if result.problems:
            raise SystemExit(1)

    def _report(self, result: Preview, *, committed: bool, as_json: bool) -> None:
        if as_json:
            self.stdout.write(json.dumps({**result.as_dict(), "committed": committed}, ensure_ascii=False, indent=2))
            return
        for warning in result.warnings:
            self.stdout.write(f"Chú ý: {warning}")
        for problem in result.problems:
            self.stdout.write(f"LỖI {problem}")
        for action in result.actions:
            line = f"{action.sheet}, dòng {action.row}: {VERB_LABELS[action.verb]} {action.key}"
            if action.changes:
                line += " — " + "; ".join(f"{name}: «{old}» → «{new}»" for name, (old, new) in action.changes.items())
            if action.proposal:
                line += f" — đề nghị đổi chế độ sử dụng sang {action.proposal} (chờ người thứ hai xác nhận)"
            self.stdout.write(line)
        counts = result.counts()
        done = "đã ghi / written" if committed else "xem trước, chưa ghi / dry run"
        self.stdout.write(
            f"{result.name}: tạo mới {counts['create']}, cập nhật {counts['update']}, không đổi {counts['unchanged']}, "
            f"đề nghị {counts['proposals']}, lỗi {counts['errors']} — {done}"
        )
