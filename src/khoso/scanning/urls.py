"""Routes of khoso.scanning, mounted under /so-hoa/; each needs a rule in tests/scanning/test_permissions.py."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
