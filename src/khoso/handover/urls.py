"""Routes of khoso.handover, mounted under /so-hoa/; each needs a rule in tests/handover/test_permissions.py."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
