"""Routes of accounts, mounted under /tai-khoan/ (global names prefixed ``accounts_``)."""

from django.urls import path

from khoso.accounts import views

urlpatterns = [
    path("xac-thuc-hai-lop/dang-ky/", views.totp_enrol, name="accounts_totp_enrol"),
    path("xac-thuc-hai-lop/", views.totp_verify, name="accounts_totp_verify"),
]
