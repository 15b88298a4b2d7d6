"""Routes of the readers app, mounted under /doc-gia/; each needs a rule in tests/readers/test_permissions.py."""

from django.urls import path

from khoso.readers import views

READ = "ban-doc/<str:token>/"

urlpatterns = [
    path("", views.reader_home, name="reader_home"),
    path("dang-ky/", views.reader_register, name="reader_register"),
    path("tai-khoan/", views.reader_accounts, name="reader_accounts"),
    path("tai-khoan/<int:reader_id>/quyet-dinh/", views.reader_account_decide, name="reader_account_decide"),
    path("yeu-cau/tao/", views.reader_request_create, name="reader_request_create"),
    path("duyet/", views.reader_requests, name="reader_requests"),
    path("duyet/<int:request_id>/", views.reader_request_review, name="reader_request_review"),
    path("yeu-cau/<int:request_id>/bien-lai.pdf", views.reader_receipt, name="reader_receipt"),
    path(READ, views.reader_read, name="reader_read"),
    path(READ + "trang/<int:number>.jpg", views.reader_read_page, name="reader_read_page"),
    path("ban-sao/<str:token>/tai-ve/", views.reader_download, name="reader_download"),
    path("thong-ke/", views.reader_usage, name="reader_usage"),
]
