from django.apps import AppConfig


class HandoverConfig(AppConfig):
    name = "khoso.handover"
    verbose_name = "Lựa chọn, nghiệm thu và bàn giao"
