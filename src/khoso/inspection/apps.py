from django.apps import AppConfig


class InspectionConfig(AppConfig):
    name = "khoso.inspection"
    verbose_name = "Kiểm tra sản phẩm"
