"""The portal's page addresses, without loading the whole site's URL configuration.

The OAI-PMH record of a public file links to its portal page, and records are written when a file
is saved, so ``khoso ingest`` and every worker child build such links. Reversing them against the
root URL configuration imports every view of the site (≈ 0.6–0.9 CPU-s per process, half the fixed
cost of ingesting a few pages). This URL configuration mounts only the portal's routes, at the prefix
the root one mounts them; ``tests/portal/test_links.py`` checks that both give the same addresses.
"""

from __future__ import annotations

from django.urls import include, path, reverse

from khoso.portal.urls import PREFIX

urlpatterns = [path(PREFIX, include("khoso.portal.urls"))]


def portal_url(route: str, *args: int | str) -> str:
    """The path of a portal route (``portal_file``, ``portal_document``, …), with the script prefix."""
    return reverse(route, args=args, urlconf=__name__)
