"""Deny by default: every route of ``khoso.web.urls`` × every actor × file access mode.

The policy table below must name every route. A new route that is not listed here fails
``test_route_access`` for that route, so nobody can add a page without deciding who may see it.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import URLPattern, reverse

from khoso.web import urls as web_urls

# kind → who may use the route:
#   public        anyone, also anonymous
#   logout        anyone; always answers with a redirect
#   user          any logged-in user (the page itself only lists what the user may see)
#   fonds_create  superuser or archive.add_fonds
#   fonds_view    users who see the fonds (grant or superuser)
#   fonds_edit    users who may edit the fonds (grant with can_edit, or superuser)
#   file_view     users who see the fonds and the file's access mode (03 needs archive.view_secret)
#   file_edit     file_view + may edit the fonds
POLICY: dict[str, tuple[str, str]] = {
    "login": ("public", "GET"),
    "logout": ("logout", "POST"),
    "set_language": ("public", "POST"),
    "home": ("user", "GET"),
    "search": ("user", "GET"),
    "pipeline_status": ("user", "GET"),
    "fonds_create": ("fonds_create", "GET"),
    "fonds_detail": ("fonds_view", "GET"),
    "file_create": ("fonds_edit", "GET"),
    "file_detail": ("file_view", "GET"),
    "file_edit": ("file_edit", "GET"),
    "file_progress": ("file_view", "GET"),
    "file_pdf": ("file_view", "GET"),
    "page_viewer": ("file_view", "GET"),
    "page_thumbnail": ("file_view", "GET"),
    "page_image": ("file_view", "GET"),
    "page_pdf": ("file_view", "GET"),
    "document_create": ("file_edit", "POST"),
    "file_upload": ("file_edit", "POST"),
}

FILE_SERVING = {"file_pdf", "page_thumbnail", "page_image", "page_pdf"}
ACTORS = ["anonymous", "staff_no_grant", "staff_with_grant", "superuser"]
MODES = ["01", "03"]
ROUTES = [p.name for p in web_urls.urlpatterns if isinstance(p, URLPattern)]


def expected(kind: str, actor: str, mode: str) -> str:
    """'ok', 'login' (redirect to the login page), 'forbidden' (403) or 'hidden' (404)."""
    if kind in {"public", "logout"}:
        return "ok"
    if actor == "anonymous":
        return "login"
    if actor == "superuser" or kind == "user":
        return "ok"
    if kind == "fonds_create":
        return "forbidden"
    if actor == "staff_no_grant":
        return "hidden"
    # staff_with_grant: sees and edits the fonds, but not files in mode 03 (no view_secret).
    if kind in {"file_view", "file_edit"} and mode == "03":
        return "hidden"
    return "ok"


def test_every_route_is_in_the_policy_table() -> None:
    assert set(ROUTES) == set(POLICY), "routes without an access rule: " + ", ".join(sorted(set(ROUTES) - set(POLICY)))


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("route", ROUTES)
def test_route_access(route: str, actor: str, mode: str, world, client: Client) -> None:
    assert route in POLICY, f"route «{route}» is not in the policy table of {__file__}"
    kind, method = POLICY[route]
    pattern = next(p for p in web_urls.urlpatterns if p.name == route)
    values = {"fonds_id": world.fonds.pk, "file_code": world.files[mode].file_code, "number": 1}
    url = reverse(route, kwargs={k: v for k, v in values.items() if k in pattern.pattern.converters})
    user = world.users[actor]
    if user is not None:
        client.force_login(user)
    response = client.post(url) if method == "POST" else client.get(url)
    outcome = expected(kind, actor, mode)
    login_url = reverse("login")
    redirected_to_login = response.status_code == 302 and response["Location"].startswith(login_url)
    if outcome == "login":
        assert redirected_to_login, (response.status_code, response.get("Location"))
    elif outcome == "forbidden":
        assert response.status_code == 403
    elif outcome == "hidden":
        assert response.status_code == 404
    elif kind == "logout":
        assert response.status_code == 302
    else:
        if method == "GET" and kind != "public":
            assert response.status_code == 200, response.status_code
        else:
            assert response.status_code in {200, 302, 400} and not redirected_to_login, response.status_code
    if route in FILE_SERVING and response.status_code == 200:
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Type"] in {"image/jpeg", "application/pdf"}
    if hasattr(response, "streaming_content"):
        response.close()


def test_secret_file_is_never_listed_or_found_without_the_right(world, client: Client) -> None:
    client.force_login(world.users["staff_with_grant"])
    page = client.get(reverse("fonds_detail", args=[world.fonds.pk])).content.decode()
    assert world.files["01"].file_code in page
    assert world.files["03"].file_code not in page
    results = client.get(reverse("search"), {"q": "dak lak"}).content.decode()
    assert world.files["01"].file_code in results
    assert world.files["03"].file_code not in results
    assert "Hồ sơ mật" not in results


def test_secret_file_visible_with_view_secret(world, client: Client) -> None:
    from django.contrib.auth.models import Permission

    user = world.users["staff_with_grant"]
    user.user_permissions.add(Permission.objects.get(codename="view_secret"))
    client.force_login(user)
    assert client.get(reverse("file_detail", args=[world.files["03"].file_code])).status_code == 200


def test_staff_without_grant_sees_no_fonds_and_no_hits(world, client: Client) -> None:
    client.force_login(world.users["staff_no_grant"])
    home = client.get(reverse("home")).content.decode()
    assert world.fonds.name not in home
    assert "chưa được giao phông" in home
    results = client.get(reverse("search"), {"q": "dak lak"}).content.decode()
    assert "0 trang khớp" in results
    pipeline = client.get(reverse("pipeline_status")).content.decode()
    assert world.files["01"].file_code not in pipeline


def test_file_pdf_of_other_fonds_is_404_not_403(world, client: Client, file_factory) -> None:
    other = file_factory(world.other_fonds, notation="77", mode="01", title="Khác")
    client.force_login(world.users["staff_with_grant"])
    for route in ("file_pdf", "file_detail", "file_progress"):
        assert client.get(reverse(route, args=[other.file_code])).status_code == 404
    response = client.get(reverse("page_image", args=[other.file_code, 1]))
    assert response.status_code == 404
