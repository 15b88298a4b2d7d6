"""Routes of khoso.handover, mounted under /so-hoa/; each needs a rule in tests/handover/test_permissions.py."""

from django.urls import path

from khoso.handover import views

PROJECT = "de-an/<int:project_id>/"
ITEM = "viec/<int:item_id>/"
RUN = PROJECT + "sao-chep/<int:run_id>/"

urlpatterns = [
    path(PROJECT + "danh-muc-lua-chon/", views.selection_page, name="selection_page"),
    path(PROJECT + "danh-muc-lua-chon/them/", views.selection_add, name="selection_add"),
    path(PROJECT + "danh-muc-lua-chon/tinh-diem/", views.selection_rescore, name="selection_rescore"),
    path(PROJECT + "danh-muc-lua-chon.xlsx", views.selection_xlsx, name="selection_xlsx"),
    path(PROJECT + "danh-muc-lua-chon.pdf", views.selection_pdf, name="selection_pdf"),
    path(PROJECT + "tinh-trang/<int:file_id>/", views.condition_edit, name="condition_edit"),
    path(PROJECT + "sao-chep/", views.copies_page, name="copies_page"),
    path(PROJECT + "sao-chep/noi-luu/", views.copy_target_add, name="copy_target_add"),
    path(PROJECT + "sao-chep/chep/", views.copy_project, name="copy_project"),
    path(RUN + "kiem-tra/", views.copy_run_verify, name="copy_run_verify"),
    path(RUN + "manifest-sha256.txt", views.copy_run_manifest, name="copy_run_manifest"),
    path(ITEM + "sao-chep/", views.copy_item_page, name="copy_item_page"),
    path(ITEM + "sao-chep/chep/", views.copy_item, name="copy_item"),
    path(ITEM + "nghiem-thu/", views.acceptance_item_page, name="acceptance_item_page"),
    path(PROJECT + "bien-ban/", views.minutes_page, name="minutes_page"),
    path(PROJECT + "bien-ban-nghiem-thu.pdf", views.minutes_acceptance_pdf, name="minutes_acceptance_pdf"),
    path(PROJECT + "bien-ban-ban-giao.pdf", views.minutes_handover_pdf, name="minutes_handover_pdf"),
    path(PROJECT + "ho-so-csdl.zip", views.dossier_zip, name="dossier_zip"),
]
