"""Routes of the REST API, version 1 (issue 7). The QLVB ingest endpoint lives in ``khoso.qlvb``.

Every route here is in the matrix of ``tests/api/test_permissions.py`` (a route missing from it fails).
"""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from khoso.api import views
from khoso.api.schema import TokenScheme  # noqa: F401  (registers the token scheme with drf-spectacular: apps.py)

router = SimpleRouter()
router.register("fonds", views.FondsViewSet, basename="api-fonds")
router.register("inventories", views.InventoryViewSet, basename="api-inventory")
router.register("boxes", views.BoxViewSet, basename="api-box")
router.register("files", views.ArchiveFileViewSet, basename="api-file")
router.register("documents", views.DocumentViewSet, basename="api-document")
router.register("pages", views.PageViewSet, basename="api-page")
router.register("tasks", views.TaskViewSet, basename="api-task")
router.register("reader-requests", views.ReaderRequestViewSet, basename="api-reader-request")

urlpatterns = [
    path("qlvb/", include("khoso.qlvb.urls")),
    path("schema/", views.SchemaView.as_view(), name="api-schema"),
    path("search/pages/", views.PageSearchView.as_view(), name="api-search-pages"),
    path("search/catalogue/", views.CatalogueSearchView.as_view(), name="api-search-catalogue"),
    path("reports/fonds-statistics/", views.FondsStatisticsView.as_view(), name="api-report-fonds-statistics"),
    path("reports/dashboard/", views.DashboardView.as_view(), name="api-report-dashboard"),
    path("reports/annual/", views.AnnualReportView.as_view(), name="api-report-annual"),
    *router.urls,
]
