"""Routes of the deadlines board under /thoi-han/; every name is in tests/deadlines/test_permissions.py."""

from django.urls import path

from khoso.deadlines import views

urlpatterns = [
    path("", views.deadlines_board, name="deadlines_board"),
    path("bao-cao-nam/", views.deadlines_report_submit, name="deadlines_report_submit"),
]
