"""Deny by default: every route of ``khoso.guides.urls`` × every actor × public, staff-only and missing targets.

Who reads what: the list is open to everyone and shows each visitor only what they may read; the reader's
guide, its PDF and its screenshots are public; every other guide, PDF and screenshot needs a staff account.
A staff-only guide asked for by an anonymous visitor sends them to log in, exactly like a guide that does
not exist; a signed-in citizen (or an account with no role) gets the 404 of a missing guide, byte for byte.
In an offline enclave the public guide is gone too.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, reverse

from khoso.guides import library
from khoso.guides import urls as guide_urls

pytestmark = pytest.mark.django_db

PUBLIC_GUIDE, STAFF_GUIDE, MISSING_GUIDE = "doc-gia", "bien-muc", "khong-co-huong-dan-nay"
PUBLIC_SCREEN, STAFF_SCREEN, MISSING_SCREEN = "portal_home", "my_queue", "khong_co_man_hinh"

#: route → the URL keyword and the values naming a public, a staff-only and a missing target
POLICY: dict[str, tuple[str, dict[str, str]]] = {
    "guides_index": ("", {}),
    "guides_detail": ("slug", {"public": PUBLIC_GUIDE, "staff": STAFF_GUIDE, "missing": MISSING_GUIDE}),
    "guides_pdf": ("slug", {"public": PUBLIC_GUIDE, "staff": STAFF_GUIDE, "missing": MISSING_GUIDE}),
    "guides_screen": ("name", {"public": PUBLIC_SCREEN, "staff": STAFF_SCREEN, "missing": MISSING_SCREEN}),
}
ACTORS = ("anonymous", "reader", "no_role", "staff", "superuser")
#: target → actor → outcome
EXPECTED: dict[str, dict[str, str]] = {
    "public": dict.fromkeys(ACTORS, "ok"),
    "staff": {"anonymous": "login", "reader": "404", "no_role": "404", "staff": "ok", "superuser": "ok"},
    "missing": {"anonymous": "login", "reader": "404", "no_role": "404", "staff": "404", "superuser": "404"},
}


def test_every_route_is_in_the_policy() -> None:
    assert {p.name for p in guide_urls.urlpatterns if isinstance(p, URLPattern)} == set(POLICY)


def test_the_targets_are_what_the_matrix_says() -> None:
    guides = library.guides()
    assert guides[PUBLIC_GUIDE].public and not guides[STAFF_GUIDE].public and MISSING_GUIDE not in guides
    figures = {guide.slug: {f.screen for f in guide.document.figures()} for guide in guides.values()}
    public_figures = set().union(*(screens for slug, screens in figures.items() if guides[slug].public))
    assert PUBLIC_SCREEN in public_figures
    assert STAFF_SCREEN not in public_figures and STAFF_SCREEN in figures[STAFF_GUIDE]


def _client(user: Any) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _outcome(response: Any) -> str:
    if hasattr(response, "streaming_content"):
        b"".join(response.streaming_content)
    if response.status_code == 302:
        return "login" if response["Location"].startswith(reverse("login")) else "away"
    if response.status_code == 200:
        return "ok"
    return str(response.status_code)


@pytest.mark.parametrize("route", sorted(POLICY))
def test_route_matrix(route: str, actors, placeholder_screens) -> None:  # type: ignore[no-untyped-def]
    keyword, targets = POLICY[route]
    for actor in ACTORS:
        client = _client(actors[actor])
        if not keyword:
            assert _outcome(client.get(reverse(route))) == "ok", (route, actor)
            continue
        for target, value in targets.items():
            response = client.get(reverse(route, kwargs={keyword: value}))
            assert _outcome(response) == EXPECTED[target][actor], (route, actor, target, response.status_code)


@pytest.mark.parametrize("route", ["guides_detail", "guides_pdf", "guides_screen"])
def test_a_hidden_guide_answers_like_a_missing_one(route: str, actors, placeholder_screens) -> None:  # type: ignore[no-untyped-def]
    keyword, targets = POLICY[route]
    for actor in ("reader", "no_role"):
        client = _client(actors[actor])
        hidden = client.get(reverse(route, kwargs={keyword: targets["staff"]}))
        missing = client.get(reverse(route, kwargs={keyword: targets["missing"]}))
        assert hidden.status_code == missing.status_code == 404
        assert hidden.content == missing.content


def test_the_list_shows_each_visitor_what_they_may_read(actors) -> None:  # type: ignore[no-untyped-def]
    every = list(library.guides().values())
    public = [guide for guide in every if guide.public]
    for actor, expected in (("anonymous", public), ("reader", public), ("staff", every), ("superuser", every)):
        page = _client(actors[actor]).get(reverse("guides_index"))
        assert [guide.slug for guide in page.context["guides"]] == [guide.slug for guide in expected], actor
        text = page.content.decode()
        for guide in every:
            assert (reverse("guides_detail", args=[guide.slug]) in text) is (guide in expected), (actor, guide.slug)
    anonymous = _client(None).get(reverse("guides_index")).content.decode()
    assert "chỉ hiện sau khi đăng nhập" in anonymous and reverse("login") in anonymous


def test_an_enclave_has_no_public_guide(actors, settings) -> None:  # type: ignore[no-untyped-def]
    settings.KHOSO_ENCLAVE = True
    anonymous = _client(None)
    assert list(anonymous.get(reverse("guides_index")).context["guides"]) == []
    assert _outcome(anonymous.get(reverse("guides_detail", args=[PUBLIC_GUIDE]))) == "login"
    assert _outcome(_client(actors["staff"]).get(reverse("guides_detail", args=[PUBLIC_GUIDE]))) == "ok"


def test_staff_read_inside_the_staff_pages_and_citizens_inside_the_portal(actors) -> None:  # type: ignore[no-untyped-def]
    url = reverse("guides_detail", args=[PUBLIC_GUIDE])
    staff = _client(actors["staff"]).get(url).content.decode()
    citizen = _client(actors["reader"]).get(url).content.decode()
    assert reverse("my_queue") in staff and 'class="mainnav"' in staff
    assert reverse("my_queue") not in citizen and reverse("portal_home") in citizen
