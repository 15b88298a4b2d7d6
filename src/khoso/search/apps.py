from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "khoso.search"
    verbose_name = "Tìm kiếm"
