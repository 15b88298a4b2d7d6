from django.apps import AppConfig


class ArchiveConfig(AppConfig):
    name = "khoso.archive"
    verbose_name = "Tài liệu lưu trữ"
