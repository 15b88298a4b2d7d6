from django.apps import AppConfig


class PackagesConfig(AppConfig):
    name = "khoso.packages"
    verbose_name = "Gói tin lưu trữ"
