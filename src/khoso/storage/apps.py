from django.apps import AppConfig


class StorageConfig(AppConfig):
    name = "khoso.storage"
    verbose_name = "Kho đối tượng số"
