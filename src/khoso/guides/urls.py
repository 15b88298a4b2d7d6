"""Routes of the user guides under /huong-dan/; every name is in tests/guides/test_permissions.py."""

from django.urls import path

from khoso.guides import views

urlpatterns = [
    path("", views.guide_index, name="guides_index"),
    path("man-hinh/<str:name>.png", views.guide_screen, name="guides_screen"),
    path("<slug:slug>.pdf", views.guide_pdf_download, name="guides_pdf"),
    path("<slug:slug>/", views.guide_detail, name="guides_detail"),
]
