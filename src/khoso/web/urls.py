"""Routes of the web UI (Vietnamese slugs). Every name here must appear in the policy table of
``tests/web/test_permissions.py``: a new route without a declared access rule fails the tests."""

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import path
from django.views.i18n import set_language

from khoso.web import views

FILE = "ho-so/<str:file_code>/"
PAGE = FILE + "trang/<int:number>/"

urlpatterns = [
    path(
        "dang-nhap/",
        auth_views.LoginView.as_view(template_name="web/login.html", redirect_authenticated_user=True),
        name="login",
    ),
    path("dang-xuat/", auth_views.LogoutView.as_view(), name="logout"),
    path("ngon-ngu/", login_not_required(set_language), name="set_language"),
    path("", views.home, name="home"),
    path("phong/tao/", views.fonds_create, name="fonds_create"),
    path("phong/<int:fonds_id>/", views.fonds_detail, name="fonds_detail"),
    path("phong/<int:fonds_id>/ho-so/tao/", views.file_create, name="file_create"),
    path(FILE, views.file_detail, name="file_detail"),
    path(FILE + "sua/", views.file_edit, name="file_edit"),
    path(FILE + "tai-lieu/tao/", views.document_create, name="document_create"),
    path(FILE + "tai-len/", views.file_upload, name="file_upload"),
    path(FILE + "tien-do.json", views.file_progress, name="file_progress"),
    path(FILE + "ho-so.pdf", views.file_pdf, name="file_pdf"),
    path(PAGE, views.page_viewer, name="page_viewer"),
    path(PAGE + "anh-nho.jpg", views.page_thumbnail, name="page_thumbnail"),
    path(PAGE + "anh", views.page_image, name="page_image"),
    path(PAGE + "trang.pdf", views.page_pdf, name="page_pdf"),
    path("tim-kiem/", views.search, name="search"),
    path("xu-ly/", views.pipeline_status, name="pipeline_status"),
]
