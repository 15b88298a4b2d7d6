"""Routes of khoso.scanning, mounted under /so-hoa/; each needs a rule in tests/scanning/test_permissions.py."""

from django.urls import path

from khoso.scanning import views

ITEM = "quet/<int:item_id>/"
PAGE = "trang/<int:number>/"

urlpatterns = [
    path(ITEM + "nop-ban-quet/", views.scan_delivery, name="scan_delivery"),
    path(ITEM + "nop-ban-quet/tai-len/", views.scan_upload, name="scan_upload"),
    path(ITEM + "doi-chieu/", views.scan_reconcile, name="scan_reconcile"),
    path(ITEM + "phieu-bia.png", views.scan_cover_png, name="scan_cover_png"),
    path(ITEM + "phieu-bia.pdf", views.scan_cover_pdf, name="scan_cover_pdf"),
    path(ITEM + "kiem-tra-chat-luong/", views.scan_qc, name="scan_qc"),
    path(ITEM + "kiem-tra-chat-luong/" + PAGE, views.scan_review, name="scan_review"),
    path(ITEM + "kiem-tra-chat-luong/dat-tat-ca/", views.scan_accept_passing, name="scan_accept_passing"),
    path(ITEM + "quet-lai/", views.scan_rescan, name="scan_rescan"),
    path(ITEM + "quet-lai/" + PAGE, views.scan_rescan_upload, name="scan_rescan_upload"),
    path(ITEM + "lien-ket/", views.scan_link, name="scan_link"),
    path(ITEM + "lien-ket/luu/", views.scan_link_save, name="scan_link_save"),
    path(ITEM + "lien-ket/theo-phieu-tin/", views.scan_link_auto, name="scan_link_auto"),
    path(ITEM + PAGE + "anh-nho.jpg", views.scan_thumbnail, name="scan_thumbnail"),
]
