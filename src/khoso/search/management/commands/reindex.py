"""``khoso reindex``: rebuild this machine's search index from the database, or catch it up.

An upgrade that changes the index layout, a new machine joining a cluster or a damaged index
directory all end the same way: rebuild from the database (the source of truth). The rebuild
fills a new generation while the live one keeps answering searches, then switches over.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from khoso.search.services import index_rebuild, index_sync, search_home


class Command(BaseCommand):
    help = (
        "Dựng lại chỉ mục tìm kiếm từ CSDL trong khi vẫn phục vụ tìm kiếm (--if-missing: chỉ khi chưa có hoặc đã cũ) / "
        "Rebuild the search index from the database while searches keep being served."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-missing",
            action="store_true",
            help="only when this machine has no index yet, or one an upgrade can no longer read",
        )
        parser.add_argument("--sync", action="store_true", help="only apply changes not yet indexed")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["sync"]:
            touched = index_sync()
            self.stdout.write(f"Đã cập nhật {touched} mục / {touched} entries updated")
            return
        home = search_home()
        if options["if_missing"] and home.current_name() is not None and home.current_is_usable():
            return
        written = index_rebuild(on_chunk=lambda count: self.stderr.write(f"… {count}"))
        self.stdout.write(f"Đã dựng lại chỉ mục: {written} mục / index rebuilt: {written} entries")
