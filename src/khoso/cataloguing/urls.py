"""Routes of khoso.cataloguing, mounted under /so-hoa/; each needs a rule in tests/cataloguing/test_permissions.py."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
