"""URL routes: the admin, the web UI and the digitization workflow (one module per app).

Every module listed in ``ROUTE_MODULES`` has a permission matrix test; ``tests/test_routes.py``
fails when a route is served from a module not in the list.
"""

from django.contrib import admin
from django.urls import include, path

WORKFLOW_APPS = ["workflow", "custody", "cataloguing", "scanning", "inspection", "handover"]
PUBLIC_APPS = ["portal", "readers"]
PRESERVATION_APPS = {"packages": "goi-tin/", "preservation": "bao-quan/", "backup": "sao-luu/"}
ROUTE_MODULES = [
    "khoso.web.urls",
    *(f"khoso.{app}.urls" for app in WORKFLOW_APPS),
    *(f"khoso.{app}.urls" for app in PUBLIC_APPS),
    *(f"khoso.{app}.urls" for app in PRESERVATION_APPS),
]

urlpatterns = [
    path("quan-tri/", admin.site.urls),
    *(path("so-hoa/", include(f"khoso.{app}.urls")) for app in WORKFLOW_APPS),
    path("tra-cuu/", include("khoso.portal.urls")),
    path("doc-gia/", include("khoso.readers.urls")),
    *(path(prefix, include(f"khoso.{app}.urls")) for app, prefix in PRESERVATION_APPS.items()),
    path("", include("khoso.web.urls")),
]

handler400 = "khoso.web.views.bad_request"
