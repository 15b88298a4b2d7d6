"""``khoso guide``: list the user guides, build their PDFs, check their references.

``khoso guide pdf all --out DIR`` writes ``huong-dan-<slug>.pdf`` for every guide (training packs, an
intranet without the web UI); ``khoso guide check`` lists every screen, command, setting or screenshot a
guide names that does not exist (exit code 4), for whoever edits a guide.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from khoso.core.errors import ExitCode
from khoso.guides import library, references, selectors
from khoso.guides.pdf import guide_pdf


class Command(BaseCommand):
    help = "Hướng dẫn sử dụng: liệt kê, xuất PDF, kiểm tra tham chiếu / user guides: list, build PDFs, check."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        listing = sub.add_parser("list", help="liệt kê các hướng dẫn / list the guides")
        listing.add_argument("--json", action="store_true")
        pdf = sub.add_parser("pdf", help="xuất bản PDF / build PDFs")
        pdf.add_argument("slug", metavar="TEN|all", help="tên hướng dẫn (xem «khoso guide list») hoặc all")
        pdf.add_argument("--out", required=True, type=Path, metavar="THU_MUC", help="thư mục ghi tệp PDF / folder")
        check = sub.add_parser("check", help="kiểm tra màn hình, lệnh, biến cấu hình, ảnh / check references")
        check.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"_{options['action']}")(options)

    def _list(self, options: dict[str, Any]) -> None:
        guides = library.guides().values()
        if options["json"]:
            rows = [
                {"slug": g.slug, "title": g.title, "summary_en": g.summary_en, "public": g.public, "roles": g.roles}
                for g in guides
            ]
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        for guide in guides:
            audience = "công khai" if guide.public else "cán bộ"
            self.stdout.write(f"{guide.slug:<24} {guide.title} ({audience})")

    def _pdf(self, options: dict[str, Any]) -> None:
        guides = library.guides()
        slug = options["slug"]
        if slug != "all" and slug not in guides:
            raise CommandError(f"Không có hướng dẫn «{slug}»; có: {', '.join(guides)} / no such guide")
        chosen = list(guides.values()) if slug == "all" else [guides[slug]]
        folder: Path = options["out"]
        folder.mkdir(parents=True, exist_ok=True)
        links = selectors.links_for(None)
        for guide in chosen:
            target = folder / f"huong-dan-{guide.slug}.pdf"
            target.write_bytes(guide_pdf(guide, links=links, institution=settings.KHOSO_ARCHIVE_NAME))
            self.stdout.write(str(target))

    def _check(self, options: dict[str, Any]) -> None:
        found = references.problems()
        if options["json"]:
            rows = [{"guide": p.guide, "kind": p.kind, "reference": p.reference, "reason": p.reason} for p in found]
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
        else:
            for problem in found:
                self.stdout.write(str(problem))
        if found:
            raise CommandError(
                f"{len(found)} tham chiếu hỏng / broken references", returncode=int(ExitCode.invalid_metadata)
            )
        if not options["json"]:
            self.stdout.write("Mọi tham chiếu trong hướng dẫn đều đúng / every reference holds.")
