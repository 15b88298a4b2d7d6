"""Routes of catalogue import (upload → preview → commit) and export under /muc-luc/; every name is in
tests/catalogue/test_permissions.py."""

from django.urls import path

from khoso.catalogue import views

FONDS = "phong/<int:fonds_id>/"
IMPORT = FONDS + "nhap/<int:import_id>/"

urlpatterns = [
    path("", views.catalogue_home, name="catalogue_home"),
    path(FONDS, views.catalogue_fonds, name="catalogue_fonds"),
    path(FONDS + "nhap/", views.catalogue_upload, name="catalogue_upload"),
    path(IMPORT, views.catalogue_preview, name="catalogue_preview"),
    path(IMPORT + "ghi/", views.catalogue_commit, name="catalogue_commit"),
    path(FONDS + "xuat.xlsx", views.catalogue_export_xlsx, name="catalogue_export_xlsx"),
    path(FONDS + "xuat.csv", views.catalogue_export_csv, name="catalogue_export_csv"),
]
