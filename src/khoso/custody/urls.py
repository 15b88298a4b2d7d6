"""Routes of khoso.custody, mounted under /so-hoa/; each needs a rule in tests/custody/test_permissions.py."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
