"""Routes of the public portal (no login). Every name here is in the policy table of
``tests/portal/test_permissions.py``; a route without a declared access rule fails the tests."""

from django.urls import path

from khoso.portal import views

#: where the root URL configuration mounts these routes (khoso.portal.links mounts them there too)
PREFIX = "tra-cuu/"
FILE = "ho-so/<int:file_id>/"

urlpatterns = [
    path("", views.portal_home, name="portal_home"),
    path("goi-y.json", views.portal_suggest, name="portal_suggest"),
    path("phong/<int:fonds_id>/", views.portal_fonds, name="portal_fonds"),
    path(FILE, views.portal_file, name="portal_file"),
    path(FILE + "trang/<int:number>/anh-nho.jpg", views.portal_thumbnail, name="portal_thumbnail"),
    path("tai-lieu/<int:document_id>/", views.portal_document, name="portal_document"),
    path("sitemap.xml", views.portal_sitemap, name="portal_sitemap"),
    path("sitemap-<int:part>.xml", views.portal_sitemap_part, name="portal_sitemap_part"),
]
