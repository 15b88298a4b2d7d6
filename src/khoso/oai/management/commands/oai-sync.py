"""``khoso oai-sync``: compare the public catalogue with what OAI-PMH has published, now.

The beat schedule runs the same sweep every 15 minutes; run it by hand after a bulk change made
outside the web (a restore, an import with ``QuerySet.update``) or to see the counts.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from khoso.oai import services


class Command(BaseCommand):
    help = "Đối chiếu danh mục công khai với bản ghi OAI-PMH / Sync the OAI-PMH records with the public catalogue."

    def handle(self, *args: Any, **options: Any) -> None:
        result = services.sweep()
        self.stdout.write(
            f"Công khai / public: {result.public}; mới / new: {result.created}; "
            f"thay đổi / changed: {result.changed}; rút / withdrawn: {result.withdrawn}"
        )
