"""The change log the search index follows.

The database is the source of truth; every machine keeps its own index and catches up by reading
changes after the last sequence number it applied. That keeps search correct when web servers
and workers run on several machines, with no shared index directory.
"""

from django.db import models


class IndexChange(models.Model):
    page_id = models.BigIntegerField(db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "Thay đổi chỉ mục"
        verbose_name_plural = "Thay đổi chỉ mục"

    def __str__(self) -> str:
        return f"#{self.pk} trang {self.page_id}"
