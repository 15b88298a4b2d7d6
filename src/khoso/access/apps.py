from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "khoso.access"
    verbose_name = "Phân quyền"
