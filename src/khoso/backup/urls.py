"""Routes of the backup pages under /sao-luu/; every name is in tests/backup/test_permissions.py."""

from django.urls import path

from khoso.backup import views

urlpatterns = [
    path("", views.backup_home, name="backup_home"),
    path("nhat-ky.pdf", views.backup_log_pdf, name="backup_log_pdf"),
    path("ban-sao-bao-hiem/", views.backup_insurance_copy, name="backup_insurance_copy"),
]
