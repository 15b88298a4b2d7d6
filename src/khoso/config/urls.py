"""URL routes: the admin, the web UI and the digitization workflow (one module per app).

Every module listed in ``ROUTE_MODULES`` has a permission matrix test; ``tests/test_routes.py``
fails when a route is served from a module not in the list. In an offline enclave
(``KHOSO_ENCLAVE``) the public side (portal, reader services, OAI-PMH harvesting) is not mounted.
"""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from khoso.portal import urls as portal_urls

WORKFLOW_APPS = ["workflow", "custody", "cataloguing", "scanning", "inspection", "handover"]
PUBLIC_PREFIXES = {"portal": portal_urls.PREFIX, "readers": "doc-gia/"}
PUBLIC_APPS = [] if settings.KHOSO_ENCLAVE else list(PUBLIC_PREFIXES)
PRESERVATION_APPS = {"packages": "goi-tin/", "preservation": "bao-quan/", "backup": "sao-luu/"}
SECURITY_APPS = {"accounts": "tai-khoan/", "audit": "nhat-ky/", "access": "quyen-truy-cap/", "signing": "chu-ky/"}
REPORTING_APPS = {"reports": "bao-cao/", "catalogue": "muc-luc/", "deadlines": "thoi-han/", "guides": "huong-dan/"}
API_APPS = {"api": "api/v1/"}
INTEGRATION_APPS = {} if settings.KHOSO_ENCLAVE else {"oai": "oai/"}
ROUTE_MODULES = [
    "khoso.web.urls",
    *(f"khoso.{app}.urls" for app in WORKFLOW_APPS),
    *(f"khoso.{app}.urls" for app in PUBLIC_APPS),
    *(f"khoso.{app}.urls" for app in PRESERVATION_APPS),
    *(f"khoso.{app}.urls" for app in SECURITY_APPS),
    *(f"khoso.{app}.urls" for app in REPORTING_APPS),
    *(f"khoso.{app}.urls" for app in API_APPS),
    "khoso.qlvb.urls",  # included by khoso.api.urls at api/v1/qlvb/
    *(f"khoso.{app}.urls" for app in INTEGRATION_APPS),
]

urlpatterns = [
    path("quan-tri/", admin.site.urls),
    *(path("so-hoa/", include(f"khoso.{app}.urls")) for app in WORKFLOW_APPS),
    *(path(PUBLIC_PREFIXES[app], include(f"khoso.{app}.urls")) for app in PUBLIC_APPS),
    *(path(prefix, include(f"khoso.{app}.urls")) for app, prefix in PRESERVATION_APPS.items()),
    *(path(prefix, include(f"khoso.{app}.urls")) for app, prefix in SECURITY_APPS.items()),
    *(path(prefix, include(f"khoso.{app}.urls")) for app, prefix in REPORTING_APPS.items()),
    *(path(prefix, include(f"khoso.{app}.urls")) for app, prefix in API_APPS.items()),
    *(path(prefix, include(f"khoso.{app}.urls")) for app, prefix in INTEGRATION_APPS.items()),
    path("", include("khoso.web.urls")),
]

handler400 = "khoso.web.views.bad_request"
