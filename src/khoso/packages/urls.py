"""Routes of the transfer pages and the package export under /goi-tin/; every name is in
tests/packages/test_permissions.py."""

from django.urls import path

from khoso.packages import views

BATCH = "nop-luu/<int:batch_id>/"
ITEM = BATCH + "ho-so/<int:item_id>/"

urlpatterns = [
    path("nop-luu/", views.packages_batch_list, name="packages_batch_list"),
    path("nop-luu/moi/", views.packages_batch_create, name="packages_batch_create"),
    path(BATCH, views.packages_batch_detail, name="packages_batch_detail"),
    path(ITEM + "chap-nhan/", views.packages_item_accept, name="packages_item_accept"),
    path(ITEM + "tu-choi/", views.packages_item_reject, name="packages_item_reject"),
    path(BATCH + "muc-luc.pdf", views.packages_list_pdf, name="packages_list_pdf"),
    path(BATCH + "muc-luc.xlsx", views.packages_list_xlsx, name="packages_list_xlsx"),
    path(BATCH + "bien-ban-giao-nhan.pdf", views.packages_receipt_pdf, name="packages_receipt_pdf"),
    path("ho-so/<str:file_code>/xuat/", views.packages_file_export, name="packages_file_export"),
]
