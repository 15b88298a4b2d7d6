from django.apps import AppConfig


class CatalogueConfig(AppConfig):
    name = "khoso.catalogue"
    verbose_name = "Nhập, xuất mục lục"
