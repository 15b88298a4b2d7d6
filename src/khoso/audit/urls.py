"""Routes of the audit trail under /nhat-ky/; every name is in tests/audit/test_permissions.py."""

from django.urls import path

from khoso.audit import views

urlpatterns = [
    path("", views.audit_list, name="audit_list"),
    path("<int:seq>/", views.audit_detail, name="audit_detail"),
]
