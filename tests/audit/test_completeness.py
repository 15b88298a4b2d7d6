"""T12 (engineering.md C5): audit completeness and tamper-evidence.

Every state-changing endpoint of the authorization sweep is performed as an actor allowed to; the
database is snapshotted before and after (without the audit code) to see whether the request really
changed anything. A request that changed state has exactly one entry (actor, action, object, digest,
time, IP); one that changed nothing, or was refused, has none. A POST-accepting route missing from
``khoso.audit.registry.CHANGES`` fails, so a new endpoint cannot skip the trail.
"""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
from audit_kit import (
    changed_models,
    post_routes,
    site_patterns,
    state_snapshot,
    sweep,
    tamper,
)  # tests/audit/conftest.py
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from khoso.audit import registry
from khoso.audit.models import AuditEntry

pytestmark = pytest.mark.django_db

ADDRESS = "203.0.113.7"

# -- the map is complete ---------------------------------------------------------------------------


def test_every_post_route_has_an_audit_mapping() -> None:
    routes = post_routes()
    missing = sorted(set(routes) - set(registry.CHANGES))
    assert not missing, f"routes accepting POST without an entry in khoso/audit/registry.py CHANGES: {missing}"
    stale = sorted(set(registry.CHANGES) - set(routes))
    assert not stale, f"CHANGES names routes that do not exist or no longer accept POST: {stale}"


def test_every_mapping_names_a_model_and_the_url_arguments_it_needs() -> None:
    patterns = dict(site_patterns())
    for table in (registry.CHANGES, registry.READS):
        for name, target in table.items():
            if name not in patterns:
                continue
            if target.model:
                assert target.model_class() is not None, name
            arguments = set(patterns[name].pattern.regex.groupindex)  # path converters and regex groups (DRF routers)
            assert set(target.lookup.values()) <= arguments, (name, target.lookup, arguments)


def test_every_route_naming_material_is_classified_as_content_or_not() -> None:
    unclassified = sorted(
        name
        for name, pattern in site_patterns()
        if set(pattern.pattern.regex.groupindex) & registry.MATERIAL_KWARGS
        and name not in registry.CHANGES
        and name not in registry.READS
        and name not in registry.NOT_CONTENT
    )
    assert not unclassified, f"routes naming material, neither READS nor NOT_CONTENT in registry.py: {unclassified}"


# -- performing every state-changing endpoint --------------------------------------------------------


def _jpeg() -> io.BytesIO:
    buffer = io.BytesIO()
    Image.new("RGB", (400, 560), "white").save(buffer, "JPEG", quality=80, dpi=(300, 300))
    buffer.seek(0)
    buffer.name = "trang-1.jpg"
    return buffer


FONDS_POST = {
    "code": "KT-MOI",
    "name": "Phông kiểm thử nhật ký",
    "status": "mo",
    "organ_id": "000.00.00.H15",
    "history": "Thành lập năm 1976.",
    "archives_time": "1976-2000",
    "paper_total": "2",
    "key_groups": "Tổng hợp",
    "language": "01",
}
FILE_POST = {
    "file_catalog": "1995",
    "file_notation": "01.TH",
    "title": "Hồ sơ sửa trong kiểm thử nhật ký",
    "maintenance": "01",
    "mode": "01",
    "language": "01",
    "start_date": "03/01/1995",
    "end_date": "28/12/1995",
    "number_of_paper": "1",
    "number_of_page": "1",
    "format": "01",
    "description": "Người lập: A",
}


def _post_data(route: str, world: Any, tmp_path: Any) -> dict[str, Any]:
    """Form data that makes the action go through (empty for routes whose empty form is the action)."""
    return {
        "fonds_create": FONDS_POST,
        "file_create": {**FILE_POST, "file_notation": "99.KT"},
        "file_edit": FILE_POST,
        "document_create": {
            "type_name": "02",
            "code_number": "7",
            "code_notation": "QĐ-UBND",
            "issued_date": "15/03/1995",
            "organ_name": "UBND tỉnh",
            "subject": "Về việc kiểm thử",
            "number_of_page": "1",
        },
        "file_upload": {"files": _jpeg()},
        "reader_account_decide": {"decision": "approve"},
        "packages_item_reject": {"reason": "Gói tin sai quy định"},
        "preservation_audit_request": {"fonds": world.fonds.code},
        "backup_insurance_copy": {"fonds": world.fonds.pk, "target": str(tmp_path / "bao-hiem")},
        "logout": {},
    }.get(route, {"target": "XUAT_KHO"})


#: logging in and out change no archival state but are recorded (by signal)
AUTH_EVENTS = {"logout"}

#: actions that must really change state here (so the test is not vacuous)
MUST_CHANGE = {
    "fonds_create",
    "file_create",
    "file_edit",
    "document_create",
    "file_upload",
    "reader_account_decide",
    "packages_item_reject",
    "preservation_audit_request",
    "backup_insurance_copy",
    "logout",
}


def _sweep_routes() -> dict[str, tuple[str, Any]]:
    """route → ("sweep", (method, matrix, target)) or ("workflow", (method, kind)) for POST-accepting routes."""
    accepting = post_routes()
    found: dict[str, tuple[str, Any]] = {}
    for route, entry in sweep.POLICY.items():
        if route in accepting:
            found[route] = ("sweep", entry)
    for route, entry in sweep.WORKFLOW_POLICY.items():
        if route in accepting:
            found[route] = ("workflow", entry)
    return found


SWEEP_ROUTES = _sweep_routes()


def _new_entries(since: int) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(seq__gt=since).order_by("seq"))


def _head() -> int:
    return AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0


def _client(user: Any) -> Client:
    client = Client(REMOTE_ADDR=ADDRESS)
    if user is not None:
        client.force_login(user)
    return client


def _workflow_url(route: str, project: Any) -> str:
    pattern = next(p for name, p in site_patterns() if name == route)
    item = project.items.order_by("pk").first()
    values = {name: 1 for name in pattern.pattern.converters}
    known = {"project_id": project.pk, "item_id": item.pk, "file_id": item.file_id}
    values.update({k: v for k, v in known.items() if k in values})
    return reverse(route, kwargs=values)


def _check_one_entry(route: str, entries: list[AuditEntry], user: Any, started: Any) -> AuditEntry:
    mine = [entry for entry in entries if entry.route == route]
    assert len(mine) == 1, f"{route}: {len(mine)} entries for one action: {[e.action for e in mine]}"
    entry = mine[0]
    assert entry.actor_id == user.pk and entry.actor_name == user.get_username(), route
    assert entry.action, route
    assert entry.ip == ADDRESS, route
    assert started - timedelta(seconds=1) <= entry.time <= timezone.now() + timedelta(seconds=1), route
    assert entry.request_id, route
    target = registry.CHANGES[route]
    if entry.object_type:
        assert entry.object_id and entry.object_label, route
        assert len(entry.digest_after) == 64 or entry.detail.get("da_xoa"), route
        if target.model:
            assert entry.object_type == target.model.lower(), (route, entry.object_type)
        if not target.creates and target.model:
            assert len(entry.digest_before) == 64, route
    return entry


def test_every_state_changing_endpoint_leaves_exactly_one_entry(
    world, approved_project, people, settings, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    settings.KHOSO_COPY_ROOTS = [tmp_path]
    settings.FILE_UPLOAD_TEMP_DIR = tmp_path
    assert SWEEP_ROUTES, "no state-changing route found in the sweep"
    changed_routes: set[str] = set()
    for route, (family, entry) in sorted(SWEEP_ROUTES.items()):
        if family == "sweep":
            url = sweep._url(route, entry[2], world, "public")
            refused = [
                actor
                for actor in sweep.ACTORS
                if entry[1][(actor, "public")] in {"403", "404"}
                or (actor == "anonymous" and entry[1][(actor, "public")] == "login")
            ]
            allowed = world.users["admin"]
            refusing_users = {actor: world.users[actor] for actor in refused}
        else:
            url = _workflow_url(route, approved_project)
            allowed = people["admin"]
            refusing_users = {actor: world.users[actor] for actor in ("anonymous", "reader", "staff_other_fonds")}
            if entry[1] == "user":
                refusing_users = {"anonymous": None}
        # refused: no entry (that nothing changed is the authorization sweep's to check)
        for actor, user in refusing_users.items():
            head = _head()
            response = _client(user).post(url, _post_data(route, world, tmp_path))
            if family == "workflow" or entry[0] == "POST":  # the sweep observed this very request
                assert response.status_code in {302, 403, 404}, (route, actor, response.status_code)
            assert not _new_entries(head), (route, actor, "refused but recorded")
        # allowed: one entry exactly when the request changed state
        client = _client(allowed)
        head, before, started = _head(), state_snapshot(), timezone.now()
        response = client.post(url, _post_data(route, world, tmp_path))
        assert response.status_code < 500, (route, response.status_code)
        changed = changed_models(before, state_snapshot())
        entries = _new_entries(head)
        target = registry.CHANGES[route]
        if changed or (target.always and response.status_code < 400) or route in AUTH_EVENTS:
            _check_one_entry(route, entries, allowed, started)
            changed_routes.add(route)
        else:
            assert not [e for e in entries if e.route == route], (route, "nothing changed but recorded")
    not_done = MUST_CHANGE & set(SWEEP_ROUTES) - changed_routes
    assert not not_done, f"these actions did not go through, so their entries were not checked: {sorted(not_done)}"
    assert len(changed_routes) >= len(MUST_CHANGE), sorted(changed_routes)


def test_entries_name_the_object_with_digests_before_and_after(world) -> None:  # type: ignore[no-untyped-def]
    archive_file = world.files["conditional"]
    client = _client(world.users["admin"])
    head = _head()
    url = reverse("file_edit", args=[archive_file.file_code])
    response = client.post(url, {**FILE_POST, "file_notation": archive_file.file_notation, "mode": "02"})
    assert response.status_code == 302
    (entry,) = _new_entries(head)
    assert entry.action == "file_edit" and entry.route == "file_edit"
    assert entry.object_type == "archive.archivefile" and entry.object_id == str(archive_file.pk)
    assert entry.object_label == archive_file.file_code  # the code, never the (possibly secret) title
    assert entry.fonds_id == world.fonds.pk
    assert len(entry.digest_before) == 64 and len(entry.digest_after) == 64
    assert entry.digest_before != entry.digest_after
    assert ["archive.archivefile", str(archive_file.pk), "sua"] in entry.detail["thay_doi"]
    # a form sent back with errors changes nothing and leaves nothing
    head = _head()
    assert client.post(url, {**FILE_POST, "start_date": "sai"}).status_code == 400
    assert _new_entries(head) == []


def test_a_server_error_rolls_back_the_change_and_its_entry(world, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from khoso.archive import services as archive_services

    real = archive_services.file_update

    def update_then_fail(**kwargs: Any) -> Any:
        real(**kwargs)
        raise RuntimeError("sập giữa chừng")

    monkeypatch.setattr(archive_services, "file_update", update_then_fail)
    archive_file = world.files["public"]
    client = Client(REMOTE_ADDR=ADDRESS, raise_request_exception=False)
    client.force_login(world.users["admin"])
    head = _head()
    response = client.post(reverse("file_edit", args=[archive_file.file_code]), {**FILE_POST, "title": "Đổi"})
    assert response.status_code == 500
    archive_file.refresh_from_db()
    assert archive_file.title != "Đổi"
    assert _new_entries(head) == []


# -- reads of non-public material ---------------------------------------------------------------


@pytest.mark.parametrize(
    "route", ["file_detail", "file_pdf", "page_viewer", "page_thumbnail", "page_image", "page_pdf"]
)
def test_staff_reads_of_non_public_material_are_logged(route: str, world) -> None:  # type: ignore[no-untyped-def]
    client = _client(world.users["admin"])
    for cls in sweep.CLASSES:
        head = _head()
        target = "file" if route in {"file_detail", "file_pdf"} else "page"
        response = client.get(sweep._url(route, target, world, cls))
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
        entries = _new_entries(head)
        if cls in {"conditional", "secret", "restricted"}:
            assert response.status_code == 200, (route, cls)
            (entry,) = entries
            assert entry.kind == AuditEntry.Kind.READ and entry.action == route and entry.route == route
            assert entry.actor_id == world.users["admin"].pk and entry.ip == ADDRESS
            assert entry.fonds_id == world.fonds.pk
            assert len(entry.digest_after) == 64
            expected = "archive.archivefile" if target == "file" else "archive.page"
            assert entry.object_type == expected
        else:  # public material is not logged; deleted material is not shown at all
            assert entries == [], (route, cls)


def test_a_readers_view_of_conditional_material_is_logged(world) -> None:  # type: ignore[no-untyped-def]
    client = _client(world.users["approved_reader"])
    for cls, logged in (("public", False), ("conditional", True)):
        head = _head()
        response = client.get(sweep._url("reader_download", "download", world, cls))
        b"".join(response.streaming_content) if hasattr(response, "streaming_content") else response.content
        assert response.status_code == 200
        entries = _new_entries(head)
        assert len(entries) == int(logged), cls
        if logged:
            assert entries[0].object_type == "readers.delivery"
            assert world.copies[cls].token not in entries[0].object_label  # the link's secret stays out


def test_refused_reads_leave_no_entry(world) -> None:  # type: ignore[no-untyped-def]
    client = _client(world.users["staff_other_fonds"])
    head = _head()
    for cls in sweep.CLASSES:
        assert client.get(sweep._url("page_image", "page", world, cls)).status_code == 404
    assert _new_entries(head) == []


# -- tamper, then verify ------------------------------------------------------------------------


def _verify() -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("audit", "verify", "--json", stdout=out, stderr=err)
        code = 0
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    return code, out.getvalue()


def test_tampering_after_the_actions_is_found(world) -> None:  # type: ignore[no-untyped-def]
    import json

    client = _client(world.users["admin"])
    for cls in ("conditional", "secret", "restricted"):
        client.get(sweep._url("file_detail", "file", world, cls))
    assert AuditEntry.objects.count() >= 3
    code, out = _verify()
    assert code == 0 and json.loads(out)["ok"] is True
    middle = AuditEntry.objects.order_by("seq")[1]
    tamper("UPDATE audit_auditentry SET actor_name = %s WHERE seq = %s", ["ke-gian", middle.seq])
    code, out = _verify()
    report = json.loads(out)
    assert code == 1 and report["broken"]["seq"] == middle.seq and report["broken"]["problem"] == "hash"


def test_a_login_is_one_entry_and_a_failed_one_none(world) -> None:  # type: ignore[no-untyped-def]
    user = world.users["staff_other_fonds"]
    head = _head()
    client = Client(REMOTE_ADDR=ADDRESS)
    page = client.post(reverse("login"), {"username": user.get_username(), "password": "sai-mat-khau"})
    assert page.status_code == 200 and _new_entries(head) == []
    response = client.post(reverse("login"), {"username": user.get_username(), "password": sweep.PASSWORD})
    assert response.status_code == 302
    (entry,) = _new_entries(head)
    assert (entry.action, entry.route, entry.actor_id, entry.ip) == ("dang_nhap", "login", user.pk, ADDRESS)
    assert entry.object_type == "auth.user" and entry.object_label == user.get_username()


def test_a_file_read_in_byte_ranges_is_one_entry_and_its_first_range_is_always_logged(world, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from datetime import timedelta

    from khoso.audit import selectors

    client = _client(world.users["admin"])
    url = sweep._url("file_pdf", "file", world, "conditional")
    head = _head()
    for asked in ("bytes=100-199", "bytes=0-99", "bytes=-50", "bytes=200-"):
        response = client.get(url, HTTP_RANGE=asked)
        assert response.status_code == 206, asked
        b"".join(response.streaming_content)
    (entry,) = _new_entries(head)  # the first piece, even one not at the start, opens the reading
    assert (
        entry.kind == AuditEntry.Kind.READ and entry.action == "file_pdf" and entry.actor_id == world.users["admin"].pk
    )
    whole = client.get(url)
    b"".join(whole.streaming_content)
    assert len(_new_entries(head)) == 2  # a whole download is always an entry of its own
    monkeypatch.setattr(selectors, "RANGE_READING_WINDOW", timedelta(0))  # the reading is over
    later = client.get(url, HTTP_RANGE="bytes=0-99")
    b"".join(later.streaming_content)
    assert len(_new_entries(head)) == 3
