from django.apps import AppConfig


class BackupConfig(AppConfig):
    name = "khoso.backup"
    verbose_name = "Sao lưu"
