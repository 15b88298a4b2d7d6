from django.apps import AppConfig


class CustodyConfig(AppConfig):
    name = "khoso.custody"
    verbose_name = "Giao nhận, vận chuyển tài liệu (quản lý bảo quản)"
