from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "khoso.portal"
    verbose_name = "Cổng tra cứu công khai"
