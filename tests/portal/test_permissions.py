"""Every route of ``khoso.portal.urls`` × every actor × every class of object.

The portal is public (no login) but shows only what ``portal_scope`` allows: anyone sees public
material, an approved reader also the catalogue entries (never the content) of conditional
material; secret, restricted and deleted material is 404 for everybody on this side, exactly
like an id that does not exist. A route missing from ``POLICY`` fails ``test_every_route_is_in_the_policy_table``.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import URLPattern, reverse

from khoso.access.models import FondsGrant
from khoso.portal import urls as portal_urls

# route → kind of object it shows:
#   page      no object: always 200 for everyone (home, autocomplete, sitemap)
#   entry     a catalogue entry (fonds, file, document): public for all, conditional for approved
#             readers; a fonds is shown when one of its files is and it is not restricted as a whole
#   content   page images: public material only, for everybody (conditional content needs a request)
POLICY: dict[str, str] = {
    "portal_home": "page",
    "portal_suggest": "page",
    "portal_sitemap": "page",
    "portal_sitemap_part": "page",
    "portal_fonds": "entry",
    "portal_file": "entry",
    "portal_document": "entry",
    "portal_thumbnail": "content",
}

ACTORS = ["anonymous", "reader_pending", "reader_approved", "staff_with_grant", "superuser"]
CLASSES = ["public", "conditional", "secret", "restricted", "deleted", "missing"]
ROUTES = [p.name for p in portal_urls.urlpatterns if isinstance(p, URLPattern)]


def expected(kind: str, actor: str, klass: str) -> int:
    if kind == "page" or klass == "public":
        return 200
    if klass == "conditional" and kind == "entry" and actor == "reader_approved":
        return 200
    return 404


def _kwargs(route: str, klass: str, catalogue) -> dict[str, int]:  # type: ignore[no-untyped-def]
    files = {
        "public": catalogue.files["public"],
        "conditional": catalogue.files["conditional"],
        "secret": catalogue.files["secret"],
        "restricted": catalogue.files["restricted"],
        "deleted": catalogue.files["deleted"],
    }
    documents = {
        "public": catalogue.documents["public"],
        "conditional": catalogue.documents["conditional"],
        "secret": catalogue.documents["secret"],
        "restricted": catalogue.documents["restricted"],
        "deleted": catalogue.documents["deleted"],
    }
    fonds = {
        "public": catalogue.fonds.pk,
        "conditional": catalogue.files["only_conditional"].fonds_id,  # its only file is in mode 02
        "secret": catalogue.files["empty_secret"].fonds_id,  # its only file is secret
        "restricted": catalogue.closed_fonds.pk,
        "deleted": catalogue.files["only_deleted"].fonds_id,  # its only file is deleted
    }
    missing = 10_000_000
    if route == "portal_fonds":
        return {"fonds_id": fonds.get(klass, missing)}
    if route == "portal_document":
        return {"document_id": documents[klass].pk if klass in documents else missing}
    if route == "portal_thumbnail":
        return {"file_id": files[klass].pk if klass in files else missing, "number": 1}
    if route == "portal_file":
        return {"file_id": files[klass].pk if klass in files else missing}
    if route == "portal_sitemap_part":
        return {"part": 1}
    return {}


@pytest.fixture
def actors(catalogue) -> dict[str, User | None]:  # type: ignore[no-untyped-def]
    staff = User.objects.create_user("nhanvien", password="mat-khau-thu-nghiem-123", is_staff=True)
    FondsGrant.objects.create(user=staff, fonds=catalogue.fonds, can_edit=True)
    return {
        "anonymous": None,
        "reader_pending": catalogue.users["pending"],
        "reader_approved": catalogue.users["approved"],
        "staff_with_grant": staff,  # staff rights do not widen the public side
        "superuser": User.objects.create_superuser("quantri", "qt@example.vn", "mat-khau-thu-nghiem-123"),
    }


def test_every_route_is_in_the_policy_table() -> None:
    assert set(ROUTES) == set(POLICY), "routes without an access rule: " + ", ".join(sorted(set(ROUTES) ^ set(POLICY)))


def _fetch(client: Client, url: str, method: str = "get") -> tuple[int, bytes]:
    response = getattr(client, method)(url)
    body = b"".join(response.streaming_content) if hasattr(response, "streaming_content") else response.content
    return response.status_code, body


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("route", ROUTES)
def test_route_access(route: str, actor: str, catalogue, actors, client: Client) -> None:
    assert route in POLICY, f"route «{route}» is not in the policy table of {__file__}"
    user = actors[actor]
    if user is not None:
        client.force_login(user)
    kind = POLICY[route]
    pattern = next(p for p in portal_urls.urlpatterns if p.name == route)
    observed, wanted = {}, {}
    bodies_404: set[bytes] = set()
    for klass in CLASSES:
        url = reverse(route, kwargs=_kwargs(route, klass, catalogue))
        status, body = _fetch(client, url)
        observed[klass], wanted[klass] = status, expected(kind, actor, klass)
        if status == 404:
            bodies_404.add(body)
    assert observed == wanted
    assert len(bodies_404) <= 1, "a hidden object answers differently from a missing one"
    if pattern.pattern.converters:
        url = reverse(route, kwargs=_kwargs(route, "public", catalogue))
        assert _fetch(client, url, "post")[0] == 405  # read-only


def test_sequential_ids_tell_nothing(catalogue, client: Client) -> None:
    """Walking every id around the catalogue: each answer is 200 or the very same 404."""
    from khoso.archive.models import ArchiveFile, Document

    shown = ("public", "b", "d", "u", "y", "xss", "expired", "other1", "other2")
    visible_files = {catalogue.files[name].pk for name in shown}
    top = ArchiveFile.objects.order_by("-pk").values_list("pk", flat=True).first() + 2
    bodies = set()
    for file_id in range(1, top + 1):
        status, body = _fetch(client, reverse("portal_file", args=[file_id]))
        assert status == (200 if file_id in visible_files else 404), file_id
        if status == 404:
            bodies.add(body)
        status, body = _fetch(client, reverse("portal_thumbnail", args=[file_id, 1]))
        if status == 404:
            bodies.add(body)
    top = Document.objects.order_by("-pk").values_list("pk", flat=True).first() + 2
    for document_id in range(1, top + 1):
        status, body = _fetch(client, reverse("portal_document", args=[document_id]))
        if status == 404:
            bodies.add(body)
    assert len(bodies) == 1
