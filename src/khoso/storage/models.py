"""The database record of each stored object: digest, size and type.

The digest recorded at ingest is the fixity value every later audit compares against.
"""

from django.db import models


class StoredObject(models.Model):
    sha256 = models.CharField("SHA-256", max_length=64, primary_key=True)
    size = models.BigIntegerField("Kích thước (byte)")
    mime = models.CharField("Kiểu nội dung", max_length=100)
    created_at = models.DateTimeField("Thời điểm lưu", auto_now_add=True)

    class Meta:
        verbose_name = "Đối tượng số"
        verbose_name_plural = "Đối tượng số"

    def __str__(self) -> str:
        return f"{self.sha256[:12]}… ({self.mime}, {self.size} B)"
