"""``khoso search QUERY``: full-text search from the shell (an operator's trusted tool)."""

from __future__ import annotations

import json
import re
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from khoso.search.selectors import search_pages

TAGS = re.compile(r"</?mark>")


class Command(BaseCommand):
    help = "Tìm kiếm toàn văn các trang / Full-text search of pages."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("query")
        parser.add_argument("--json", action="store_true")
        parser.add_argument("--limit", type=int, default=20)

    def handle(self, *args: Any, **options: Any) -> None:
        result = search_pages(user=None, query=options["query"], limit=options["limit"], system=True)
        hits: list[dict[str, Any]] = [
            {"file_code": h.file_code, "page": h.page_no, "score": round(h.score, 4), "snippet": h.snippet_html}
            for h in result.hits
        ]
        if options["json"]:
            self.stdout.write(json.dumps({"total": result.total, "hits": hits}, ensure_ascii=False, indent=2))
            return
        self.stdout.write(f"{result.total} kết quả / hits")
        for hit in hits:
            self.stdout.write(f"{hit['file_code']} trang {hit['page']}: {TAGS.sub('', hit['snippet'])}")
