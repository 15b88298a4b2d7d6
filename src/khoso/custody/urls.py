"""Routes of khoso.custody, mounted under /so-hoa/; each needs a rule in tests/custody/test_permissions.py."""

from django.urls import path

from khoso.custody import views

PROJECT = "giao-nhan/de-an/<int:project_id>/"
ITEM = "giao-nhan/ho-so/<int:item_id>/"

urlpatterns = [
    path(PROJECT, views.custody_project, name="custody_project"),
    path(PROJECT + "chuyen-hop/", views.custody_box, name="custody_box"),
    path(PROJECT + "chenh-lech/", views.custody_discrepancies, name="custody_discrepancies"),
    path(ITEM, views.custody_item, name="custody_item"),
    path(ITEM + "ghi-nhan/", views.custody_record, name="custody_record"),
    path("giao-nhan/chenh-lech/<int:discrepancy_id>/giai-quyet/", views.custody_resolve, name="custody_resolve"),
    path("giao-nhan/<int:event_id>/bien-ban/", views.custody_receipt, name="custody_receipt"),
]
