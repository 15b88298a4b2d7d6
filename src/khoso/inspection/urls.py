"""Routes of khoso.inspection, mounted under /so-hoa/; each needs a rule in tests/inspection/test_permissions.py."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
