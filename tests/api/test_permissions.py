"""The API's permission matrix: every route × actor × object class against one policy table.

The same rules as the web (``tests/test_authorization_sweep.py``), through tokens: anonymous → 401;
objects the actor may not see answer exactly like missing ones (404, same body); lists and searches
hold exactly what the actor may see. Workflow task routes belong to a project, not to an object
class: their matrix is ``test_task_routes_follow_the_queue``. A route missing from both fails.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from khoso.readers.models import ReaderRequest

pytestmark = pytest.mark.django_db

ACTORS = ("anonymous", "reader", "approved_reader", "staff_other_fonds", "staff_fonds", "admin")
CLASSES = ("public", "conditional", "secret", "restricted", "deleted", "secret_document")
NOBODY_ELSE = ("reader", "approved_reader", "staff_other_fonds")


def _rule(per_actor: dict[str, Any]) -> dict[tuple[str, str], str]:
    """``per_actor[actor]`` is an outcome, or a dict class → outcome."""
    return {
        (actor, cls): value if isinstance(value, str) else value[cls]
        for actor, value in per_actor.items()
        for cls in CLASSES
    }


def _by_class(default: str, **outcomes: str) -> dict[str, str]:
    return {cls: outcomes.get(cls, default) for cls in CLASSES}


def _as_list(matrix: dict[tuple[str, str], str]) -> dict[tuple[str, str], str]:
    """The same rule for a listing: what may be opened is listed, what is hidden is absent."""
    return {cell: {"ok": "listed", "404": "absent"}.get(value, value) for cell, value in matrix.items()}


STAFF_FILE = _rule(
    {
        "anonymous": "401",
        **{actor: "404" for actor in NOBODY_ELSE},
        "staff_fonds": _by_class("ok", secret="404", deleted="404"),  # no archive.view_secret
        "admin": _by_class("ok", deleted="404"),
    }
)
STAFF_CONTENT = {**STAFF_FILE, ("staff_fonds", "secret_document"): "404"}  # documents and pages
FONDS = _rule({"anonymous": "401", **{a: "404" for a in NOBODY_ELSE}, "staff_fonds": "ok", "admin": "ok"})
CATALOGUE = _rule(  # the portal scope: 01 entries, 02 for approved readers; never 03, restricted, deleted
    {
        "anonymous": "401",
        "reader": _by_class("absent", public="listed"),
        "approved_reader": _by_class("absent", public="listed", conditional="listed"),
        "staff_other_fonds": _by_class("absent", public="listed"),
        "staff_fonds": _by_class("absent", public="listed"),
        "admin": _by_class("absent", public="listed"),
    }
)
REQUEST = _rule(  # the reader's own, and staff who decide requests on files of their fonds
    {
        "anonymous": "401",
        "reader": "404",
        "approved_reader": "ok",
        "staff_other_fonds": "404",
        "staff_fonds": _by_class("ok", secret="404", deleted="404"),
        "admin": _by_class("ok", deleted="404"),
    }
)
REQUEST_CREATE = _rule(  # the portal's catalogue decides what may be asked for (the web's reader_request_create)
    {
        "anonymous": "401",
        "reader": _by_class("404", public="403", secret_document="403"),
        "approved_reader": _by_class("404", public="ok", conditional="ok", secret_document="ok"),
        "staff_other_fonds": _by_class("404", public="403", secret_document="403"),
        "staff_fonds": _by_class("404", public="403", secret_document="403"),
        "admin": _by_class("404", public="403", secret_document="403"),
    }
)
REQUEST_DECIDE = {**REQUEST, **{("approved_reader", cls): "403" for cls in CLASSES}}
REPORTS = _rule(  # reports.view_dashboard (staff_fonds holds it; the figures cover granted fonds only)
    {"anonymous": "401", **{a: "403" for a in NOBODY_ELSE}, "staff_fonds": "ok", "admin": "ok"}
)
SIGNED_IN = _rule({"anonymous": "401", **{actor: "ok" for actor in ACTORS[1:]}})

#: (route, method) → (target the URL names, matrix, probe: what a listing is searched for)
POLICY: dict[tuple[str, str], tuple[str, dict[tuple[str, str], str], str]] = {
    ("api-schema", "GET"): ("-", SIGNED_IN, ""),
    ("api-fonds-list", "GET"): ("-", _as_list(FONDS), "fonds"),
    ("api-fonds-detail", "GET"): ("fonds", FONDS, ""),
    ("api-inventory-list", "GET"): ("-", _as_list(FONDS), "inventory"),
    ("api-inventory-detail", "GET"): ("inventory", FONDS, ""),
    ("api-box-list", "GET"): ("-", _as_list(FONDS), "box"),
    ("api-box-detail", "GET"): ("box", FONDS, ""),
    ("api-file-list", "GET"): ("-", _as_list(STAFF_FILE), "file"),
    ("api-file-detail", "GET"): ("file", STAFF_FILE, ""),
    ("api-document-list", "GET"): ("-", _as_list(STAFF_CONTENT), "document"),
    ("api-document-detail", "GET"): ("document", STAFF_CONTENT, ""),
    ("api-page-list", "GET"): ("-", _as_list(STAFF_CONTENT), "page"),
    ("api-page-detail", "GET"): ("page", STAFF_CONTENT, ""),
    ("api-search-pages", "GET"): ("-", _as_list(STAFF_CONTENT), "search_pages"),
    ("api-search-catalogue", "GET"): ("-", CATALOGUE, "catalogue"),
    ("api-reader-request-list", "GET"): ("-", _as_list(REQUEST), "request"),
    ("api-reader-request-list", "POST"): ("-", REQUEST_CREATE, "create"),
    ("api-reader-request-detail", "GET"): ("request", REQUEST, ""),
    ("api-reader-request-decide", "POST"): ("request", REQUEST_DECIDE, ""),
    ("api-report-fonds-statistics", "GET"): ("-", REPORTS, ""),
    ("api-report-dashboard", "GET"): ("-", REPORTS, ""),
    ("api-report-annual", "GET"): ("-", REPORTS, "report_year"),
}
TASK_ROUTES = {
    ("api-task-list", "GET"),
    ("api-task-detail", "GET"),
    ("api-task-transition", "POST"),
}
HTTP_METHODS = ("get", "post", "put", "patch", "delete")


def _api_routes() -> set[tuple[str, str]]:
    """(route name, method) of every route the API's URL module serves (QLVB's included module aside)."""
    found: set[tuple[str, str]] = set()
    api = next(
        p
        for p in get_resolver().url_patterns
        if isinstance(p, URLResolver) and getattr(p.urlconf_name, "__name__", p.urlconf_name) == "khoso.api.urls"
    )
    for pattern in api.url_patterns:
        if not isinstance(pattern, URLPattern) or not pattern.name:
            continue  # the QLVB module has its own tests
        callback = pattern.callback
        actions = getattr(callback, "actions", None)
        methods = set(actions) if actions else {m for m in HTTP_METHODS if hasattr(callback.cls, m)}  # type: ignore[attr-defined]
        found |= {(pattern.name, method.upper()) for method in methods if method in HTTP_METHODS}
    return found


def test_every_api_route_is_in_the_matrix() -> None:
    routes = _api_routes()
    missing = routes - set(POLICY) - TASK_ROUTES
    assert not missing, f"API routes without an access rule in {__file__}: {sorted(missing)}"
    stale = (set(POLICY) | TASK_ROUTES) - routes
    assert not stale, f"rules for routes that no longer exist: {sorted(stale)}"


# -- observing ----------------------------------------------------------------------------------------------


def _url(route: str, target: str, world: Any, cls: str, *, missing: bool = False) -> str:
    bump = 100_000 if missing else 0
    kwargs: dict[str, Any] = {
        "-": {},
        "fonds": {"pk": world.fonds.pk + bump},
        "inventory": {"pk": world.inventory.pk + bump},
        "box": {"pk": world.box.pk + bump},
        "file": {"file_code": world.files[cls].file_code + ("X" if missing else "")},
        "document": {"pk": world.documents[cls].pk + bump},
        "page": {"pk": world.pages[cls].pk + bump},
        "request": {"pk": world.requests[cls].pk + bump},
    }[target]
    return reverse(route, kwargs=kwargs)


def _probe(probe: str, world: Any, cls: str) -> tuple[dict[str, str], Callable[[dict[str, Any]], bool]]:
    """Query parameters for a listing, and how to tell whether the class's object is in its answer."""

    def ids(key: str, wanted: int) -> Callable[[dict[str, Any]], bool]:
        return lambda body: wanted in {row[key] for row in body["results"]}

    marker = f"dauvet{cls.replace('_', '')}"
    return {
        "fonds": ({}, ids("id", world.fonds.pk)),
        "inventory": ({}, ids("id", world.inventory.pk)),
        "box": ({}, ids("id", world.box.pk)),
        "file": ({}, ids("id", world.files[cls].pk)),
        "document": ({}, ids("id", world.documents[cls].pk)),
        "page": ({}, ids("id", world.pages[cls].pk)),
        "request": ({}, ids("id", world.requests[cls].pk)),
        "search_pages": ({"q": marker}, ids("pageId", world.pages[cls].pk)),
        "catalogue": ({"q": marker}, lambda body: marker in str(body["results"])),
        "report_year": ({"year": "2026"}, lambda body: True),
    }[probe]


def _outcome(response: Any) -> str:
    status = response.status_code
    if status in {200, 201}:
        return "ok"
    return str(status)


def _call(client: Client, method: str, url: str, world: Any, actor: str, body: dict[str, Any] | None = None) -> Any:
    headers = world.headers(actor)
    if method == "POST":
        return client.post(url, body or {}, content_type="application/json", headers=headers)
    return client.get(url, {"pageSize": 200, **(body or {})}, headers=headers)


def _post_body(route: str, world: Any, cls: str) -> dict[str, Any]:
    if route == "api-reader-request-list":
        return {
            "file": world.files[cls].pk,
            "kind": "doc",
            "purpose": "01",
            "purposeContent": "Nghiên cứu lịch sử địa phương",
            "feeObjectType": "01",
        }
    return {"approve": False, "reason": "Tài liệu đang tu bổ"}


@pytest.mark.parametrize("key", sorted(POLICY), ids=lambda key: f"{key[0]}-{key[1]}")
def test_observed_matrix_equals_the_policy(key: tuple[str, str], world: Any) -> None:
    route, method = key
    target, expected, probe = POLICY[key]
    observed: dict[tuple[str, str], str] = {}
    client = Client()
    for actor in ACTORS:
        for cls in CLASSES:
            url = _url(route, target, world, cls)
            if method == "POST":
                response = _call(client, method, url, world, actor, _post_body(route, world, cls))
                ReaderRequest.objects.filter(code__startswith="YC-API-").update(
                    status=ReaderRequest.Status.SUBMITTED, decided_by=None, decided_at=None, decision_reason=""
                )
                observed[(actor, cls)] = _outcome(response)
            elif probe:
                params, listed = _probe(probe, world, cls)
                response = _call(client, method, url, world, actor, params)
                outcome = _outcome(response)
                if outcome == "ok" and probe != "report_year":
                    outcome = "listed" if listed(response.json()) else "absent"
                observed[(actor, cls)] = outcome
            else:
                observed[(actor, cls)] = _outcome(_call(client, method, url, world, actor))
    differences = {cell: (expected[cell], observed[cell]) for cell in expected if expected[cell] != observed[cell]}
    assert not differences, f"{route} {method}: (actor, class) → (policy, observed): {differences}"


DETAIL_ROUTES = sorted(key for key, (target, matrix, _) in POLICY.items() if target != "-" and "404" in matrix.values())


@pytest.mark.parametrize("key", DETAIL_ROUTES, ids=lambda key: f"{key[0]}-{key[1]}")
def test_hidden_objects_answer_like_missing_ones(key: tuple[str, str], world: Any) -> None:
    route, method = key
    target, expected, _ = POLICY[key]
    client = Client()
    for actor in ACTORS:
        for cls in CLASSES:
            if expected[(actor, cls)] != "404":
                continue
            body = _post_body(route, world, cls) if method == "POST" else None
            hidden = _call(client, method, _url(route, target, world, cls), world, actor, body)
            missing = _call(client, method, _url(route, target, world, cls, missing=True), world, actor, body)
            assert hidden.status_code == missing.status_code == 404, (route, actor, cls)
            assert hidden.content == missing.content, (route, actor, cls)


def test_anonymous_is_told_how_to_sign_in(world: Any) -> None:
    for route, method in POLICY:
        response = _call(Client(), method, _url(route, POLICY[(route, method)][0], world, "public"), world, "anonymous")
        assert response.status_code == 401, route
        assert response["WWW-Authenticate"].startswith("Token"), route


# -- workflow tasks: the queue decides -----------------------------------------------------------------------


def test_task_routes_follow_the_queue(approved_project, people, no_guards) -> None:  # type: ignore[no-untyped-def]
    from khoso.api import services as api_services

    def headers(name: str) -> dict[str, str]:
        key = api_services.token_create(username=people[name].username, name="viec")[1]
        return {"Authorization": f"Token {key}"}

    client = Client()
    item = approved_project.items.order_by("pk").first()
    detail = reverse("api-task-detail", kwargs={"pk": item.pk})
    move = reverse("api-task-transition", kwargs={"pk": item.pk})
    assert client.get(reverse("api-task-list")).status_code == 401
    planner, cataloguer, outsider, admin = (headers(n) for n in ("planner", "cataloguer", "outsider", "admin"))
    queue = client.get(reverse("api-task-list"), headers=planner).json()
    assert queue["count"] == approved_project.items.count()
    assert {row["state"] for row in queue["results"]} == {"DA_DUYET"}
    assert client.get(reverse("api-task-list"), headers=admin).json()["count"] == queue["count"]
    for stranger in (cataloguer, outsider):  # not their step, not their project: hidden like missing
        assert client.get(reverse("api-task-list"), headers=stranger).json()["count"] == 0
        assert client.get(detail, headers=stranger).status_code == 404
        response = client.post(move, {"target": "XUAT_KHO"}, content_type="application/json", headers=stranger)
        assert response.status_code == 404
    assert client.get(detail, headers=planner).json()["fileCode"] == item.file.file_code
    unknown = client.post(move, {"target": "KHONG_CO"}, content_type="application/json", headers=planner)
    assert unknown.status_code == 400
    illegal = client.post(move, {"target": "NGHIEM_THU"}, content_type="application/json", headers=planner)
    assert illegal.status_code == 409 and illegal.json()["code"] == "chuyen_buoc_khong_hop_le"
    moved = client.post(
        move, {"target": "XUAT_KHO", "note": "Xuất kho đợt 1"}, content_type="application/json", headers=planner
    )
    assert moved.status_code == 200, moved.content
    item.refresh_from_db()
    assert item.state == "XUAT_KHO" and moved.json()["state"] == "XUAT_KHO"
