"""Routes of preservation, mounted under /bao-quan/; each needs a rule in tests/preservation/test_permissions.py."""

from django.urls import path

from khoso.preservation import views

urlpatterns = [
    path("", views.preservation_dashboard, name="preservation_dashboard"),
    path("kiem-tra/", views.preservation_audit_request, name="preservation_audit_request"),
]
