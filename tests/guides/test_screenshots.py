"""The guides' screenshots come from the real screens, so the pictures cannot drift from the product.

One live server, one Chromium; each person of a small archive logs in through the login page and the test
opens every screen a guide shows as a figure, as the person whose guide it is, with realistic data: a fonds of
the provincial People's Committee, a digitization project whose files wait at every step, a reader and their
requests. A screen that no longer answers 200 (or sends the person to the login page) fails the test; each
capture is written, palette-compressed, to ``src/khoso/guides/screens/<url name>.png``, the folder the guides
serve their pictures from. ``test_every_figure_has_a_capture_step`` (no browser) fails as soon as a guide shows
a screen this module does not capture.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from PIL import Image

from khoso.guides import library, references
from samples import document_values, done_pages, file_values  # tests/samples.py

PASSWORD = "mat-khau-tap-huan-2026"
ARCHIVE = "Trung tâm Lưu trữ lịch sử tỉnh Đắk Lắk"
VIEWPORT = {"width": 1280, "height": 800}
MAX_HEIGHT = 1500  # a screenshot shows the top of a long page, not all of it


@dataclass
class World:
    ids: dict[str, int] = field(default_factory=dict)
    codes: dict[str, str] = field(default_factory=dict)


def _url(name: str, **kwargs: Any) -> Callable[[World], str]:
    """A URL whose keyword arguments are looked up in the world (``item_id="scan"`` → world.ids["scan"])."""

    def build(world: World) -> str:
        values = {key: world.codes[value] if key == "file_code" else world.ids[value] for key, value in kwargs.items()}
        return reverse(name, kwargs=values)

    return build


def _with_query(builder: Callable[[World], str], query: Callable[[World], str]) -> Callable[[World], str]:
    return lambda world: f"{builder(world)}?{query(world)}"


#: screen (URL name) → (who opens it, its address in the world)
CAPTURES: dict[str, tuple[str, Callable[[World], str]]] = {
    # the reader's guide
    "portal_home": ("anonymous", _with_query(_url("portal_home"), lambda w: "q=quy+hoach")),
    "portal_file": ("anonymous", _url("portal_file", file_id="public_file")),
    "reader_register": ("anonymous", _url("reader_register")),
    "login": ("anonymous", _url("login")),
    "reader_request_create": (
        "tranthihoa",
        _with_query(_url("reader_request_create"), lambda w: f"ho_so={w.ids['public_file']}"),
    ),
    "reader_home": ("tranthihoa", _url("reader_home")),
    # cataloguer
    "home": ("bienmuc", _url("home")),
    "fonds_detail": ("bienmuc", _url("fonds_detail", fonds_id="fonds")),
    "file_create": ("bienmuc", _url("file_create", fonds_id="fonds")),
    "file_detail": ("bienmuc", _url("file_detail", file_code="public_file")),
    "catalogue_fonds": ("bienmuc", _url("catalogue_fonds", fonds_id="fonds")),
    "my_queue": ("bienmuc", _url("my_queue")),
    "item_detail": ("bienmuc", _url("item_detail", item_id="cataloguing")),
    "worksheet_edit": ("bienmuc", _url("worksheet_edit", item_id="cataloguing")),
    "catalogue_check": ("kiemtra", _url("catalogue_check", item_id="checking")),
    # data entry
    "keying_list": ("nhaplieu", _url("keying_list", item_id="keying")),
    "keying_sheet": ("nhaplieu", _url("keying_sheet", item_id="keying", worksheet_id="keying_sheet")),
    "scan_link": ("nhaplieu", _url("scan_link", item_id="linking")),
    # scanner operator and contractor
    "scan_delivery": ("vanhanh", _url("scan_delivery", item_id="scanning")),
    "pipeline_status": ("vanhanh", _url("pipeline_status")),
    "scan_rescan": ("vanhanh", _url("scan_rescan", item_id="rescan")),
    "copies_page": ("nhathau", _url("copies_page", project_id="project")),
    # QC inspector
    "scan_qc": ("kcs", _url("scan_qc", item_id="qc")),
    "inspection_list": ("kcs", _url("inspection_list", project_id="project")),
    "inspection_detail": ("kcs", _url("inspection_detail", inspection_id="inspection")),
    "inspection_stats": ("kcs", _url("inspection_stats", project_id="project")),
    # approving archivist
    "project_create": ("pheduyet", _url("project_create")),
    "project_detail": ("pheduyet", _url("project_detail", project_id="project")),
    "custody_project": ("pheduyet", _url("custody_project", project_id="project")),
    "minutes_page": ("pheduyet", _url("minutes_page", project_id="project")),
    "reader_accounts": ("pheduyet", _url("reader_accounts")),
    "reader_requests": ("pheduyet", _url("reader_requests")),
    "reader_request_review": ("pheduyet", _url("reader_request_review", request_id="reader_request")),
    "access_change_list": ("pheduyet", _url("access_change_list")),
    "packages_batch_list": ("pheduyet", _url("packages_batch_list")),
    "reports_dashboard": ("pheduyet", _url("reports_dashboard")),
    # administrator
    "access_people": ("quantri", _url("access_people")),
    "access_person": ("quantri", _url("access_person", user_id="bienmuc")),
    "accounts_totp_enrol": ("quantri", _url("accounts_totp_enrol")),
    "fonds_create": ("quantri", _url("fonds_create")),
    "access_restriction_list": ("quantri", _url("access_restriction_list")),
    "audit_list": ("quantri", _url("audit_list")),
    "preservation_dashboard": ("quantri", _url("preservation_dashboard")),
    "backup_home": ("quantri", _url("backup_home")),
}


def test_every_figure_has_a_capture_step() -> None:
    figures = {figure.screen for guide in library.guides().values() for figure in guide.document.figures()}
    assert not figures - set(CAPTURES), f"figures no capture step takes: {sorted(figures - set(CAPTURES))}"
    assert not set(CAPTURES) - figures, f"capture steps no guide shows: {sorted(set(CAPTURES) - figures)}"


# -- the archive ------------------------------------------------------------------------------------

#: user name → (full name, access role group, project role, fonds grant: None / "view" / "edit")
STAFF: dict[str, tuple[str, str | None, str | None, str | None]] = {
    "thukho": ("Phạm Văn Kho", "Lưu trữ viên phê duyệt", None, "edit"),  # creates the project: its planner
    "pheduyet": ("Lê Thị Mai", "Lưu trữ viên phê duyệt", "phe_duyet", "edit"),
    "bienmuc": ("Nguyễn Thị Lan", "Biên mục", "bien_muc", "edit"),
    "kiemtra": ("Hoàng Văn Minh", "Biên mục", "kiem_tra", "view"),
    "nhaplieu": ("Đỗ Thị Hạnh", "Nhập liệu", "nhap_lieu", "view"),
    "vanhanh": ("Trần Văn Quét", "Vận hành máy quét", "so_hoa", "edit"),
    "kcs": ("Vũ Thị Chất", "Kiểm tra chất lượng", "kiem_tra_chat_luong", "view"),
    "nhathau": ("Bùi Văn Thầu", "Nhà thầu", "quan_ly_nha_thau", None),
}
#: project file → the step it waits at
STEPS = {
    "cataloguing": "BIEN_MUC",
    "checking": "KIEM_TRA_BIEN_MUC",
    "keying": "NHAP_LIEU",
    "scanning": "SO_HOA",
    "qc": "KIEM_TRA_CHAT_LUONG",
    "rescan": "SO_HOA_LAI",
    "linking": "LIEN_KET",
    "inspect_1": "KIEM_TRA_SAN_PHAM",
    "inspect_2": "KIEM_TRA_SAN_PHAM",
    "copying": "SAO_CHEP",
}
TITLES = [
    "Hồ sơ về quy hoạch phát triển kinh tế – xã hội tỉnh Đắk Lắk giai đoạn 1996–2010",
    "Hồ sơ hội nghị tổng kết công tác năm 1995 của Ủy ban nhân dân tỉnh",
    "Hồ sơ về việc thành lập các xã mới thuộc huyện Krông Pắc",
    "Hồ sơ về chương trình trồng và chăm sóc cà phê năm 1995",
    "Hồ sơ về xây dựng đường giao thông nông thôn huyện Ea Kar",
    "Hồ sơ về công tác phòng chống lụt bão năm 1995",
    "Hồ sơ về giao đất, giao rừng cho hộ gia đình huyện Lắk",
    "Hồ sơ về kế hoạch giáo dục và đào tạo năm học 1995–1996",
    "Hồ sơ về tổ chức bộ máy các sở, ban, ngành năm 1995",
    "Hồ sơ về công tác xóa đói giảm nghèo năm 1995",
]


def _thumbnail(number: int) -> bytes:
    """A small picture of a typed page (heading, motto, lines of text, a seal on the first page)."""
    from PIL import ImageDraw

    image = Image.new("RGB", (120, 170), (250, 247, 238))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 119, 169), outline=(205, 200, 190))
    draw.line((12, 14, 50, 14), fill=(60, 60, 60), width=2)
    draw.line((66, 14, 108, 14), fill=(60, 60, 60), width=2)
    draw.line((72, 20, 102, 20), fill=(90, 90, 90), width=1)
    draw.line((30, 36, 90, 36), fill=(30, 30, 30), width=3)
    for row, y in enumerate(range(50, 150, 8)):
        draw.line((12, y, 108 - (row * 7) % 30, y), fill=(110, 110, 110), width=1)
    if number == 1:
        draw.ellipse((70, 128, 100, 158), outline=(190, 30, 30), width=2)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def _scanned(archive_file: Any, count: int, *, qc_passed: bool = True) -> None:
    """Processed pages (``samples.done_pages``) whose thumbnails look like typed pages on a screenshot."""
    from khoso.archive.models import Page
    from khoso.storage.services import object_put_bytes

    for page in done_pages(archive_file, count, qc_passed=qc_passed):
        thumbnail = object_put_bytes(data=_thumbnail(page.number), mime="image/jpeg")
        Page.objects.filter(pk=page.pk).update(thumbnail=thumbnail)


def _archive_file(fonds: Any, notation: str, title: str, **extra: Any) -> Any:
    from khoso.archive.services import file_create

    fields: dict[str, Any] = dict(
        file_catalog=1995,
        file_notation=notation,
        title=title,
        maintenance="01",
        mode="01",
        language="01",
        start_date=date(1995, 1, 5),
        end_date=date(1995, 12, 28),
        number_of_paper=3,
        number_of_page=4,
        description="Người lập hồ sơ: Văn phòng UBND tỉnh",
    )
    fields.update(extra)
    return file_create(fonds=fonds, **fields)


def _people(fonds: Any) -> dict[str, Any]:
    from django.contrib.auth.models import Group, Permission, User

    from khoso.access.models import FondsGrant
    from khoso.access.roles import sync_roles

    sync_roles(Group, Permission)
    people: dict[str, Any] = {}
    for username, (full_name, group, _, grant) in STAFF.items():
        last, first = full_name.rsplit(" ", 1)
        user = User.objects.create_user(username, password=PASSWORD, first_name=first, last_name=last)
        if group:
            user.groups.add(Group.objects.get(name=group))
        if grant:
            FondsGrant.objects.create(user=user, fonds=fonds, can_edit=grant == "edit")
        people[username] = User.objects.get(pk=user.pk)
    people["quantri"] = User.objects.create_superuser("quantri", "quantri@example.vn", PASSWORD, first_name="Quản trị")
    return people


def _project(fonds: Any, people: dict[str, Any], files: list[Any], put_in_state: Any) -> tuple[Any, dict[str, Any]]:
    from khoso.cataloguing import services as cataloguing
    from khoso.cataloguing.fields import DOCUMENT
    from khoso.workflow import services as workflow
    from khoso.workflow.states import State

    project = workflow.project_create(
        planner=people["thukho"],
        code="SH-2026-01",
        name="Số hóa tài liệu Phông UBND tỉnh Đắk Lắk giai đoạn 1990–2000",
        institution=fonds.institution,
        fonds=[fonds],
        year_from=1990,
        year_to=2000,
        target_metres=Decimal("12.5"),
        budget_vnd=300_000_000,
    )
    for username, (_, _, role, _) in STAFF.items():
        if role:
            workflow.member_add(project=project, user=people[username], role=role, by=people["thukho"])
    workflow.files_select(project=project, files=files, by=people["thukho"])
    workflow.project_submit(project=project, by=people["thukho"])
    workflow.project_approve(project=project, by=people["pheduyet"], decision="45/QĐ-TTLT ngày 05/01/2026")
    cataloguing.guideline_publish(
        project=project,
        by=people["thukho"],
        title="Hướng dẫn biên mục phiếu tin hồ sơ, tài liệu hành chính",
        text="Ghi tiêu đề đúng như bìa hồ sơ; ngày tháng ghi dd/mm/yyyy; trích yếu ghi đầy đủ như trên văn bản.",
        effective_date=date(2026, 1, 5),
    )
    items = dict(zip(STEPS, project.items.select_related("file").order_by("id"), strict=True))

    def catalogue(item: Any, documents: int) -> Any:
        put_in_state(item, State.BIEN_MUC, people["thukho"])
        sheet = cataloguing.worksheet_save(
            item=item, by=people["bienmuc"], values=file_values(title=item.file.title, total_doc=2)
        )
        for ordinal in range(1, documents + 1):
            cataloguing.worksheet_save(
                item=item, by=people["bienmuc"], values=document_values(ordinal), kind=DOCUMENT, ordinal=ordinal
            )
        return sheet

    catalogue(items["cataloguing"], 1)
    workflow.task_claim(item=items["cataloguing"], user=people["bienmuc"])
    catalogue(items["checking"], 2)
    put_in_state(items["checking"], State.KIEM_TRA_BIEN_MUC, people["bienmuc"])
    cataloguing.check_start(item=items["checking"], by=people["kiemtra"])
    items["keying_sheet"] = catalogue(items["keying"], 2)
    put_in_state(items["keying"], State.NHAP_LIEU, people["kiemtra"])
    return project, items


def _scanning(items: dict[str, Any], people: dict[str, Any], put_in_state: Any) -> Any:
    from khoso.archive.services import document_create
    from khoso.handover import services as handover
    from khoso.inspection import services as inspection_services
    from khoso.inspection.models import ErrorClass
    from khoso.scanning import services as scanning
    from khoso.workflow.states import State

    put_in_state(items["scanning"], State.SO_HOA, people["kiemtra"])
    _scanned(items["scanning"].file, 4)
    workflow_claim(items["scanning"], people["vanhanh"])

    put_in_state(items["qc"], State.KIEM_TRA_CHAT_LUONG, people["vanhanh"])
    _scanned(items["qc"].file, 3)
    _scanned(items["qc"].file, 1, qc_passed=False)
    scanning.page_review(item=items["qc"], number=1, inspector=people["kcs"], decision="dat")

    put_in_state(items["rescan"], State.KIEM_TRA_CHAT_LUONG, people["vanhanh"])
    _scanned(items["rescan"].file, 4)
    scanning.page_review(
        item=items["rescan"], number=2, inspector=people["kcs"], decision="khong_dat", reason="mo", note="Chữ nhòe"
    )
    put_in_state(items["rescan"], State.SO_HOA_LAI, people["kcs"])

    linking = items["linking"].file
    for ordinal in (1, 2):
        document_create(
            archive_file=linking,
            type_name="02",
            code_number=str(10 + ordinal),
            code_notation="QĐ-UBND",
            issued_date=date(1995, 4, ordinal),
            organ_name="Ủy ban nhân dân tỉnh Đắk Lắk",
            subject=f"Quyết định số {10 + ordinal} về giao đất, giao rừng cho hộ gia đình",
            number_of_page=2,
        )
    _scanned(linking, 4)
    put_in_state(items["linking"], State.LIEN_KET, people["kcs"])

    for key in ("inspect_1", "inspect_2"):
        put_in_state(items[key], State.KIEM_TRA_SAN_PHAM, people["thukho"])
    project = items["inspect_1"].project
    inspection_services.plan_save(project=project, by=people["thukho"], passes=[50, 100], max_error_rate=5)
    if not ErrorClass.objects.filter(active=True).exists():  # a flushed database has lost the migration's rows
        ErrorClass.objects.create(code="anh-mo", label="Ảnh mờ, nhòe", label_en="Blurred image")
    inspection = inspection_services.inspection_start(project=project, inspector=people["kcs"], pass_number=1)
    sampled = inspection.batch.filter(sampled=True).select_related("item").first()
    inspection_services.finding_record(
        inspection=inspection,
        item=sampled.item,
        error_class=ErrorClass.objects.filter(active=True).order_by("id").first(),
        by=people["kcs"],
        note="Trang 3 thiếu lề phải",
    )

    put_in_state(items["copying"], State.SAO_CHEP, people["kcs"])
    handover.copy_target_create(
        project=project,
        by=people["nhathau"],
        name="Ổ cứng lưu trữ số 1",
        kind="thiet_bi",
        path="/mnt/o-cung-1",
        medium_id="HDD-2026-01",
    )
    return inspection


def workflow_claim(item: Any, user: Any) -> None:
    from khoso.workflow import services as workflow

    workflow.task_claim(item=item, user=user)


def _readers(public_file: Any, people: dict[str, Any]) -> Any:
    from khoso.readers import services as readers

    hoa = readers.reader_register(
        username="tranthihoa",
        password=PASSWORD,
        full_name="Trần Thị Hòa",
        citizen_id="066195001234",
        email="hoa.tran@example.vn",
        phone="0905123456",
        address="12 Lê Duẩn, phường Tân Thành, Buôn Ma Thuột",
        birth_date=date(1990, 5, 12),
    )
    readers.reader_decide(reader=hoa, by=people["pheduyet"], approve=True)
    hoa.refresh_from_db()
    request = readers.request_submit(
        reader=hoa,
        archive_file=public_file,
        kind="doc",
        purpose="01",
        purpose_content="Nghiên cứu lịch sử hình thành các xã mới của tỉnh",
        fee_object_type="01",
        research_topic="Lịch sử hành chính tỉnh Đắk Lắk 1976–2000",
    )
    readers.request_submit(
        reader=hoa,
        archive_file=public_file,
        kind="sao_xt",
        purpose="01",
        purpose_content="Làm hồ sơ xác nhận địa giới hành chính",
        fee_object_type="01",
    )
    readers.reader_register(
        username="nguyenvanbinh",
        password=PASSWORD,
        full_name="Nguyễn Văn Bình",
        citizen_id="066088004321",
        email="binh.nguyen@example.vn",
        phone="0912345678",
    )
    return request


@pytest.fixture
def world(transactional_db, settings, tmp_path: Path, put_in_state) -> World:  # type: ignore[no-untyped-def]
    from khoso.access import services as access
    from khoso.archive.models import Institution, Inventory
    from khoso.archive.services import document_create, fonds_create
    from khoso.search.services import index_rebuild

    settings.KHOSO_INLINE_TASKS = True
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.LANGUAGE_CODE = "vi"
    settings.KHOSO_ARCHIVE_NAME = ARCHIVE
    settings.KHOSO_HOLIDAYS = []
    # the folders a screen names are shown as an installation would name them; nothing here writes to them
    settings.KHOSO_WATCH_DIR = Path("/srv/khoso/watch")
    settings.KHOSO_COPY_ROOTS = ["/mnt"]
    settings.KHOSO_BACKUP_DIR = [Path("/mnt/sao-luu"), Path("/mnt/ttdl")]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

    institution = Institution.objects.create(code="H15.TTLT", name=ARCHIVE)
    fonds = fonds_create(
        institution=institution,
        code="UBND-DL",
        name="Phông Ủy ban nhân dân tỉnh Đắk Lắk",
        organ_id="000.00.00.H15",
        history="Ủy ban nhân dân tỉnh Đắk Lắk được thành lập năm 1976, sau khi hợp nhất hai tỉnh Đắk Lắk và Quảng Đức.",
        archives_time="1976-2000",
        paper_total=120,
        key_groups="Tài liệu tổng hợp, quy hoạch, tổ chức",
        language="01",
    )
    inventory = Inventory.objects.create(fonds=fonds, number=1, title="Mục lục hồ sơ phông UBND tỉnh, số 1")
    people = _people(fonds)
    public_file = _archive_file(
        fonds,
        "03.TC",
        "Hồ sơ về việc thành lập Trung tâm Lưu trữ tỉnh Đắk Lắk năm 1995",
        inventory=inventory,
        number_of_page=3,
    )
    for ordinal, subject in enumerate(
        ("Quyết định số 12/QĐ-UBND về việc thành lập Trung tâm Lưu trữ tỉnh Đắk Lắk", "Tờ trình về tổ chức bộ máy"),
        start=1,
    ):
        document_create(
            archive_file=public_file,
            type_name="02" if ordinal == 1 else "21",
            code_number=str(11 + ordinal),
            code_notation="QĐ-UBND" if ordinal == 1 else "TTr-SNV",
            issued_date=date(1995, 3, 10 + ordinal),
            organ_name="Ủy ban nhân dân tỉnh Đắk Lắk",
            subject=subject,
            number_of_page=2 if ordinal == 1 else 1,
            first_page=1 if ordinal == 1 else 3,
        )
    _scanned(public_file, 3)
    files = [
        _archive_file(fonds, f"{number:02d}.QH", title, inventory=inventory)
        for number, title in enumerate(TITLES, start=10)
    ]
    project, items = _project(fonds, people, files, put_in_state)
    inspection = _scanning(items, people, put_in_state)
    request = _readers(public_file, people)
    access.propose_file_access(
        archive_file=files[1], mode="02", reason="Có thông tin cá nhân của cán bộ", by=people["thukho"]
    )
    access.propose_restriction_add(
        fonds=fonds,
        archive_file=files[8],
        reason="Tài liệu đang được chỉnh lý lại",
        start_date=date(2026, 1, 1),
        end_date=date(2026, 12, 31),
        by=people["thukho"],
    )
    index_rebuild()

    world = World()
    world.ids.update(
        fonds=fonds.pk,
        public_file=public_file.pk,
        project=project.pk,
        inspection=inspection.pk,
        reader_request=request.pk,
        bienmuc=people["bienmuc"].pk,
        keying_sheet=items.pop("keying_sheet").pk,
    )
    world.ids.update({key: item.pk for key, item in items.items()})
    world.codes["public_file"] = public_file.file_code
    return world


# -- the camera -------------------------------------------------------------------------------------


def save_screenshot(data: bytes, target: Path) -> None:
    """A UI screenshot in 256 colours (a fraction of the bytes, no visible loss), written whole or not at all."""
    image = Image.open(io.BytesIO(data)).convert("RGB")
    palette = image.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    partial = target.with_suffix(".tmp")
    palette.save(partial, "PNG", optimize=True)
    partial.replace(target)


def _settled(page: Any) -> None:
    """Wait for what the screen shows after ``load``: lazy images (made eager) and a script's first fetch.

    Playwright's locator calls run in its own isolated world, which the site's CSP (no 'unsafe-eval') allows."""
    images = page.locator("img")
    images.evaluate_all("imgs => imgs.forEach(i => { i.loading = 'eager'; })")
    for _ in range(100):
        if all(images.evaluate_all("imgs => imgs.map(i => i.complete && i.naturalWidth > 0)")):
            break
        page.wait_for_timeout(50)
    else:
        raise AssertionError(f"images did not load on {page.url}")
    if page.locator("script[src]").count():
        page.wait_for_load_state("networkidle")


def _log_in(page: Any, base: str, username: str) -> None:
    page.goto(base + reverse("login"))
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(lambda url: reverse("login") not in url)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_screenshots_of_every_screen_the_guides_show(live_server, world: World, launch_chromium) -> None:  # type: ignore[no-untyped-def]
    from playwright import sync_api

    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's loop runs in this thread
    library.SCREENS_DIR.mkdir(parents=True, exist_ok=True)
    base = live_server.url
    by_actor: dict[str, list[str]] = {}
    for screen, (actor, _) in CAPTURES.items():
        by_actor.setdefault(actor, []).append(screen)
    outside: list[str] = []
    taken: dict[str, int] = {}

    with sync_api.sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            for actor, screens in by_actor.items():
                context = browser.new_context(viewport=VIEWPORT, locale="vi-VN")
                context.on("request", lambda r: None if r.url.startswith(base) else outside.append(r.url))
                page = context.new_page()
                page.set_default_timeout(20_000)
                if actor != "anonymous":
                    _log_in(page, base, actor)
                for screen in screens:
                    address = CAPTURES[screen][1](world)
                    response = page.goto(base + address)
                    assert response is not None and response.ok, (screen, actor, address, response and response.status)
                    assert screen == "login" or reverse("login") not in page.url, (screen, actor, "sent to log in")
                    _settled(page)
                    height = min(max(page.locator("body").bounding_box()["height"], VIEWPORT["height"]), MAX_HEIGHT)
                    shot = page.screenshot(
                        full_page=True, clip={"x": 0, "y": 0, "width": VIEWPORT["width"], "height": height}
                    )
                    save_screenshot(shot, library.screenshot_path(screen))
                    taken[screen] = len(shot)
                context.close()
        finally:
            browser.close()

    assert set(taken) == set(CAPTURES)
    for screen in CAPTURES:
        with Image.open(library.screenshot_path(screen)) as picture:
            assert picture.size[0] == VIEWPORT["width"] and picture.size[1] >= 300, screen
    assert outside == []
    missing = [problem for problem in references.problems() if problem.kind == "anh"]
    assert not missing, missing
