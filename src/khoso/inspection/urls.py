"""Routes of khoso.inspection, mounted under /so-hoa/; each needs a rule in tests/inspection/test_permissions.py."""

from django.urls import path

from khoso.inspection import views

PROJECT = "de-an/<int:project_id>/"
INSPECTION = "kiem-tra-san-pham/<int:inspection_id>/"

urlpatterns = [
    path(PROJECT + "kiem-tra-san-pham/", views.inspection_list, name="inspection_list"),
    path(PROJECT + "kiem-tra-san-pham/ke-hoach-lay-mau/", views.inspection_plan, name="inspection_plan"),
    path(PROJECT + "kiem-tra-san-pham/bat-dau/", views.inspection_start, name="inspection_start"),
    path(PROJECT + "kiem-tra-san-pham/thong-ke/", views.inspection_stats, name="inspection_stats"),
    path(PROJECT + "sua-loi-san-pham/", views.correction_list, name="inspection_corrections"),
    path(INSPECTION, views.inspection_detail, name="inspection_detail"),
    path(INSPECTION + "ghi-loi/", views.inspection_finding_add, name="inspection_finding_add"),
    path(INSPECTION + "loi/<int:finding_id>/xoa/", views.inspection_finding_delete, name="inspection_finding_delete"),
    path(INSPECTION + "ket-thuc/", views.inspection_close, name="inspection_close"),
    path(INSPECTION + "bien-ban/", views.inspection_report, name="inspection_report"),
    path("sua-loi-san-pham/<int:task_id>/da-sua/", views.correction_fixed, name="inspection_correction_fixed"),
    path("viec/<int:item_id>/kiem-tra-san-pham/", views.inspection_item, name="inspection_item"),
]
