"""The portal addresses built without the root URL configuration (for OAI-PMH records written at
ingest) are the addresses the site serves."""

from __future__ import annotations

import pytest
from django.urls import resolve, reverse

from khoso.portal.links import portal_url

ROUTES = {
    "portal_file": "/tra-cuu/ho-so/42/",
    "portal_document": "/tra-cuu/tai-lieu/42/",
    "portal_fonds": "/tra-cuu/phong/42/",
}


@pytest.mark.parametrize("route", sorted(ROUTES))
def test_a_portal_link_is_the_address_the_site_serves(route: str) -> None:
    assert portal_url(route, 42) == reverse(route, args=[42]) == ROUTES[route]
    assert resolve(portal_url(route, 42)).url_name == route
