from django.apps import AppConfig


class QlvbConfig(AppConfig):
    name = "khoso.qlvb"
    verbose_name = "Tiếp nhận từ hệ thống QLVB"
