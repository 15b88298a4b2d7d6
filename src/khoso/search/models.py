"""The change log the search index follows.

The database is the source of truth; every machine keeps its own index and catches up by reading
changes after the last sequence number it applied. That keeps search correct when web servers
and workers run on several machines, with no shared index directory.

A row names what changed: a page, a file's catalogue record or a document's. ``cascade`` says the
change reaches the entries below it (a file's title or access mode is part of its documents' and
pages' entries), so a file of 2,000 pages costs one row, not 2,000.
"""

from django.db import models


class IndexChange(models.Model):
    page_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    file_id = models.BigIntegerField(null=True, blank=True)
    document_id = models.BigIntegerField(null=True, blank=True)
    cascade = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "Thay đổi chỉ mục"
        verbose_name_plural = "Thay đổi chỉ mục"

    def __str__(self) -> str:
        if self.document_id:
            return f"#{self.pk} tài liệu {self.document_id}"
        if self.file_id:
            return f"#{self.pk} hồ sơ {self.file_id}"
        return f"#{self.pk} trang {self.page_id}"
