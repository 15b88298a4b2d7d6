from django.apps import AppConfig


class ScanningConfig(AppConfig):
    name = "khoso.scanning"
    verbose_name = "Số hóa, kiểm tra chất lượng ảnh và liên kết"
