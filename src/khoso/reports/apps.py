from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "khoso.reports"
    verbose_name = "Báo cáo"
