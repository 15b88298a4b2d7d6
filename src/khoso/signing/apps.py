from django.apps import AppConfig


class SigningConfig(AppConfig):
    name = "khoso.signing"
    verbose_name = "Chữ ký số"
