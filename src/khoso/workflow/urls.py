"""Routes of the digitization workflow (under /so-hoa/); each needs a rule in
``tests/workflow/test_permissions.py``."""

from django.urls import path

from khoso.workflow import views

PROJECT = "de-an/<int:project_id>/"
ITEM = "viec/<int:item_id>/"

urlpatterns = [
    path("", views.project_list, name="project_list"),
    path("de-an/tao/", views.project_create, name="project_create"),
    path(PROJECT, views.project_detail, name="project_detail"),
    path(PROJECT + "chon-ho-so/", views.project_select, name="project_select"),
    path(PROJECT + "thanh-vien/", views.project_member_add, name="project_member_add"),
    path(PROJECT + "gui-duyet/", views.project_submit, name="project_submit"),
    path(PROJECT + "phe-duyet/", views.project_approve, name="project_approve"),
    path(PROJECT + "khong-duyet/", views.project_reject, name="project_reject"),
    path(PROJECT + "ket-thuc/", views.project_close, name="project_close"),
    path("viec-cua-toi/", views.my_queue, name="my_queue"),
    path(ITEM, views.item_detail, name="item_detail"),
    path(ITEM + "chuyen-buoc/", views.item_transition, name="item_transition"),
    path(ITEM + "nhan-viec/", views.item_claim, name="item_claim"),
    path(ITEM + "tra-viec/", views.item_release, name="item_release"),
]
