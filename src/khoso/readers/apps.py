from django.apps import AppConfig


class ReadersConfig(AppConfig):
    name = "khoso.readers"
    verbose_name = "Độc giả"
