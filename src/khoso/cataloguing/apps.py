from django.apps import AppConfig


class CataloguingConfig(AppConfig):
    name = "khoso.cataloguing"
    verbose_name = "Biên mục và nhập phiếu tin"
