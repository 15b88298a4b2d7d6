"""Routes of the QLVB ingest endpoint, mounted under the API at ``/api/v1/qlvb/`` (issue 7)."""

from django.urls import path

from khoso.qlvb import views

urlpatterns = [
    path("documents/", views.IngestView.as_view(), name="qlvb_ingest"),
    path("records/", views.IngestLogView.as_view(), name="qlvb_ingest_log"),
]
