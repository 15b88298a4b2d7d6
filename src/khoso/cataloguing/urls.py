"""Routes of khoso.cataloguing, mounted under /so-hoa/; each needs a rule in tests/cataloguing/test_permissions.py."""

from django.urls import path

from khoso.cataloguing import views

PROJECT = "de-an/<int:project_id>/"
ITEM = "viec/<int:item_id>/"

urlpatterns = [
    path(PROJECT + "huong-dan-bien-muc/", views.guideline_list, name="guideline_list"),
    path(PROJECT + "huong-dan-bien-muc/ban-hanh/", views.guideline_publish, name="guideline_publish"),
    path(PROJECT + "bao-cao-loi-phieu-tin/", views.error_report, name="error_report"),
    path(ITEM + "phieu-tin/", views.worksheet_edit, name="worksheet_edit"),
    path(ITEM + "phieu-tin/tai-lieu/<int:ordinal>/", views.worksheet_document, name="worksheet_document"),
    path(ITEM + "kiem-tra-bien-muc/", views.catalogue_check, name="catalogue_check"),
    path(ITEM + "kiem-tra/lap-bien-ban/", views.check_start, name="check_start"),
    path(ITEM + "kiem-tra/ghi-loi/", views.check_error_add, name="check_error_add"),
    path(ITEM + "loi/<int:error_id>/da-sua/", views.error_fix, name="error_fix"),
    path(ITEM + "nhap-phieu-tin/", views.keying_list, name="keying_list"),
    path(ITEM + "nhap-phieu-tin/<int:worksheet_id>/", views.keying_sheet, name="keying_sheet"),
    path(ITEM + "kiem-tra-nhap/", views.entry_check, name="entry_check"),
    path(ITEM + "chenh-lech/<int:difference_id>/", views.difference_resolve, name="difference_resolve"),
]
