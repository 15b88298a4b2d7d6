"""Routes of the director's dashboard and the report exports (issue 7); all GET, no object ids."""

from django.urls import path

from khoso.reports import views

urlpatterns = [
    path("", views.dashboard, name="reports_dashboard"),
    path("bao-cao-nam.xlsx", views.annual_xlsx, name="reports_annual_xlsx"),
    path("bao-cao-nam.pdf", views.annual_pdf, name="reports_annual_pdf"),
    path("thong-ke-phong.xlsx", views.fonds_xlsx, name="reports_fonds_xlsx"),
    path("thong-ke-phong.pdf", views.fonds_pdf, name="reports_fonds_pdf"),
]
