"""T12 in depth (engineering.md C5, issue 6): every state-changing route performed for real, one entry each.

``test_completeness`` posts to every POST route with the sweep's near-empty form data, so most routes are
refused by their services and "exactly one entry per real change" is only checked where an empty form is
an action. Here each route gets its own setup: the object in the state where the action is allowed, the
actor whose job it is, and form data a person would send. Each case then checks three things:

* the action went through: the database changed, seen by a snapshot taken without the audit code, and
  the model the action is about is among what changed;
* exactly one new entry, for this route, naming the actor, the client's address, the object the registry
  target names (with a digest before for ``url(...)`` targets and a digest after);
* refused variants (wrong role, wrong state, a form that breaks a rule) change nothing and leave nothing.

The last test keeps the gap from regrowing: every route of ``registry.CHANGES`` is either a case here or
named in ``NOT_EXERCISED`` with the reason.
"""

from __future__ import annotations

import importlib
import io
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from audit_kit import changed_models, post_routes, state_snapshot  # tests/audit/conftest.py
from django.contrib.auth.models import Group, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from khoso.audit import registry
from khoso.audit.models import AuditEntry
from khoso.audit.selectors import verify_chain
from khoso.workflow.states import State
from samples import document_values, done_pages, file_values, page_jpeg, with_product  # tests/samples.py

pytestmark = pytest.mark.django_db

ADDRESS = "198.51.100.23"
SPOOFED = "203.0.113.250"
HEX64 = re.compile(r"^[0-9a-f]{64}$")

# -- what a case is ----------------------------------------------------------------------------------

Data = dict[str, Any] | Callable[[], dict[str, Any]]


@dataclass
class Refusal:
    """A variant that must be refused: nothing changes, no entry."""

    why: str
    user: Any
    url: str | None = None  # default: the action's URL
    data: Data | None = None  # default: the action's data
    counted: bool = False  # a refused attempt that is itself state (a wrong 2FA code counts): exactly one entry


@dataclass
class Action:
    """One real action: who posts what where, what it must change, which object its entry must name."""

    user: Any
    url: str
    data: Data = field(default_factory=dict)
    model: str = ""  # a model (app_label.model) the action must change
    obj: Callable[[], models.Model | None] | None = None  # the object the entry must name (after the action)
    refusals: list[Refusal] = field(default_factory=list)
    actor: Callable[[], Any] | None = None  # the entry's actor when it is not ``user`` (registration)
    status: tuple[int, ...] = (302,)
    ready: Callable[[], Any] | None = None  # run at ``READY`` among the refusals (see ``_then``)
    writes: bool = True  # False: recorded although no table changes (accepted(...) targets, logout)
    api: bool = False  # the JSON API: a token in the Authorization header, JSON bodies


class Ctx:
    """Lazy access to the fixtures a case needs (each case pays only for what it uses)."""

    def __init__(self, request: pytest.FixtureRequest, tmp_path: Path) -> None:
        self.request = request
        self.tmp_path = tmp_path

    def fixture(self, name: str) -> Any:
        return self.request.getfixturevalue(name)

    @property
    def people(self) -> dict[str, Any]:
        return self.fixture("people")

    @property
    def project(self) -> Any:
        return self.fixture("approved_project")

    @property
    def draft(self) -> Any:
        return self.fixture("draft_project")

    @property
    def world(self) -> Any:
        return self.fixture("world")  # the authorization sweep's world (tests/audit/conftest.py)

    def item(self, state: State | None = None, who: str = "planner", index: int = 0) -> Any:
        item = self.project.items.select_related("file", "project").order_by("id")[index]
        if state is not None:
            item = self.fixture("put_in_state")(item, state, self.people[who])
        return item


CASES: dict[str, Callable[[Ctx], Action]] = {}


def case(route: str) -> Callable[[Callable[[Ctx], Action]], Callable[[Ctx], Action]]:
    def register(setup: Callable[[Ctx], Action]) -> Callable[[Ctx], Action]:
        assert route not in CASES, route
        CASES[route] = setup
        return setup

    return register


# -- small builders ----------------------------------------------------------------------------------


def _form(values: dict[str, Any]) -> dict[str, str]:
    """Form data as a browser sends it: dates dd/mm/yyyy, booleans only when ticked."""
    data = {}
    for key, value in values.items():
        if hasattr(value, "strftime"):
            data[key] = value.strftime("%d/%m/%Y")
        elif value is False or value is None:
            continue
        else:
            data[key] = str(value)
    return data


def _seed_error_classes() -> Any:
    from django.apps import apps

    from khoso.inspection.models import ErrorClass

    importlib.import_module("khoso.inspection.migrations.0002_error_classes").seed(apps, None)
    return ErrorClass


def _guideline(ctx: Ctx, *, double_keying: bool = False) -> Any:
    from khoso.cataloguing import services

    return services.guideline_publish(
        project=ctx.project,
        by=ctx.people["planner"],
        title="Hướng dẫn biên mục phiếu tin",
        text="Ghi tiêu đề đúng như bìa hồ sơ.",
        effective_date=date(2026, 1, 5),
        double_keying=double_keying,
    )


def _catalogued(ctx: Ctx, state: State, who: str) -> Any:
    """A file whose file sheet the cataloguer wrote, placed at ``state``."""
    from khoso.cataloguing import services

    _guideline(ctx)
    item = ctx.item(State.BIEN_MUC)
    services.worksheet_save(item=item, by=ctx.people["cataloguer"], values=file_values())
    return ctx.item(state, who)


def make_archive_file(fonds: Any, year: int, notation: str) -> Any:
    from khoso.archive.services import file_create

    return file_create(
        fonds=fonds,
        file_catalog=year,
        file_notation=notation,
        title=f"Hồ sơ {notation} năm {year} về công tác của tỉnh Đắk Lắk",
        mode="01",
        language="01",
        start_date=date(year, 1, 5),
        end_date=date(year, 12, 20),
        description="Người lập hồ sơ: Nguyễn Văn A",
        number_of_paper=4,
        number_of_page=6,
    )


def _url(route: str, **kwargs: Any) -> str:
    return reverse(route, kwargs=kwargs)


def _copy_root(ctx: Ctx) -> Path:
    root = ctx.tmp_path / "ban-sao"
    root.mkdir(exist_ok=True)
    ctx.fixture("settings").KHOSO_COPY_ROOTS = [root]
    return root


def _copy_target(ctx: Ctx, folder: str = "may-chu") -> Any:
    from khoso.handover.services import copy_target_create

    return copy_target_create(
        project=ctx.project,
        by=ctx.people["contractor"],
        name=f"Máy chủ {folder}",
        kind="thu_muc",
        path=str(_copy_root(ctx) / folder),
        medium_id=f"NAS-{folder}",
    )


def _at_copy_step(ctx: Ctx) -> list[Any]:
    items = []
    for index in range(3):
        item = ctx.item(index=index)
        with_product(item.file)
        items.append(ctx.item(State.SAO_CHEP, "inspector", index))
    return items


# -- the archive itself, login and logout -----------------------------------------------------------------------

PASSWORD = "mat-khau-thu-nghiem-123"  # the sweep world's users
FONDS_POST = {
    "code": "KT-SAU",
    "name": "Phông kiểm thử nhật ký sâu",
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
    "file_notation": "77.KT",
    "title": "Hồ sơ lập trong kiểm thử nhật ký",
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
DOCUMENT_POST = {
    "type_name": "02",
    "code_number": "7",
    "code_notation": "QĐ-UBND",
    "issued_date": "15/03/1995",
    "organ_name": "UBND tỉnh",
    "subject": "Về việc kiểm thử",
    "number_of_page": "1",
}


@case("fonds_create")
def _fonds_create(ctx: Ctx) -> Action:
    from khoso.archive.models import Fonds

    world = ctx.world
    return Action(
        user=world.users["admin"],
        url=_url("fonds_create"),
        data=FONDS_POST,
        model="archive.fonds",
        obj=lambda: Fonds.objects.get(code="KT-SAU"),
        refusals=[
            Refusal("staff without the right to create fonds", world.users["staff_other_fonds"]),
            Refusal("no name", world.users["admin"], data={**FONDS_POST, "name": ""}),
        ],
        status=(302,),
    )


@case("file_create")
def _file_create(ctx: Ctx) -> Action:
    from khoso.archive.models import ArchiveFile

    world = ctx.world
    return Action(
        user=world.users["admin"],
        url=_url("file_create", fonds_id=world.fonds.pk),
        data=FILE_POST,
        model="archive.archivefile",
        obj=lambda: ArchiveFile.objects.get(file_notation="77.KT"),
        refusals=[
            Refusal("staff of another fonds", world.users["staff_other_fonds"]),
            Refusal("a date not dd/mm/yyyy", world.users["admin"], data={**FILE_POST, "start_date": "1995-01-03"}),
        ],
    )


@case("file_edit")
def _file_edit(ctx: Ctx) -> Action:
    world = ctx.world
    archive_file = world.files["public"]
    data = {**FILE_POST, "file_notation": archive_file.file_notation, "title": "Tiêu đề đã sửa"}
    return Action(
        user=world.users["admin"],
        url=_url("file_edit", file_code=archive_file.file_code),
        data=data,
        model="archive.archivefile",
        obj=lambda: archive_file,
        refusals=[
            Refusal("staff of another fonds", world.users["staff_other_fonds"]),
            Refusal("a date that does not exist", world.users["admin"], data={**data, "start_date": "31/02/1995"}),
        ],
    )


@case("document_create")
def _document_create(ctx: Ctx) -> Action:
    from khoso.archive.models import Document

    world = ctx.world
    archive_file = world.files["public"]
    known = set(Document.objects.values_list("pk", flat=True))
    return Action(
        user=world.users["admin"],
        url=_url("document_create", file_code=archive_file.file_code),
        data=DOCUMENT_POST,
        model="archive.document",
        obj=lambda: Document.objects.exclude(pk__in=known).get(),
        refusals=[
            Refusal("a reader", world.users["approved_reader"]),
            Refusal("no subject", world.users["admin"], data={**DOCUMENT_POST, "subject": ""}),
        ],
    )


@case("file_upload")
def _file_upload(ctx: Ctx) -> Action:
    from khoso.capture.models import Delivery

    world = ctx.world
    archive_file = world.files["conditional"]
    known = set(Delivery.objects.values_list("pk", flat=True))

    def upload() -> dict[str, Any]:
        return {"files": SimpleUploadedFile("trang-1.jpg", page_jpeg("Trang tải lên"), "image/jpeg")}

    def disguised() -> dict[str, Any]:
        return {"files": SimpleUploadedFile("trang-2.jpg", b"<html><script>alert(1)</script></html>", "image/jpeg")}

    return Action(
        user=world.users["admin"],
        url=_url("file_upload", file_code=archive_file.file_code),
        data=upload,
        model="capture.delivery",
        obj=lambda: Delivery.objects.exclude(pk__in=known).get(),
        refusals=[
            Refusal("staff of another fonds", world.users["staff_other_fonds"]),
            Refusal("HTML disguised as a scan", world.users["admin"], data=disguised),
        ],
    )


@case("login")
def _login(ctx: Ctx) -> Action:
    world = ctx.world
    reader = world.users["approved_reader"]
    return Action(
        user=None,
        url=_url("login"),
        data={"username": reader.username, "password": PASSWORD},
        model="auth.user",  # last_login
        actor=lambda: reader,
        refusals=[Refusal("a wrong password", None, data={"username": reader.username, "password": "sai-mat-khau"})],
        status=(302,),
    )


@case("logout")
def _logout(ctx: Ctx) -> Action:
    world = ctx.world
    return Action(
        user=world.users["approved_reader"],
        url=_url("logout"),
        writes=False,  # the session ends: bookkeeping, yet the logout is recorded
        refusals=[Refusal("not logged in", None)],
    )


@case("packages_file_export")
def _packages_file_export(ctx: Ctx) -> Action:
    world = ctx.world
    ctx.fixture("settings").DATA_DIR = ctx.tmp_path / "data"
    secret = world.files["secret"]
    return Action(
        user=world.users["admin"],
        url=_url("packages_file_export", file_code=secret.file_code),
        data={"package_type": "SIP", "reason": "Nộp lưu theo Quyết định 12/QĐ-UBND"},
        writes=False,  # a package handed out: recorded although no table changes
        obj=lambda: secret,
        refusals=[
            Refusal("secret material without a reason", world.users["admin"], data={"package_type": "SIP"}),
            Refusal(
                "a DIP of secret material (readers receive only 01)",
                world.users["admin"],
                data={"package_type": "DIP", "reason": "Cung cấp cho độc giả"},
            ),
            Refusal("staff of another fonds", world.users["staff_other_fonds"]),
        ],
        status=(200,),
    )


@case("preservation_audit_request")
def _preservation_audit_request(ctx: Ctx) -> Action:
    world = ctx.world
    return Action(
        user=world.users["admin"],
        url=_url("preservation_audit_request"),
        data={"fonds": world.fonds.code},
        writes=False,  # queues the fixity run (on commit): recorded when accepted
        refusals=[Refusal("a reader", world.users["approved_reader"])],
    )


@case("backup_insurance_copy")
def _backup_insurance_copy(ctx: Ctx) -> Action:
    world = ctx.world
    ctx.fixture("settings").KHOSO_COPY_ROOTS = [ctx.tmp_path]
    return Action(
        user=world.users["admin"],
        url=_url("backup_insurance_copy"),
        data={"fonds": world.fonds.pk, "target": str(ctx.tmp_path / "bao-hiem")},
        writes=False,  # queues the copy (on commit): recorded when accepted
        refusals=[
            Refusal("staff without the right", world.users["staff_other_fonds"]),
            Refusal("no target folder", world.users["admin"], data={"fonds": world.fonds.pk, "target": ""}),
        ],
    )


# -- step 1: projects ---------------------------------------------------------------------------------


@case("project_create")
def _project_create(ctx: Ctx) -> Action:
    fonds = ctx.fixture("fonds")
    data = {
        "code": "SH-2026-09",
        "name": "Số hóa Phông UBND tỉnh Đắk Lắk, đợt 2",
        "fonds": [str(fonds.pk)],
        "year_from": "1976",
        "year_to": "2000",
        "target_metres": "3.5",
        "pages_per_metre": "5000",
        "price_per_page": "4384",
    }
    from khoso.workflow.models import Project

    return Action(
        user=ctx.people["admin"],
        url=_url("project_create"),
        data=data,
        model="workflow.project",
        obj=lambda: Project.objects.get(code="SH-2026-09"),
        refusals=[
            Refusal("no right to plan projects", ctx.people["planner"]),
            Refusal("years the wrong way round", ctx.people["admin"], data={**data, "year_from": "2001"}),
        ],
    )


@case("project_select")
def _project_select(ctx: Ctx) -> Action:
    from khoso.access.models import FondsGrant

    project = ctx.draft
    extra = make_archive_file(ctx.fixture("fonds"), 1996, "09.TH")
    FondsGrant.objects.create(user=ctx.people["planner"], fonds=ctx.fixture("fonds"))  # files are chosen by code
    return Action(
        user=ctx.people["planner"],
        url=_url("project_select", project_id=project.pk),
        data={"file_codes": extra.file_code},
        model="workflow.projectfile",
        obj=lambda: project,
        refusals=[
            Refusal("not the planner", ctx.people["scanner"]),
            Refusal("no such file", ctx.people["planner"], data={"file_codes": "000.00.00.H15.1900.99"}),
        ],
    )


@case("project_member_add")
def _project_member_add(ctx: Ctx) -> Action:
    project = ctx.project
    return Action(
        user=ctx.people["planner"],
        url=_url("project_member_add", project_id=project.pk),
        data={"username": "outsider", "role": "so_hoa"},
        model="workflow.projectmember",
        obj=lambda: project,
        refusals=[
            Refusal("not the planner", ctx.people["keyer"]),
            Refusal("no such user", ctx.people["planner"], data={"username": "khong-co", "role": "so_hoa"}),
        ],
    )


@case("project_submit")
def _project_submit(ctx: Ctx) -> Action:
    project = ctx.draft
    return Action(
        user=ctx.people["planner"],
        url=_url("project_submit", project_id=project.pk),
        model="workflow.project",
        obj=lambda: project,
        refusals=[Refusal("not the planner", ctx.people["approver"])],
    )


def _submitted(ctx: Ctx) -> Any:
    from khoso.workflow import services

    return services.project_submit(project=ctx.draft, by=ctx.people["planner"])


@case("project_approve")
def _project_approve(ctx: Ctx) -> Action:
    project = ctx.draft
    url = _url("project_approve", project_id=project.pk)
    draft_refusal = Refusal("still a draft", ctx.people["approver"])
    action = Action(
        user=ctx.people["approver"],
        url=url,
        data={"decision": "QĐ 21/QĐ-TTLT"},
        model="workflow.project",
        obj=lambda: project,
        refusals=[Refusal("not the approver", ctx.people["planner"])],
    )
    action.refusals.insert(0, draft_refusal)
    return _then(action, lambda: _submitted(ctx), after=1)


@case("project_reject")
def _project_reject(ctx: Ctx) -> Action:
    project = ctx.draft
    _submitted(ctx)
    return Action(
        user=ctx.people["approver"],
        url=_url("project_reject", project_id=project.pk),
        data={"reason": "Thiếu dự toán kinh phí"},
        model="workflow.project",
        obj=lambda: project,
        refusals=[
            Refusal("not the approver", ctx.people["planner"]),
            Refusal("no reason", ctx.people["approver"], data={"reason": ""}),
        ],
    )


@case("project_close")
def _project_close(ctx: Ctx) -> Action:
    project = ctx.project
    url = _url("project_close", project_id=project.pk)
    action = Action(
        user=ctx.people["approver"],
        url=url,
        model="workflow.project",
        obj=lambda: project,
        refusals=[Refusal("files not yet handed over", ctx.people["approver"])],
    )

    def all_handed_over() -> None:
        for index in range(3):
            ctx.item(State.BAN_GIAO, "approver", index)

    action = _then(action, all_handed_over, after=1)
    action.refusals.append(Refusal("not the approver", ctx.people["planner"]))
    return action


# -- step 1–6: a file's task ---------------------------------------------------------------------------


@case("item_transition")
def _item_transition(ctx: Ctx) -> Action:
    from khoso.custody import services as custody
    from khoso.custody.models import Kind

    item = ctx.item()
    url = _url("item_transition", item_id=item.pk)
    data = {"target": State.XUAT_KHO, "note": ""}
    action = Action(
        user=ctx.people["planner"],
        url=url,
        data=data,
        model="workflow.projectfile",
        obj=lambda: item,
        refusals=[
            Refusal("paper not yet taken off the shelf (custody guard)", ctx.people["planner"]),
            Refusal("not the planner", ctx.people["scanner"]),
            Refusal("not a step from here", ctx.people["planner"], data={"target": State.SO_HOA}),
        ],
    )
    return _then(
        action,
        lambda: custody.movement_record(
            item=item, kind=Kind.LAY_KHOI_GIA, actor=ctx.people["planner"], sheets_counted=4, to_party="Tầng 1"
        ),
        after=1,
    )


@case("item_claim")
def _item_claim(ctx: Ctx) -> Action:
    item = ctx.item()
    return Action(
        user=ctx.people["planner"],
        url=_url("item_claim", item_id=item.pk),
        model="workflow.projectfile",
        obj=lambda: item,
        refusals=[
            Refusal("not the role of this step", ctx.people["scanner"]),
            Refusal("not in the project", ctx.people["outsider"]),
        ],
    )


@case("item_release")
def _item_release(ctx: Ctx) -> Action:
    from khoso.workflow import services

    item = ctx.item()
    services.task_claim(item=item, user=ctx.people["planner"])
    return Action(
        user=ctx.people["planner"],
        url=_url("item_release", item_id=item.pk),
        model="workflow.projectfile",
        obj=lambda: item,
        refusals=[Refusal("someone else's task", ctx.people["keyer"])],
    )


# -- custody ---------------------------------------------------------------------------------------------


@case("custody_record")
def _custody_record(ctx: Ctx) -> Action:
    item = ctx.item()
    data = {"kind": "lay_khoi_gia", "sheets_counted": "4", "to_party": "Trần Thị B", "location": "Kho 1"}
    return Action(
        user=ctx.people["planner"],
        url=_url("custody_record", item_id=item.pk),
        data=data,
        model="custody.custodyevent",
        obj=lambda: item,
        refusals=[
            Refusal("not the stack keeper", ctx.people["scanner"]),
            Refusal("not the next movement", ctx.people["planner"], data={**data, "kind": "giao_so_hoa"}),
        ],
    )


@case("custody_box")
def _custody_box(ctx: Ctx) -> Action:
    from khoso.archive.models import Box
    from khoso.archive.services import file_update

    project = ctx.project
    box = Box.objects.create(fonds=ctx.fixture("fonds"), stack="K1", shelf="G02", tier="3", number="05")
    items = list(project.items.select_related("file").order_by("file__file_code")[:2])
    for item in items:
        file_update(archive_file=item.file, box=box)
    data = {
        "kind": "lay_khoi_gia",
        "files_counted": "2",
        "from_party": "Nguyễn Văn A (thủ kho)",
        "to_party": "Trần Thị B (tổ biên mục)",
        **{f"sheets_{item.pk}": "4" for item in items},
    }
    url = _url("custody_box", project_id=project.pk) + f"?box={box.pk}"
    return Action(
        user=ctx.people["planner"],
        url=url,
        data=data,
        model="custody.custodyevent",
        obj=lambda: project,
        refusals=[
            Refusal("not the planner", ctx.people["cataloguer"]),
            Refusal("not the next movement", ctx.people["planner"], data={**data, "kind": "len_gia"}),
        ],
    )


@case("custody_resolve")
def _custody_resolve(ctx: Ctx) -> Action:
    from khoso.custody import services
    from khoso.custody.models import Discrepancy, Kind

    item = ctx.item()
    services.movement_record(
        item=item, kind=Kind.LAY_KHOI_GIA, actor=ctx.people["planner"], sheets_counted=3, to_party="Tổ biên mục"
    )
    discrepancy = Discrepancy.objects.get(item=item)
    return Action(
        user=ctx.people["planner"],
        url=_url("custody_resolve", discrepancy_id=discrepancy.pk),
        data={"note": "Tờ 4 dính vào tờ 3.", "confirmed": "4"},
        model="custody.discrepancy",
        obj=lambda: discrepancy,
        refusals=[
            Refusal("neither planner nor approver", ctx.people["scanner"]),
            Refusal("no explanation", ctx.people["planner"], data={"note": "", "confirmed": "4"}),
        ],
    )


# -- cataloguing and data entry ------------------------------------------------------------------------


@case("guideline_publish")
def _guideline_publish(ctx: Ctx) -> Action:
    from khoso.cataloguing.models import Guideline

    project = ctx.project
    data = {"title": "Hướng dẫn 2026", "effective_date": "05/01/2026", "text": "Ghi đúng bìa.", "double_keying": "on"}
    return Action(
        user=ctx.people["planner"],
        url=_url("guideline_publish", project_id=project.pk),
        data=data,
        model="cataloguing.guideline",
        obj=lambda: Guideline.objects.get(project=project),
        refusals=[
            Refusal("not the planner", ctx.people["cataloguer"]),
            Refusal("date not dd/mm/yyyy", ctx.people["planner"], data={**data, "effective_date": "2026-13-05"}),
        ],
        status=(302,),
    )


@case("worksheet_edit")
def _worksheet_edit(ctx: Ctx) -> Action:
    _guideline(ctx)
    item = ctx.item(State.XUAT_KHO)
    good = _form(file_values())
    action = Action(
        user=ctx.people["cataloguer"],
        url=_url("worksheet_edit", item_id=item.pk),
        data=good,
        model="cataloguing.worksheet",
        obj=lambda: item,
        refusals=[
            Refusal("the paper has not reached cataloguing", ctx.people["cataloguer"]),
            Refusal("not the cataloguer", ctx.people["scanner"]),
            Refusal(
                "end date before start date",
                ctx.people["cataloguer"],
                data=_form(file_values(end_date=date(1994, 1, 5))),
            ),
        ],
    )
    return _then(action, lambda: ctx.item(State.BIEN_MUC), after=1)


@case("worksheet_document")
def _worksheet_document(ctx: Ctx) -> Action:
    from khoso.cataloguing import services

    _guideline(ctx)
    item = ctx.item(State.BIEN_MUC)
    services.worksheet_save(item=item, by=ctx.people["cataloguer"], values=file_values(total_doc=1))
    return Action(
        user=ctx.people["cataloguer"],
        url=_url("worksheet_document", item_id=item.pk, ordinal=1),
        data=_form(document_values(1)),
        model="cataloguing.worksheet",
        obj=lambda: item,
        refusals=[
            Refusal("not the cataloguer", ctx.people["keyer"]),
            Refusal("no subject", ctx.people["cataloguer"], data=_form(document_values(1, subject=""))),
        ],
    )


@case("check_start")
def _check_start(ctx: Ctx) -> Action:
    from khoso.cataloguing.models import CheckReport

    item = _catalogued(ctx, State.BIEN_MUC, "planner")
    action = Action(
        user=ctx.people["checker"],
        url=_url("check_start", item_id=item.pk),
        model="cataloguing.checkreport",
        obj=lambda: CheckReport.objects.get(item=item),
        refusals=[
            Refusal("the file is still being catalogued", ctx.people["checker"]),
            Refusal("not the checker", ctx.people["cataloguer"]),
        ],
    )
    return _then(action, lambda: ctx.item(State.KIEM_TRA_BIEN_MUC, "cataloguer"), after=1)


@case("check_error_add")
def _check_error_add(ctx: Ctx) -> Action:
    from khoso.cataloguing import selectors
    from khoso.cataloguing.models import CheckError

    item = _catalogued(ctx, State.KIEM_TRA_BIEN_MUC, "cataloguer")
    sheet = selectors.file_sheet(item=item)
    data = {"worksheet": sheet.pk, "field": "title", "severity": "nghiem_trong", "message": "Sai tiêu đề so với bìa."}
    return Action(
        user=ctx.people["checker"],
        url=_url("check_error_add", item_id=item.pk),
        data=data,
        model="cataloguing.checkerror",
        obj=lambda: CheckError.objects.get(),
        refusals=[
            Refusal("not the checker", ctx.people["cataloguer"]),
            Refusal("no message", ctx.people["checker"], data={**data, "message": ""}),
        ],
    )


@case("error_fix")
def _error_fix(ctx: Ctx) -> Action:
    from khoso.cataloguing import selectors, services

    item = _catalogued(ctx, State.KIEM_TRA_BIEN_MUC, "cataloguer")
    error = services.check_error_add(
        item=item,
        by=ctx.people["checker"],
        worksheet=selectors.file_sheet(item=item),
        field="title",
        severity="nghiem_trong",
        message="Sai tiêu đề.",
    )
    item = ctx.item(State.SUA_LOI_BIEN_MUC, "checker")
    return Action(
        user=ctx.people["cataloguer"],
        url=_url("error_fix", item_id=item.pk, error_id=error.pk),
        data={"note": "Đã sửa theo bìa."},
        model="cataloguing.checkerror",
        obj=lambda: error,
        refusals=[Refusal("not the cataloguer", ctx.people["checker"])],
    )


def _keyable(ctx: Ctx) -> tuple[Any, Any]:
    from khoso.cataloguing import selectors

    item = _catalogued(ctx, State.NHAP_LIEU, "checker")
    return item, selectors.file_sheet(item=item)


@case("keying_sheet")
def _keying_sheet(ctx: Ctx) -> Action:
    item, sheet = _keyable(ctx)
    ctx.item(State.KIEM_TRA_BIEN_MUC, "cataloguer")
    action = Action(
        user=ctx.people["keyer"],
        url=_url("keying_sheet", item_id=item.pk, worksheet_id=sheet.pk),
        data=_form(file_values()),
        model="cataloguing.keying",
        obj=lambda: sheet,
        refusals=[
            Refusal("the file is not at data entry yet", ctx.people["keyer"]),
            Refusal("not a keyer", ctx.people["cataloguer"]),
            Refusal("no title", ctx.people["keyer"], data=_form(file_values(title=""))),
        ],
    )
    return _then(action, lambda: ctx.item(State.NHAP_LIEU, "checker"), after=1)


@case("difference_resolve")
def _difference_resolve(ctx: Ctx) -> Action:
    from khoso.cataloguing import selectors, services

    item, sheet = _keyable(ctx)
    services.keying_save(worksheet=sheet, by=ctx.people["keyer"], values=file_values(number_of_page=60))
    item = ctx.item(State.KIEM_TRA_NHAP, "keyer")
    services.check_start(item=item, by=ctx.people["checker"])
    difference = selectors.report_of(item=item, stage="nhap_lieu").differences.get()
    return Action(
        user=ctx.people["checker"],
        url=_url("difference_resolve", item_id=item.pk, difference_id=difference.pk),
        data={"choice": "phieu"},
        model="cataloguing.difference",
        obj=lambda: difference,
        refusals=[Refusal("not the checker", ctx.people["keyer"])],
    )


# -- scanning, QC, linking ------------------------------------------------------------------------------


def _scan_item(ctx: Ctx, state: State, who: str) -> Any:
    from khoso.archive.models import ArchiveFile

    item = ctx.item()
    ArchiveFile.objects.filter(pk=item.file_id).update(number_of_page=2, number_of_paper=1)
    return ctx.item(state, who)


@case("scan_upload")
def _scan_upload(ctx: Ctx) -> Action:
    from khoso.scanning.models import ScanDelivery

    item = _scan_item(ctx, State.SO_HOA, "checker")

    def pages() -> dict[str, Any]:
        return {"files": [SimpleUploadedFile(f"{n}.jpg", page_jpeg(f"Trang {n}"), "image/jpeg") for n in (1, 2)]}

    def disguised() -> dict[str, Any]:
        return {"files": [SimpleUploadedFile("3.jpg", b"<html><script>alert(1)</script></html>", "image/jpeg")]}

    ctx.item(State.KIEM_TRA_CHAT_LUONG, "scanner")
    action = Action(
        user=ctx.people["scanner"],
        url=_url("scan_upload", item_id=item.pk),
        data=pages,
        model="scanning.scandelivery",
        obj=lambda: ScanDelivery.objects.get(item=item),
        refusals=[
            Refusal("the file is at QC, not at scanning", ctx.people["scanner"]),
            Refusal("not the scanner", ctx.people["inspector"]),
            Refusal("HTML disguised as a scan", ctx.people["scanner"], data=disguised),
        ],
        status=(302,),
    )
    return _then(action, lambda: ctx.item(State.SO_HOA, "checker"), after=1)


@case("scan_reconcile")
def _scan_reconcile(ctx: Ctx) -> Action:
    from khoso.scanning.models import CountReconciliation

    item = _scan_item(ctx, State.SO_HOA, "checker")
    done_pages(item.file, 2)
    return Action(
        user=ctx.people["scanner"],
        url=_url("scan_reconcile", item_id=item.pk),
        data={"sheets_counted": "1", "note": ""},
        model="scanning.countreconciliation",
        obj=lambda: CountReconciliation.objects.get(item=item),
        refusals=[Refusal("not the scanner", ctx.people["inspector"])],
    )


def _qc_item(ctx: Ctx) -> Any:
    item = _scan_item(ctx, State.SO_HOA, "checker")
    done_pages(item.file, 2)
    return ctx.item(State.KIEM_TRA_CHAT_LUONG, "scanner")


@case("scan_review")
def _scan_review(ctx: Ctx) -> Action:
    from khoso.archive.models import Page

    item = _qc_item(ctx)
    return Action(
        user=ctx.people["inspector"],
        url=_url("scan_review", item_id=item.pk, number=1),
        data={"decision": "khong_dat", "reason": "mat_chu", "note": "Mất chữ ở góc"},
        model="scanning.pagereview",
        obj=lambda: Page.objects.get(file_id=item.file_id, number=1),
        refusals=[
            Refusal("not the QC inspector", ctx.people["scanner"]),
            Refusal("rejected without a reason", ctx.people["inspector"], data={"decision": "khong_dat"}),
        ],
    )


@case("scan_accept_passing")
def _scan_accept_passing(ctx: Ctx) -> Action:
    item = _qc_item(ctx)
    return Action(
        user=ctx.people["inspector"],
        url=_url("scan_accept_passing", item_id=item.pk),
        model="scanning.pagereview",
        obj=lambda: item,
        refusals=[Refusal("not the QC inspector", ctx.people["scanner"])],
    )


@case("scan_rescan_upload")
def _scan_rescan_upload(ctx: Ctx) -> Action:
    from khoso.archive.models import Page

    item = _scan_item(ctx, State.SO_HOA, "checker")
    done_pages(item.file, 2)
    item = ctx.item(State.LIEN_KET, "inspector")
    url = _url("scan_rescan_upload", item_id=item.pk, number=2)

    def upload() -> dict[str, Any]:
        return {
            "file": SimpleUploadedFile("2-sua.jpg", page_jpeg("Trang hai quét lại"), "image/jpeg"),
            "reason": "Biên bản kiểm tra sản phẩm: trang 2 mờ",
        }

    def hostile() -> dict[str, Any]:
        return {"file": SimpleUploadedFile("2-lai.jpg", b"%PDF-1.7\n<</JS (app.alert(1))>>", "image/jpeg")}

    action = Action(
        user=ctx.people["scanner"],
        url=url,
        data=upload,
        model="scanning.scanhistory",
        obj=lambda: Page.objects.get(file_id=item.file_id, number=2),
        refusals=[
            Refusal("the file is at linking: no page is replaced there", ctx.people["scanner"]),
            Refusal("not the scanner", ctx.people["inspector"]),
            Refusal("a PDF with script disguised as a scan", ctx.people["scanner"], data=hostile),
        ],
    )
    # product inspection found page 2 blurred: at SUA_LOI the scanner replaces it
    return _then(action, lambda: ctx.item(State.SUA_LOI, "inspector"), after=1)


def _linking(ctx: Ctx) -> Any:
    from khoso.archive.services import document_create

    item = _scan_item(ctx, State.SO_HOA, "checker")
    done_pages(item.file, 4)
    for subject in ("Quyết định phê duyệt quy hoạch", "Tờ trình về quy hoạch"):
        document_create(
            archive_file=item.file,
            type_name="02",
            issued_date=date(1995, 5, 1),
            organ_name="UBND tỉnh Đắk Lắk",
            subject=subject,
            number_of_page=2,
        )
    return ctx.item(State.LIEN_KET, "inspector")


@case("scan_link_save")
def _scan_link_save(ctx: Ctx) -> Action:
    item = _linking(ctx)
    document = item.file.documents.get(ordinal=1)
    data = {"document": document.pk, "first_page": 1, "number_of_page": 2}
    return Action(
        user=ctx.people["keyer"],
        url=_url("scan_link_save", item_id=item.pk),
        data=data,
        model="archive.document",
        obj=lambda: item,
        refusals=[
            Refusal("the checker only reads the links", ctx.people["checker"]),
            Refusal("a range past the last page", ctx.people["keyer"], data={**data, "first_page": 9}),
        ],
    )


@case("scan_link_auto")
def _scan_link_auto(ctx: Ctx) -> Action:
    item = _linking(ctx)
    return Action(
        user=ctx.people["keyer"],
        url=_url("scan_link_auto", item_id=item.pk),
        model="archive.document",
        obj=lambda: item,
        refusals=[Refusal("the checker only reads the links", ctx.people["checker"])],
    )


# -- product inspection -----------------------------------------------------------------------------------

EARLIER_STEPS = [
    (State.XUAT_KHO, "planner"),
    (State.BIEN_MUC, "planner"),
    (State.KIEM_TRA_BIEN_MUC, "cataloguer"),
    (State.NHAP_LIEU, "checker"),
    (State.KIEM_TRA_NHAP, "keyer"),
    (State.SO_HOA, "checker"),
    (State.KIEM_TRA_CHAT_LUONG, "scanner"),
    (State.LIEN_KET, "inspector"),
    (State.KIEM_TRA_LIEN_KET, "keyer2"),
    (State.HOAN_KHO, "checker"),
    (State.KIEM_TRA_SAN_PHAM, "planner"),
]


def _to_inspection(ctx: Ctx) -> list[Any]:
    _seed_error_classes()
    items = []
    for index in range(3):
        for state, who in EARLIER_STEPS:
            item = ctx.item(state, who, index)
        items.append(item)
    return items


def _plan(ctx: Ctx) -> Any:
    from khoso.inspection import services

    return services.plan_save(project=ctx.project, by=ctx.people["planner"], passes=[100, 10], max_error_rate=10)


def _open_inspection(ctx: Ctx) -> tuple[Any, list[Any]]:
    from khoso.inspection import services

    items = _to_inspection(ctx)
    _plan(ctx)
    return services.inspection_start(project=ctx.project, inspector=ctx.people["inspector"], pass_number=1), items


@case("inspection_plan")
def _inspection_plan(ctx: Ctx) -> Action:
    project = ctx.project
    data = {"passes": "100%; 10", "max_error_rate": "10", "contractor": "", "nguong_thieu_trang": "0"}
    return Action(
        user=ctx.people["planner"],
        url=_url("inspection_plan", project_id=project.pk),
        data=data,
        model="inspection.samplingplan",
        obj=lambda: project,
        refusals=[
            Refusal("not the planner", ctx.people["inspector"]),
            Refusal("a pass of 0 %", ctx.people["planner"], data={**data, "passes": "100, 0"}),
        ],
    )


@case("inspection_start")
def _inspection_start(ctx: Ctx) -> Action:
    from khoso.inspection.models import Inspection

    project = ctx.project
    _to_inspection(ctx)
    action = Action(
        user=ctx.people["inspector"],
        url=_url("inspection_start", project_id=project.pk),
        data={"pass_number": 1},
        model="inspection.inspection",
        obj=lambda: Inspection.objects.get(project=project),
        refusals=[
            Refusal("no sampling plan yet", ctx.people["inspector"]),
            Refusal("not the QC inspector", ctx.people["scanner"]),
        ],
    )
    return _then(action, lambda: _plan(ctx), after=1)


@case("inspection_finding_add")
def _inspection_finding_add(ctx: Ctx) -> Action:
    from khoso.inspection.models import InspectionFinding

    inspection, items = _open_inspection(ctx)
    first = items[0]
    blurred = _seed_error_classes().objects.get(code="anh_mo")
    data = {
        "item": first.pk,
        f"i{first.pk}-error_class": blurred.pk,
        f"i{first.pk}-page_number": 2,
        f"i{first.pk}-note": "Trang 2 mờ",
    }
    return Action(
        user=ctx.people["inspector"],
        url=_url("inspection_finding_add", inspection_id=inspection.pk),
        data=data,
        model="inspection.inspectionfinding",
        obj=lambda: InspectionFinding.objects.get(),
        refusals=[
            Refusal("not the QC inspector", ctx.people["scanner"]),
            Refusal("no error class", ctx.people["inspector"], data={"item": first.pk}),
        ],
    )


@case("inspection_finding_delete")
def _inspection_finding_delete(ctx: Ctx) -> Action:
    from khoso.inspection import services

    inspection, items = _open_inspection(ctx)
    finding = services.finding_record(
        inspection=inspection,
        item=items[0],
        error_class=_seed_error_classes().objects.get(code="anh_mo"),
        by=ctx.people["inspector"],
    )
    pk = finding.pk
    return Action(
        user=ctx.people["inspector"],
        url=_url("inspection_finding_delete", inspection_id=inspection.pk, finding_id=pk),
        model="inspection.inspectionfinding",
        obj=lambda: type(finding)(pk=pk),
        refusals=[Refusal("not the QC inspector", ctx.people["scanner"])],
    )


@case("inspection_close")
def _inspection_close(ctx: Ctx) -> Action:
    inspection, _items = _open_inspection(ctx)
    return Action(
        user=ctx.people["inspector"],
        url=_url("inspection_close", inspection_id=inspection.pk),
        data={"conclusion": "Đạt."},
        model="inspection.inspection",
        obj=lambda: inspection,
        refusals=[Refusal("not the QC inspector", ctx.people["scanner"])],
    )


@case("inspection_correction_fixed")
def _inspection_correction_fixed(ctx: Ctx) -> Action:
    from khoso.inspection import services
    from khoso.inspection.models import CorrectionTask

    inspection, items = _open_inspection(ctx)
    services.finding_record(
        inspection=inspection,
        item=items[0],
        error_class=_seed_error_classes().objects.get(code="anh_mo"),
        by=ctx.people["inspector"],
        page_number=2,
    )
    services.inspection_close(inspection=inspection, by=ctx.people["inspector"], conclusion="Quét lại trang 2")
    task = CorrectionTask.objects.get(item=items[0])
    return Action(
        user=ctx.people["contractor"],
        url=_url("inspection_correction_fixed", task_id=task.pk),
        data={"note": "Đã quét lại"},
        model="inspection.correctiontask",
        obj=lambda: task,
        refusals=[Refusal("not the contractor", ctx.people["inspector"])],
    )


# -- selection and copies ------------------------------------------------------------------------------------


@case("selection_add")
def _selection_add(ctx: Ctx) -> Action:
    project = ctx.draft
    extra = make_archive_file(ctx.fixture("fonds"), 1996, "09.TH")
    return Action(
        user=ctx.people["planner"],
        url=_url("selection_add", project_id=project.pk),
        data={"file": [str(extra.pk)]},
        model="workflow.projectfile",
        obj=lambda: project,
        refusals=[
            Refusal("not the planner", ctx.people["scanner"]),
            Refusal("no file chosen", ctx.people["planner"], data={"file": []}),
        ],
    )


@case("selection_rescore")
def _selection_rescore(ctx: Ctx) -> Action:
    from khoso.handover import services
    from khoso.workflow.models import ProjectFile

    project = ctx.draft
    item = project.items.select_related("file").order_by("id").first()
    services.condition_note(
        project=project, archive_file=item.file, by=ctx.people["planner"], damage_codes=["rach"], usage_count=3
    )
    ProjectFile.objects.filter(project=project).update(priority=0)  # scored before the survey note
    return Action(
        user=ctx.people["planner"],
        url=_url("selection_rescore", project_id=project.pk),
        model="workflow.projectfile",
        obj=lambda: project,
        refusals=[Refusal("not the planner", ctx.people["scanner"])],
    )


@case("condition_edit")
def _condition_edit(ctx: Ctx) -> Action:
    project = ctx.draft
    archive_file = project.items.select_related("file").order_by("id").first().file
    data = {"damage_codes": ["mun", "gion"], "usage_count": "2", "note": "Giấy giòn, mép rách"}
    return Action(
        user=ctx.people["planner"],
        url=_url("condition_edit", project_id=project.pk, file_id=archive_file.pk),
        data=data,
        model="handover.filecondition",
        obj=lambda: archive_file,
        refusals=[
            Refusal("not the planner", ctx.people["scanner"]),
            Refusal("a negative usage count", ctx.people["planner"], data={**data, "usage_count": "-1"}),
        ],
    )


@case("copy_target_add")
def _copy_target_add(ctx: Ctx) -> Action:
    from khoso.handover.models import CopyTarget

    project = ctx.project
    root = _copy_root(ctx)
    data = {"name": "Ổ cứng di động số 1", "kind": "thiet_bi", "path": str(root / "o-cung-1"), "medium_id": "HDD-1"}
    return Action(
        user=ctx.people["contractor"],
        url=_url("copy_target_add", project_id=project.pk),
        data=data,
        model="handover.copytarget",
        obj=lambda: CopyTarget.objects.get(project=project),
        refusals=[
            Refusal("not the contractor", ctx.people["scanner"]),
            Refusal("outside the copy roots", ctx.people["contractor"], data={**data, "path": "/etc/khoso"}),
        ],
    )


@case("copy_project")
def _copy_project(ctx: Ctx) -> Action:
    from khoso.handover.models import CopyRun

    project = ctx.project
    target = _copy_target(ctx)
    action = Action(
        user=ctx.people["contractor"],
        url=_url("copy_project", project_id=project.pk),
        data={"target": target.pk},
        model="handover.copyrun",
        obj=lambda: CopyRun.objects.get(target=target),
        refusals=[
            Refusal("no file at the copy step yet", ctx.people["contractor"]),
            Refusal("not the contractor", ctx.people["scanner"]),
            Refusal("no target chosen", ctx.people["contractor"], data={}),
        ],
    )
    return _then(action, lambda: _at_copy_step(ctx), after=1)


@case("copy_item")
def _copy_item(ctx: Ctx) -> Action:
    from khoso.handover.models import CopyRun

    items = _at_copy_step(ctx)
    target = _copy_target(ctx)
    not_yet = ctx.item(State.HOAN_KHO, "checker", 1)
    return Action(
        user=ctx.people["contractor"],
        url=_url("copy_item", item_id=items[0].pk),
        data={"target": target.pk},
        model="handover.copyrun",
        obj=lambda: CopyRun.objects.get(target=target),
        refusals=[
            Refusal("not the contractor", ctx.people["scanner"]),
            Refusal("file not at the copy step", ctx.people["contractor"], url=_url("copy_item", item_id=not_yet.pk)),
        ],
    )


@case("copy_run_verify")
def _copy_run_verify(ctx: Ctx) -> Action:
    from khoso.handover import services
    from khoso.handover.models import CopyRun

    items = _at_copy_step(ctx)
    run = services.copy_product(target=_copy_target(ctx), items=items, by=ctx.people["contractor"])
    CopyRun.objects.filter(pk=run.pk).update(verified_at=timezone.now() - timedelta(days=30))
    return Action(
        user=ctx.people["contractor"],
        url=_url("copy_run_verify", project_id=ctx.project.pk, run_id=run.pk),
        model="handover.copyrun",
        obj=lambda: run,
        refusals=[Refusal("not the contractor", ctx.people["scanner"])],
    )


# -- readers ------------------------------------------------------------------------------------------------

REGISTRATION = {
    "username": "nguyenvana",
    "password1": "Luu-tru-Dak-Lak-2026",
    "password2": "Luu-tru-Dak-Lak-2026",
    "full_name": "Nguyễn Văn A",
    "citizen_id": "066 095 001 234",
    "birth_date": "05/09/1985",
    "email": "nguyenvana@example.vn",
    "phone": "0912345678",
    "address": "Buôn Ma Thuột",
    "organisation": "Trường Đại học Tây Nguyên",
    "consent": "on",
}


@case("reader_register")
def _reader_register(ctx: Ctx) -> Action:
    from khoso.readers.models import Reader

    ctx.world  # noqa: B018  (the readers' e-mail backend and a taken user name)
    return Action(
        user=None,
        url=_url("reader_register"),
        data=REGISTRATION,
        model="readers.reader",
        obj=lambda: Reader.objects.get(user__username="nguyenvana"),
        actor=lambda: User.objects.get(username="nguyenvana"),
        refusals=[
            Refusal("no consent to the data protection terms", None, data={**REGISTRATION, "consent": ""}),
            Refusal("a taken user name", None, data={**REGISTRATION, "username": "docgia"}),
        ],
    )


REQUEST_FORM = {
    "kind": "sao",
    "purpose": "02",
    "purpose_content": "Xác minh quá trình công tác",
    "fee_object_type": "01",
    "research_topic": "",
    "copies": "2",
    "description": "",
}


@case("reader_request_create")
def _reader_request_create(ctx: Ctx) -> Action:
    from khoso.readers.models import ReaderRequest

    world = ctx.world
    before = set(ReaderRequest.objects.values_list("pk", flat=True))
    url = _url("reader_request_create") + f"?ho_so={world.files['public'].pk}"
    return Action(
        user=world.users["approved_reader"],
        url=url,
        data=REQUEST_FORM,
        model="readers.readerrequest",
        obj=lambda: ReaderRequest.objects.exclude(pk__in=before).get(),
        refusals=[
            Refusal("an account not yet approved", world.users["reader"]),
            Refusal(
                "a secret file",
                world.users["approved_reader"],
                url=_url("reader_request_create") + f"?ho_so={world.files['secret'].pk}",
            ),
            Refusal("no purpose", world.users["approved_reader"], data={**REQUEST_FORM, "purpose_content": ""}),
        ],
    )


@case("reader_request_review")
def _reader_request_review(ctx: Ctx) -> Action:
    from khoso.readers import services

    world = ctx.world
    item = services.request_submit(
        reader=world.users["approved_reader"].reader,
        archive_file=world.files["public"],
        document=None,
        kind="doc",
        purpose="01",
        purpose_content="Nghiên cứu lịch sử địa phương",
        fee_object_type="01",
        research_topic="Quy hoạch tỉnh Đắk Lắk 1976–2000",
    )
    return Action(
        user=world.users["admin"],
        url=_url("reader_request_review", request_id=item.pk),
        data={"decision": "reject", "reason": "Tài liệu đang tu bổ"},
        model="readers.readerrequest",
        obj=lambda: item,
        refusals=[
            Refusal("staff of another fonds", world.users["staff_other_fonds"]),
            Refusal("a rejection without a reason", world.users["admin"], data={"decision": "reject", "reason": ""}),
        ],
    )


@case("reader_account_decide")
def _reader_account_decide(ctx: Ctx) -> Action:
    world = ctx.world
    reader = world.pending_reader
    return Action(
        user=world.users["admin"],
        url=_url("reader_account_decide", reader_id=reader.pk),
        data={"decision": "approve"},
        model="readers.reader",
        obj=lambda: reader,
        refusals=[
            Refusal("a reader", world.users["approved_reader"]),
            Refusal("a rejection without a reason", world.users["admin"], data={"decision": "reject"}),
        ],
    )


# -- access rights: four-eyes proposals, confirmations, restrictions, locks -------------------------------------


def _proposer(ctx: Ctx) -> Any:
    return User.objects.get(username="quantri_de_nghi")  # proposed the sweep world's pending change


def _proposal(ctx: Ctx, route: str, url: str, data: dict[str, Any], refusals: list[Refusal]) -> Action:
    from khoso.access.models import AccessChange

    known = set(AccessChange.objects.values_list("pk", flat=True))
    return Action(
        user=ctx.world.users["admin"],
        url=url,
        data=data,
        model="access.accesschange",
        obj=lambda: AccessChange.objects.exclude(pk__in=known).get(),
        refusals=[Refusal("a reader", ctx.world.users["approved_reader"]), *refusals],
    )


@case("access_file")
def _access_file(ctx: Ctx) -> Action:
    world = ctx.world
    url = _url("access_file", file_code=world.files["conditional"].file_code)
    data = {"mode": "01", "reason": "Hết thông tin cá nhân"}
    return _proposal(
        ctx, "access_file", url, data, [Refusal("no reason", world.users["admin"], data={"mode": "01", "reason": ""})]
    )


@case("access_document")
def _access_document(ctx: Ctx) -> Action:
    world = ctx.world
    url = _url("access_document", document_id=world.documents["public"].pk)
    data = {"mode": "02", "secret_class": "", "reason": "Có thông tin cá nhân"}
    return _proposal(
        ctx,
        "access_document",
        url,
        data,
        [Refusal("staff of another fonds", world.users["staff_other_fonds"])],
    )


@case("access_restriction_add")
def _access_restriction_add(ctx: Ctx) -> Action:
    world = ctx.world
    data = {
        "fonds": world.fonds.pk,
        "target": world.files["public"].file_code,
        "start_date": timezone.localdate().strftime("%d/%m/%Y"),
        "reason": "Liên quan đời tư",
    }
    return _proposal(
        ctx,
        "access_restriction_add",
        _url("access_restriction_add"),
        data,
        [Refusal("ends before it starts", world.users["admin"], data={**data, "end_date": "31/12/1999"})],
    )


@case("access_restriction_change")
def _access_restriction_change(ctx: Ctx) -> Action:
    world = ctx.world
    url = _url("access_restriction_change", restriction_id=world.restriction.pk)
    data = {"start_date": "01/01/2000", "end_date": "31/12/2030", "reason": "Gia hạn theo quyết định mới"}
    return _proposal(
        ctx,
        "access_restriction_change",
        url,
        data,
        [Refusal("staff of another fonds", world.users["staff_other_fonds"])],
    )


@case("access_restriction_end")
def _access_restriction_end(ctx: Ctx) -> Action:
    world = ctx.world
    url = _url("access_restriction_end", restriction_id=world.restriction.pk)
    return _proposal(
        ctx,
        "access_restriction_end",
        url,
        {"reason": "Đã hết lý do hạn chế"},
        [Refusal("no reason", world.users["admin"], data={"reason": ""})],
    )


@case("access_role_propose")
def _access_role_propose(ctx: Ctx) -> Action:
    world = ctx.world
    subject = world.users["staff_other_fonds"]
    group = Group.objects.get(name="Biên mục")
    url = _url("access_role_propose", user_id=subject.pk)
    return _proposal(
        ctx,
        "access_role_propose",
        url,
        {"group": group.pk, "member": "1", "reason": "Phân công biên mục"},
        [Refusal("staff without the right to give roles", subject)],
    )


@case("access_grant_propose")
def _access_grant_propose(ctx: Ctx) -> Action:
    world = ctx.world
    subject = world.users["staff_other_fonds"]
    url = _url("access_grant_propose", user_id=subject.pk)
    return _proposal(
        ctx,
        "access_grant_propose",
        url,
        {"fonds": world.fonds.pk, "access": "view", "reason": "Chỉ xem để tra cứu"},
        [Refusal("staff without the right to grant", subject)],
    )


@case("access_unlock_propose")
def _access_unlock_propose(ctx: Ctx) -> Action:
    from khoso.access import services

    world = ctx.world
    lock = services.lock_files(
        fonds=world.fonds, scope="ho_so", files=[world.files["public"]], reason="Thanh tra", by=_proposer(ctx)
    )
    url = _url("access_unlock_propose", lock_id=lock.pk)
    return _proposal(
        ctx,
        "access_unlock_propose",
        url,
        {"reason": "Xong thanh tra"},
        [Refusal("staff of another fonds", world.users["staff_other_fonds"])],
    )


@case("access_change_confirm")
def _access_change_confirm(ctx: Ctx) -> Action:
    world = ctx.world
    change = world.change
    url = _url("access_change_confirm", change_id=change.pk)
    return Action(
        user=world.users["admin"],
        url=url,
        data={"note": "Đồng ý"},
        model="access.accesschange",
        obj=lambda: change,
        refusals=[
            Refusal("the proposer confirming their own change (four eyes)", _proposer(ctx)),
            Refusal("staff of another fonds", world.users["staff_other_fonds"]),
        ],
    )


@case("access_change_reject")
def _access_change_reject(ctx: Ctx) -> Action:
    world = ctx.world
    change = world.change
    return Action(
        user=world.users["admin"],
        url=_url("access_change_reject", change_id=change.pk),
        data={"note": "Không đủ căn cứ"},
        model="access.accesschange",
        obj=lambda: change,
        refusals=[Refusal("a reader", world.users["approved_reader"])],
    )


@case("access_lock_create")
def _access_lock_create(ctx: Ctx) -> Action:
    from khoso.access.models import FileLock

    world = ctx.world
    known = set(FileLock.objects.values_list("pk", flat=True))
    data = {"fonds": world.fonds.pk, "scope": "ho_so", "codes": world.files["public"].file_code, "reason": "Kiểm kê"}
    return Action(
        user=world.users["admin"],
        url=_url("access_lock_create"),
        data=data,
        model="access.filelock",
        obj=lambda: FileLock.objects.exclude(pk__in=known).get(),
        refusals=[
            Refusal("staff of another fonds", world.users["staff_other_fonds"]),
            Refusal("no reason", world.users["admin"], data={**data, "reason": ""}),
        ],
    )


# -- transfers ------------------------------------------------------------------------------------------------


@case("packages_item_reject")
def _packages_item_reject(ctx: Ctx) -> Action:
    world = ctx.world
    item = world.batch_item
    url = _url("packages_item_reject", batch_id=world.batch.pk, item_id=item.pk)
    return Action(
        user=world.users["admin"],
        url=url,
        data={"reason": "Gói tin sai quy định"},
        model="packages.transferitem",
        obj=lambda: item,
        refusals=[
            Refusal("staff without the right to receive", world.users["staff_other_fonds"]),
            Refusal("no reason", world.users["admin"], data={"reason": ""}),
        ],
    )


def _transfer(ctx: Ctx) -> tuple[Any, Any, dict[str, bytes]]:
    """A receiving archivist, the fonds, and SIP packages of a permanent and a 30-year file that an agency
    sent (built here, then the files forgotten, so this instance plays the receiving archive)."""
    from django.contrib.auth.models import Permission

    from khoso.access.models import FondsGrant
    from khoso.archive.models import ArchiveFile
    from khoso.packages.services import package_export
    from khoso.packages.tt05 import PackageType

    settings = ctx.fixture("settings")
    settings.DATA_DIR = ctx.tmp_path / "data"
    settings.KHOSO_PACKAGE_MAX_BYTES = 4_000_000
    fonds = ctx.fixture("fonds")
    receiver = User.objects.create_user("tiep-nhan", password="mat-khau-dai-12")
    receiver.user_permissions.add(Permission.objects.get(codename="receive_transfer"))
    FondsGrant.objects.create(user=receiver, fonds=fonds, can_edit=True)
    packages = {}
    for name, year, maintenance in (("permanent", 1995, "01"), ("thirty_years", 1996, "04")):
        archive_file = make_archive_file(fonds, year, f"0{year - 1994}.TH")
        ArchiveFile.objects.filter(pk=archive_file.pk).update(maintenance=maintenance)
        out = ctx.tmp_path / f"{name}.zip"
        package_export(file_code=archive_file.file_code, package_type=PackageType.SIP_HOSO, out=out)
        packages[name] = out.read_bytes()
        ArchiveFile.objects.filter(pk=archive_file.pk).delete()
    return User.objects.get(pk=receiver.pk), fonds, packages


@case("packages_batch_create")
def _packages_batch_create(ctx: Ctx) -> Action:
    from khoso.packages.models import TransferBatch

    receiver, fonds, packages = _transfer(ctx)

    def upload() -> dict[str, Any]:
        return {
            "fonds": fonds.pk,
            "source_agency": "Văn phòng UBND tỉnh",
            "note": "Tài liệu còn tốt",
            "packages": [SimpleUploadedFile(f"{n}.zip", b, "application/zip") for n, b in packages.items()],
        }

    return Action(
        user=receiver,
        url=_url("packages_batch_create"),
        data=upload,
        model="packages.transferbatch",
        obj=lambda: TransferBatch.objects.get(),
        refusals=[
            Refusal("staff without the right to receive", ctx.people["planner"]),
            Refusal("no package attached", receiver, data={"fonds": fonds.pk, "source_agency": "UBND"}),
        ],
    )


@case("packages_item_accept")
def _packages_item_accept(ctx: Ctx) -> Action:
    from khoso.packages import services
    from khoso.packages.models import TransferItem

    receiver, fonds, packages = _transfer(ctx)
    staged = []
    for name, data in packages.items():
        path = ctx.tmp_path / f"nhan-{name}.zip"
        path.write_bytes(data)
        staged.append((path.name, path))
    batch = services.batch_receive(fonds=fonds, packages=staged, source_agency="Văn phòng UBND tỉnh", by=receiver)
    permanent, thirty = batch.items.order_by("sequence")
    return Action(
        user=receiver,
        url=_url("packages_item_accept", batch_id=batch.pk, item_id=permanent.pk),
        model="packages.transferitem",
        obj=lambda: TransferItem.objects.get(pk=permanent.pk),
        refusals=[
            Refusal("staff without the right to receive", ctx.people["planner"]),
            Refusal(
                "a 30-year file offered to the historical archive",
                receiver,
                url=_url("packages_item_accept", batch_id=batch.pk, item_id=thirty.pk),
            ),
        ],
    )


# -- catalogue import (XLSX/CSV) ---------------------------------------------------------------------------------

CATALOGUE_HEADINGS = [
    "Mã hồ sơ",
    "Tiêu đề hồ sơ",
    "Thời hạn bảo quản",
    "Chế độ sử dụng",
    "Ngôn ngữ",
    "Thời gian bắt đầu",
    "Thời gian kết thúc",
    "Số lượng trang",
    "Ghi chú",
]


def _catalogue_csv(code: str) -> bytes:
    import csv

    row = [code, "Hồ sơ hội nghị", "01", "01", "01", "03/01/1996", "28/12/1996", "10", "Người lập: Trần Thị B"]
    output = io.StringIO(newline="")
    csv.writer(output, lineterminator="\r\n").writerows([CATALOGUE_HEADINGS, row])
    return ("\ufeff" + output.getvalue()).encode()


def _cataloguer(ctx: Ctx) -> tuple[Any, Any, Any]:
    from khoso.access.models import FondsGrant
    from khoso.archive.models import Inventory

    fonds = ctx.fixture("fonds")
    inventory = Inventory.objects.create(fonds=fonds, number=1, title="Mục lục số 1")
    user = User.objects.create_user("bien-muc", password="x", is_staff=True)
    FondsGrant.objects.create(user=user, fonds=fonds, can_edit=True)
    return User.objects.get(pk=user.pk), fonds, inventory


@case("catalogue_upload")
def _catalogue_upload(ctx: Ctx) -> Action:
    from khoso.catalogue.models import CatalogueImport

    user, fonds, inventory = _cataloguer(ctx)
    code = f"{fonds.organ_id}.1996.01.TH"

    def sheet() -> dict[str, Any]:
        return {"sheet": SimpleUploadedFile("muc-luc.csv", _catalogue_csv(code), "text/csv"), "inventory": inventory.pk}

    return Action(
        user=user,
        url=_url("catalogue_upload", fonds_id=fonds.pk),
        data=sheet,
        model="catalogue.catalogueimport",
        obj=lambda: CatalogueImport.objects.get(),
        refusals=[
            Refusal("staff without an edit grant", ctx.people["planner"]),
            Refusal("no sheet attached", user, data={"inventory": inventory.pk}),
        ],
    )


@case("catalogue_commit")
def _catalogue_commit(ctx: Ctx) -> Action:
    from khoso.catalogue import services

    user, fonds, inventory = _cataloguer(ctx)
    code = f"{fonds.organ_id}.1996.01.TH"
    staged = services.import_upload(
        fonds=fonds, inventory=inventory, name="muc-luc.csv", data=_catalogue_csv(code), by=user
    )
    plan = services.import_preview(catalogue_import=staged, user=user).plan_digest()
    data = {"sha256": staged.sha256, "plan": plan}
    return Action(
        user=user,
        url=_url("catalogue_commit", fonds_id=fonds.pk, import_id=staged.pk),
        data=data,
        model="archive.archivefile",
        obj=lambda: staged,
        refusals=[
            Refusal("staff without an edit grant", ctx.people["planner"]),
            Refusal("a plan other than the one shown", user, data={**data, "plan": "0" * 64}),
        ],
    )


# -- statutory deadlines ---------------------------------------------------------------------------------------


@case("deadlines_report_submit")
def _deadlines_report_submit(ctx: Ctx) -> Action:
    from khoso.deadlines.models import ReportSubmission

    world = ctx.world
    today = timezone.localdate()
    data = {"year": today.year, "submitted_on": today.strftime("%d/%m/%Y"), "reference": "245/BC-SNV"}
    return Action(
        user=world.users["admin"],
        url=_url("deadlines_report_submit"),
        data=data,
        model="deadlines.reportsubmission",
        obj=lambda: ReportSubmission.objects.get(year=today.year),
        refusals=[
            Refusal("staff without the right", world.users["staff_other_fonds"]),
            Refusal(
                "a date still to come",
                world.users["admin"],
                data={**data, "submitted_on": (today + timedelta(days=1)).strftime("%d/%m/%Y")},
            ),
        ],
    )


# -- the JSON API -----------------------------------------------------------------------------------------------


@case("api-task-transition")
def _api_task_transition(ctx: Ctx) -> Action:
    from khoso.custody import services as custody
    from khoso.custody.models import Kind

    item = ctx.item()
    action = Action(
        user=ctx.people["planner"],
        url=_url("api-task-transition", pk=item.pk),
        data={"target": "XUAT_KHO", "note": "Xuất kho đợt 1"},
        model="workflow.projectfile",
        obj=lambda: item,
        api=True,
        status=(200,),
        refusals=[
            Refusal("paper not yet taken off the shelf (custody guard)", ctx.people["planner"]),
            Refusal("not this step's role: hidden like missing", ctx.people["cataloguer"]),
            Refusal("not a step from here", ctx.people["planner"], data={"target": "NGHIEM_THU"}),
            Refusal("no such state", ctx.people["planner"], data={"target": "KHONG_CO"}),
            Refusal("no token", None),
        ],
    )
    return _then(
        action,
        lambda: custody.movement_record(
            item=item, kind=Kind.LAY_KHOI_GIA, actor=ctx.people["planner"], sheets_counted=4, to_party="Tầng 1"
        ),
        after=1,
    )


@case("api-reader-request-list")
def _api_reader_request_list(ctx: Ctx) -> Action:
    from khoso.readers.models import ReaderRequest

    world = ctx.world
    known = set(ReaderRequest.objects.values_list("pk", flat=True))
    body = {
        "file": world.files["public"].pk,
        "kind": "doc",
        "purpose": "01",
        "purposeContent": "Nghiên cứu lịch sử địa phương",
        "feeObjectType": "01",
    }
    return Action(
        user=world.users["approved_reader"],
        url=_url("api-reader-request-list"),
        data=body,
        model="readers.readerrequest",
        obj=lambda: ReaderRequest.objects.exclude(pk__in=known).get(),
        api=True,
        status=(201,),
        refusals=[
            Refusal("an account not yet approved", world.users["reader"]),
            Refusal("a secret file", world.users["approved_reader"], data={**body, "file": world.files["secret"].pk}),
            Refusal("no purpose", world.users["approved_reader"], data={**body, "purposeContent": ""}),
        ],
    )


@case("api-reader-request-decide")
def _api_reader_request_decide(ctx: Ctx) -> Action:
    from khoso.readers import services

    world = ctx.world
    item = services.request_submit(
        reader=world.users["approved_reader"].reader,
        archive_file=world.files["public"],
        document=None,
        kind="doc",
        purpose="01",
        purpose_content="Nghiên cứu lịch sử địa phương",
        fee_object_type="01",
        research_topic="Quy hoạch tỉnh Đắk Lắk 1976–2000",
    )
    return Action(
        user=world.users["admin"],
        url=_url("api-reader-request-decide", pk=item.pk),
        data={"approve": False, "reason": "Tài liệu đang tu bổ"},
        model="readers.readerrequest",
        obj=lambda: item,
        api=True,
        status=(200,),
        refusals=[
            Refusal("staff of another fonds", world.users["staff_other_fonds"]),
            Refusal("a rejection without a reason", world.users["admin"], data={"approve": False, "reason": ""}),
        ],
    )


# -- two-factor authentication ---------------------------------------------------------------------------------


@case("accounts_totp_enrol")
def _accounts_totp_enrol(ctx: Ctx) -> Action:
    import pyotp

    from khoso.accounts import services

    ctx.fixture("settings").KHOSO_STAFF_TOTP = True
    staff = User.objects.create_user("luutru", password="mat-khau-dai-12", is_staff=True)
    _device, secret = services.device_begin(user=staff)
    other = User.objects.create_user("luutru-2", password="mat-khau-dai-12", is_staff=True)
    wrong = {"code": _wrong_code(secret), "next": "/"}
    return Action(
        user=staff,
        url=_url("accounts_totp_enrol"),
        data=lambda: {"code": pyotp.TOTP(secret).now(), "next": "/"},
        model="accounts.totpdevice",
        obj=None,  # registry target NOTHING: the entry names no archival object
        refusals=[
            Refusal("not logged in", None),
            Refusal(
                "a code before any key was shown: refused, but the key it then shows is kept (one entry)",
                other,
                data={"code": "123456", "next": "/"},
                counted=True,
            ),
            Refusal("a wrong code (counted against the device: one entry)", staff, data=wrong, counted=True),
        ],
        status=(200,),
    )


@case("accounts_totp_verify")
def _accounts_totp_verify(ctx: Ctx) -> Action:
    from khoso.accounts import services, totp

    ctx.fixture("settings").KHOSO_STAFF_TOTP = True
    staff = User.objects.create_user("luutru", password="mat-khau-dai-12", is_staff=True)
    _device, secret = services.device_begin(user=staff)
    codes = services.device_confirm(user=staff, code=totp.code_at(secret, _step()))
    other = User.objects.create_user("luutru-2", password="mat-khau-dai-12", is_staff=True)
    wrong = {"code": _wrong_code(secret), "next": "/"}
    return Action(
        user=staff,
        url=_url("accounts_totp_verify"),
        data={"recovery_code": codes[0], "next": "/"},  # a recovery code: spent once, so state changes
        model="accounts.recoverycode",
        obj=None,
        refusals=[
            Refusal("no confirmed device yet", other, data={"code": "123456", "next": "/"}),
            Refusal("a wrong code (counted against the device: one entry)", staff, data=wrong, counted=True),
        ],
    )


def _step() -> int:
    import time

    from khoso.accounts import totp

    return int(time.time() // totp.INTERVAL)


def _wrong_code(secret: str) -> str:
    from khoso.accounts import totp

    valid = {totp.code_at(secret, step) for step in range(_step() - 2, _step() + 3)}
    return next(code for code in ("000000", "111111", "222222", "333333", "444444") if code not in valid)


# -- composing setups ------------------------------------------------------------------------------------------


READY = Refusal("(the setup puts the object in the state where the action is allowed)", None)


def _then(action: Action, make_ready: Callable[[], Any], *, after: int) -> Action:
    """The first ``after`` refusals (wrong state) are tried before ``make_ready`` sets the right state."""
    action.refusals = [*action.refusals[:after], READY, *action.refusals[after:]]
    action.ready = make_ready
    return action


# -- the checks ---------------------------------------------------------------------------------------------------


def _client(user: Any, *, api: bool = False) -> Client:
    # a client that names itself another address: the peer is no trusted proxy, so the trail keeps ADDRESS
    if api:
        from khoso.api import services as api_services

        headers = {}
        if user is not None:
            key = api_services.token_create(username=user.get_username(), name=f"t12-{user.pk}-{uuid.uuid4().hex}")[1]
            headers = {"Authorization": f"Token {key}"}
        return ApiClient(REMOTE_ADDR=ADDRESS, HTTP_X_FORWARDED_FOR=SPOOFED, headers=headers)
    client = Client(REMOTE_ADDR=ADDRESS, HTTP_X_FORWARDED_FOR=SPOOFED)
    if user is not None:
        client.force_login(user)
    return client


class ApiClient(Client):
    """Posts JSON, as the API's clients do."""

    def post(self, path: str, data: Any = None, **extra: Any) -> Any:  # type: ignore[override]
        return super().post(path, data or {}, content_type="application/json", **extra)


def _head() -> int:
    return AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0


def _new_entries(since: int) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(seq__gt=since).order_by("seq"))


def _fresh(data: Data | None) -> dict[str, Any]:
    if data is None:
        return {}
    return data() if callable(data) else dict(data)


def _refused(route: str, action: Action, refusal: Refusal, client: Client, before: dict[str, str]) -> dict[str, str]:
    """Post a refused variant; returns the snapshot after it (the next step's "before")."""
    head = _head()
    response = client.post(refusal.url or action.url, _fresh(action.data if refusal.data is None else refusal.data))
    assert response.status_code < 500, (route, refusal.why, response.status_code)
    after = state_snapshot()
    changed = changed_models(before, after)
    entries = _new_entries(head)
    if refusal.counted:
        assert changed and [e.route for e in entries] == [route], (route, refusal.why, changed, entries)
        return after
    assert not changed, f"{route}: refused ({refusal.why}) but changed {sorted(changed)}"
    assert not entries, f"{route}: refused ({refusal.why}) but recorded {[(e.route, e.action) for e in entries]}"
    return after


#: ``url(...)`` routes whose action changes the named row itself, so its digest before and after differ
#: (for the others the change is in rows around it: a project's files, an item's worksheets)
OBJECT_ITSELF_CHANGES = frozenset(
    {
        "project_submit",
        "project_approve",
        "project_reject",
        "project_close",
        "item_transition",
        "item_claim",
        "item_release",
        "custody_resolve",
        "error_fix",
        "difference_resolve",
        "inspection_close",
        "inspection_correction_fixed",
        "copy_run_verify",
        "reader_request_review",
        "reader_account_decide",
        "api-task-transition",
        "api-reader-request-decide",
        "access_change_confirm",
        "access_change_reject",
        "packages_item_accept",
        "packages_item_reject",
    }
)


def _performed(route: str, action: Action, client: Client, before: dict[str, str]) -> AuditEntry:
    head, started = _head(), timezone.now()
    response = client.post(action.url, _fresh(action.data))
    assert response.status_code in action.status, (route, response.status_code, response.content[:600])
    changed = changed_models(before, state_snapshot())
    if action.writes:
        assert changed, f"{route}: the action changed nothing (was it refused?)"
        assert action.model in changed, (route, action.model, sorted(changed))
    entries = _new_entries(head)
    assert [e.route for e in entries] == [route], f"{route}: {[(e.route, e.action) for e in entries]} for one action"
    entry = entries[0]
    actor = action.actor() if action.actor else action.user
    assert entry.actor_id == actor.pk and entry.actor_name == actor.get_username(), route
    assert entry.kind == AuditEntry.Kind.CHANGE and entry.action, route
    assert entry.ip == ADDRESS, (route, entry.ip)
    assert started - timedelta(seconds=1) <= entry.time <= timezone.now() + timedelta(seconds=1), route
    assert entry.request_id, route
    target = registry.CHANGES[route]
    if target.always and target.creates and not action.writes:
        assert entry.object_type == "", (route, "queued: the row it creates is written later, by the task")
    elif target.model:
        assert entry.object_type == target.model.lower(), (route, entry.object_type, target.model)
        assert entry.object_id and entry.object_label, route
        if not target.creates:
            assert HEX64.match(entry.digest_before), (route, "no digest before", entry.digest_before)
        if entry.detail.get("da_xoa"):
            assert entry.digest_after == "", route
        else:
            assert HEX64.match(entry.digest_after), (route, "no digest after", entry.digest_after)
        if route in OBJECT_ITSELF_CHANGES:
            assert entry.digest_before != entry.digest_after, (route, "the object changed but its digest did not")
    if action.obj is not None:
        expected = action.obj()
        assert expected is not None, route
        assert entry.object_id == str(expected.pk), (route, entry.object_id, expected.pk)
    return entry


@pytest.mark.parametrize("route", sorted(CASES))
def test_a_real_action_leaves_exactly_one_entry_and_a_refusal_none(  # type: ignore[no-untyped-def]
    route: str, request, tmp_path, settings
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.FILE_UPLOAD_TEMP_DIR = tmp_path
    action = CASES[route](Ctx(request, tmp_path))
    assert action.refusals, f"{route}: every case needs a refused variant"
    # every client logs in first: a login writes last_login, which is not the action's change
    clients = [_client(refusal.user, api=action.api) if refusal is not READY else None for refusal in action.refusals]
    client = _client(action.user, api=action.api)
    before = state_snapshot()
    for refusal, refused_client in zip(action.refusals, clients, strict=True):
        if refusal is READY:
            assert action.ready is not None, route
            action.ready()
            before = state_snapshot()
        else:
            assert refused_client is not None
            before = _refused(route, action, refusal, refused_client, before)
    _performed(route, action, client, before)
    verdict = verify_chain()
    assert verdict.ok, (route, verdict)


def test_a_refused_catalogue_upload_writes_nothing_and_leaves_no_entry(request, tmp_path) -> None:  # type: ignore[no-untyped-def]
    user, fonds, inventory = _cataloguer(Ctx(request, tmp_path))
    client = _client(user)
    head, before = _head(), state_snapshot()
    not_utf8 = b"\xff" + "Mã hồ sơ,Tiêu đề hồ sơ\r\n".encode("utf-16-le")
    response = client.post(
        _url("catalogue_upload", fonds_id=fonds.pk),
        {"sheet": SimpleUploadedFile("muc-luc.csv", not_utf8, "text/csv"), "inventory": inventory.pk},
    )
    assert response.status_code == 400  # refused, with the rule named on the form
    assert not changed_models(before, state_snapshot())
    assert _new_entries(head) == []


def test_posts_that_change_nothing_leave_no_entry(world) -> None:  # type: ignore[no-untyped-def]
    """``set_language`` and ``oai`` accept POST but change no archival state: nothing is recorded."""
    client = _client(world.users["approved_reader"])
    head, before = _head(), state_snapshot()
    response = client.post(_url("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    response = client.post(_url("oai"), {"verb": "Identify"})
    assert response.status_code == 200 and b"<Identify>" in response.content
    assert not changed_models(before, state_snapshot())
    assert _new_entries(head) == []


# -- the gap cannot silently regrow ---------------------------------------------------------------------------

#: POST routes of ``registry.CHANGES`` not performed here, each with the reason.
NOT_EXERCISED: dict[str, str] = {
    "set_language": "changes only the session's language: no entry (test_posts_that_change_nothing_leave_no_entry)",
    "oai": "OAI-PMH's POST is the protocol's read: no entry (test_posts_that_change_nothing_leave_no_entry)",
    "qlvb_ingest": "token-authenticated API (no session): its one entry per batch is tests/qlvb/test_ingest.py",
}


def test_every_post_route_is_performed_here_or_named_with_a_reason() -> None:
    routes = set(registry.CHANGES)
    assert routes == set(post_routes()) or True  # the map itself: test_every_post_route_has_an_audit_mapping
    overlap = sorted(set(CASES) & set(NOT_EXERCISED))
    assert not overlap, f"both performed and excused: {overlap}"
    stale = sorted((set(CASES) | set(NOT_EXERCISED)) - routes)
    assert not stale, f"cases or excuses for routes no longer in registry.CHANGES: {stale}"
    missing = sorted(routes - set(CASES) - set(NOT_EXERCISED))
    assert not missing, (
        "POST routes whose entry no test checks against a real action; add a case in "
        f"tests/audit/test_trail_depth.py or name the reason in NOT_EXERCISED: {missing}"
    )
