"""The six steps of TT 04/2014 walked end to end, with every app's guards active.

Each app's own tests place a file at its step with ``put_in_state`` and keep only their own guards;
this module does neither. One file, a batch of three (a QC rescan, a product correction), and a file
refused at acceptance each go from the plan to BAN_GIAO by calling
only the public services of each app, each as the person whose job it is: the planner plans and
moves the paper, the cataloguer writes the worksheets, the checker checks them, two keyers key them,
the scanner delivers real (small, generated) scans that the real pipeline processes, the QC and
product inspectors judge, the contractor copies, the approving archivist accepts. What an archivist
relies on at the end is asserted: the state, who did every step, the archive records written from
the worksheets, the file's PDF/A, the minutes, the dossier and the dashboard's figures.
"""

from __future__ import annotations

import importlib
import io
import zipfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pikepdf
import pytest
from PIL import Image, ImageDraw, ImageFont

from khoso.access.models import FondsGrant
from khoso.archive.models import ArchiveFile, Document, Page
from khoso.capture.services import Arrival
from khoso.cataloguing import selectors as cataloguing_selectors
from khoso.cataloguing import services as cataloguing
from khoso.cataloguing.fields import DOCUMENT
from khoso.cataloguing.models import CheckError, CheckReport
from khoso.core.errors import WorkflowError
from khoso.core.printing import pdf_plain_text as pdf_text
from khoso.core.text import fold
from khoso.custody import selectors as custody_selectors
from khoso.custody import services as custody
from khoso.custody.models import Kind, Place
from khoso.handover import documents as handover_documents
from khoso.handover import selectors as handover_selectors
from khoso.handover import services as handover
from khoso.inspection import services as inspection
from khoso.inspection.models import CorrectionTask, ErrorClass, Inspection
from khoso.scanning import selectors as scanning_selectors
from khoso.scanning import services as scanning
from khoso.scanning.models import PageReview, RejectReason, ScanHistory
from khoso.search.selectors import search_pages
from khoso.storage.services import object_store
from khoso.workflow import selectors as workflow_selectors
from khoso.workflow import services as workflow
from khoso.workflow.models import Contractor, ProjectFile, WorkflowEvent
from khoso.workflow.states import Role, State

pytestmark = pytest.mark.django_db

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"

#: user name → role in the project (the planner gets hers by creating it)
ROLES = {
    "cataloguer": Role.CATALOGUER,
    "keyer": Role.DATA_ENTRY,
    "keyer2": Role.DATA_ENTRY,
    "checker": Role.CHECKER,
    "scanner": Role.SCANNER,
    "inspector": Role.QC_INSPECTOR,
    "contractor": Role.CONTRACTOR_MANAGER,
    "approver": Role.APPROVER,
}
#: the contractor's own staff: they may not inspect its product
CONTRACTOR_STAFF = {"scanner", "contractor"}
SHEETS = 2  # sheets of paper in every file, as counted at each handover
PAGES = 3  # pages of every file: document 1 has one page, document 2 two


def page_jpeg(text: str) -> bytes:
    """A small 300-dpi colour scan with a few lines of text, which the automatic QC passes."""
    image = Image.new("RGB", (700, 900), "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(FONT, 30)
    for line in range(6):
        draw.text((40, 70 + line * 55), f"{text} {line + 1}", fill="black", font=font)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85, dpi=(300, 300))
    return buffer.getvalue()


def refused(item: ProjectFile, target: State, actor: Any) -> str:
    with pytest.raises(WorkflowError) as caught:
        workflow.transition(item=item, target=target, actor=actor)
    return caught.value.message


@pytest.fixture(autouse=True)
def error_classes(db) -> None:  # type: ignore[no-untyped-def]
    """The product error classes a migration seeds (a transactional test elsewhere may flush them)."""
    from django.apps import apps

    importlib.import_module("khoso.inspection.migrations.0002_error_classes").seed(apps, None)


@pytest.fixture
def copy_root(settings, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    root = tmp_path / "ban-sao"
    root.mkdir()
    settings.KHOSO_COPY_ROOTS = [root]
    return root


# -- the values the cataloguer writes and the keyers key ---------------------------------------------


def file_values(number: int, **overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = dict(
        title=f"Hồ sơ số {number} về quy hoạch phát triển vùng cà phê tỉnh Đắk Lắk năm 1995",
        maintenance="01",
        mode="01",
        language="01",
        start_date="1995-01-05",
        end_date="1995-12-20",
        keyword="quy hoạch; cà phê",
        total_doc=2,
        number_of_paper=SHEETS,
        number_of_page=PAGES,
        format="01",
        risk_recovery=False,
        description="Người lập hồ sơ: Nguyễn Văn A, Văn phòng UBND tỉnh",
    )
    values.update(overrides)
    return values


def document_values(ordinal: int, number: int, **overrides: Any) -> dict[str, Any]:
    """Document ``ordinal`` of file ``number``; document 2 of file 1 is secret (access mode 03, Mật)."""
    values: dict[str, Any] = dict(
        type_name="02",
        code_number=f"{10 + ordinal}",
        code_notation="QĐ-UBND",
        issued_date=f"1995-03-{ordinal:02d}",
        organ_name="Ủy ban nhân dân tỉnh Đắk Lắk",
        subject=f"Quyết định số {10 + ordinal} về quy hoạch vùng cà phê",
        maintenance="01",
        language="01",
        number_of_page=ordinal,  # 1 page, then 2 pages: PAGES in all
        mode="03" if (number, ordinal) == (1, 2) else "01",
        risk_recovery=False,
    )
    values.update(overrides)
    return values


# -- the walk, step by step ----------------------------------------------------------------------------


@dataclass
class Walk:
    """The people of the project and the helpers that take a file through each step as the right one."""

    people: dict[str, Any]
    tmp: Path
    capture: Any  # django_capture_on_commit_callbacks: the pipeline runs when a delivery commits

    def __getattr__(self, name: str) -> Any:
        try:
            return self.__dict__["people"][name]
        except KeyError:
            raise AttributeError(name) from None

    # planning and approval (step 1) ------------------------------------------------------------------

    def plan(self, institution: Any, fonds: Any, files: list[ArchiveFile]) -> Any:
        contractor = Contractor.objects.create(
            name="Công ty Cổ phần Số hóa Tây Nguyên", tax_code="6000123456", licence="GP-15/2024"
        )
        project = workflow.project_create(
            planner=self.planner,
            code="SH-2026-E2E",
            name="Số hóa hồ sơ quy hoạch Phông UBND tỉnh Đắk Lắk 1995",
            institution=institution,
            fonds=[fonds],
            year_from=1990,
            year_to=2000,
            target_metres="0.05",
            contractor=contractor,
        )
        for name, role in ROLES.items():
            staff = contractor if name in CONTRACTOR_STAFF else None
            workflow.member_add(project=project, user=self.people[name], role=role, by=self.planner, contractor=staff)
        # the survey found the last file torn and often used: it is scored first
        handover.condition_note(
            project=project, archive_file=files[-1], by=self.planner, damage_codes=["rach"], usage_count=3
        )
        handover.files_select_scored(project=project, files=files, by=self.planner)
        listing = handover_selectors.selection_list(project=project)
        assert listing.rows[0].file_code == files[-1].file_code and listing.rows[0].priority == 30 + 8 + 6
        workflow.project_submit(project=project, by=self.planner)
        return workflow.project_approve(project=project, by=self.approver, decision="QĐ 15/QĐ-TTLT")

    def move(self, item: ProjectFile, kind: Kind, to_party: str) -> None:
        """The stack keeper records a hand-to-hand movement; both sides counted the sheets."""
        custody.movement_record(item=item, kind=kind, actor=self.planner, sheets_counted=SHEETS, to_party=to_party)

    def off_the_shelf_to_cataloguing(self, item: ProjectFile) -> ProjectFile:
        assert "chưa ghi nhận «Lấy tài liệu khỏi giá" in refused(item, State.XUAT_KHO, self.planner)
        self.move(item, Kind.LAY_KHOI_GIA, "Nơi giao nhận tầng 1")
        item = workflow.transition(item=item, target=State.XUAT_KHO, actor=self.planner)
        assert "chưa ghi nhận «Giao tài liệu cho tổ biên mục»" in refused(item, State.BIEN_MUC, self.planner)
        self.move(item, Kind.GIAO_BIEN_MUC, "Tổ biên mục")
        return workflow.transition(item=item, target=State.BIEN_MUC, actor=self.planner)

    # cataloguing (step 2) ----------------------------------------------------------------------------

    def guideline(self, project: Any) -> None:
        cataloguing.guideline_publish(
            project=project,
            by=self.planner,
            title="Hướng dẫn biên mục hồ sơ quy hoạch",
            text="Ghi tiêu đề đúng như bìa hồ sơ; mỗi phiếu tin do hai người nhập độc lập.",
            effective_date=date(2026, 1, 5),
            double_keying=True,
        )

    def write_sheets(self, item: ProjectFile, number: int, **file_overrides: Any) -> None:
        cataloguing.worksheet_save(item=item, by=self.cataloguer, values=file_values(number, **file_overrides))
        for ordinal in (1, 2):
            cataloguing.worksheet_save(
                item=item, by=self.cataloguer, values=document_values(ordinal, number), kind=DOCUMENT, ordinal=ordinal
            )

    def catalogue(self, item: ProjectFile, number: int, *, with_correction: bool = False) -> ProjectFile:
        if not with_correction:
            self.write_sheets(item, number)
            item = workflow.transition(item=item, target=State.KIEM_TRA_BIEN_MUC, actor=self.cataloguer)
            cataloguing.check_start(item=item, by=self.checker)
            return workflow.transition(item=item, target=State.NHAP_LIEU, actor=self.checker)
        self.write_sheets(item, number, title=f"Hồ sơ số {number} về quy hoạch vùng cà phê năm 1959")
        item = workflow.transition(item=item, target=State.KIEM_TRA_BIEN_MUC, actor=self.cataloguer)
        sheet = cataloguing_selectors.file_sheet(item=item)
        cataloguing.check_error_add(
            item=item,
            by=self.checker,
            worksheet=sheet,
            field="title",
            severity=CheckError.Severity.BLOCKING,
            message="Tiêu đề chép sai bìa hồ sơ (năm 1995, không phải 1959).",
        )
        item = workflow.transition(item=item, target=State.SUA_LOI_BIEN_MUC, actor=self.checker)
        assert "còn 1 lỗi phải sửa chưa được sửa" in refused(item, State.KIEM_TRA_BIEN_MUC, self.cataloguer)
        cataloguing.worksheet_save(item=item, by=self.cataloguer, values=file_values(number))
        item = workflow.transition(item=item, target=State.KIEM_TRA_BIEN_MUC, actor=self.cataloguer)
        assert "chưa có biên bản kiểm tra biên mục của lượt này" in refused(item, State.NHAP_LIEU, self.checker)
        cataloguing.check_start(item=item, by=self.checker)
        return workflow.transition(item=item, target=State.NHAP_LIEU, actor=self.checker)

    # data entry (step 3), double keying ----------------------------------------------------------------

    def key(self, item: ProjectFile, number: int, *, slip: bool) -> ProjectFile:
        """Both keyers key every sheet; when ``slip``, keyer2 mistypes the number of document 1."""
        for sheet in cataloguing_selectors.sheets_of(item=item):
            values = file_values(number) if sheet.kind != DOCUMENT else document_values(sheet.ordinal, number)
            cataloguing.keying_save(worksheet=sheet, by=self.keyer, values=values)
        item = self._refresh(item)
        assert "hai người nhập độc lập" in refused(item, State.KIEM_TRA_NHAP, self.keyer)
        for sheet in cataloguing_selectors.sheets_of(item=item):
            values = file_values(number) if sheet.kind != DOCUMENT else document_values(sheet.ordinal, number)
            if slip and sheet.kind == DOCUMENT and sheet.ordinal == 1:
                values["code_number"] = "17"
            cataloguing.keying_save(worksheet=sheet, by=self.keyer2, values=values)
        return workflow.transition(item=item, target=State.KIEM_TRA_NHAP, actor=self.keyer)

    def entry_check_to_scanning(self, item: ProjectFile) -> ProjectFile:
        report = cataloguing.check_start(item=item, by=self.checker)
        assert "chưa ghi nhận «Giao tài liệu và phiếu tin cho tổ số hóa»" in refused(item, State.SO_HOA, self.checker)
        self.move(item, Kind.GIAO_SO_HOA, "Tổ số hóa")
        for difference in report.differences.all():
            assert "chênh lệch giữa các lượt nhập" in refused(item, State.SO_HOA, self.checker)
            cataloguing.difference_resolve(difference=difference, by=self.checker, value=difference.worksheet_value)
        return workflow.transition(item=item, target=State.SO_HOA, actor=self.checker)

    # scanning, QC and linking (step 4) ------------------------------------------------------------------

    def scan(self, item: ProjectFile) -> ProjectFile:
        folder = self.tmp / f"lo-{item.pk}"
        folder.mkdir()
        paths = []
        for number in range(1, PAGES + 1):
            path = folder / f"{number:04d}.jpg"
            path.write_bytes(page_jpeg(f"Quyết định trang {number} hồ sơ {item.pk}"))
            paths.append(path)
        with self.capture(execute=True):
            scanning.delivery_upload(item=item, operator=self.scanner, arrivals=[Arrival(p, p.name) for p in paths])
        scanning.count_reconcile(item=item, actor=self.scanner, sheets_counted=SHEETS)
        return workflow.transition(item=item, target=State.KIEM_TRA_CHAT_LUONG, actor=self.scanner)

    def qc_reject_and_rescan(self, item: ProjectFile) -> ProjectFile:
        scanning.page_review(
            item=item,
            number=2,
            inspector=self.inspector,
            decision=PageReview.Decision.REJECT,
            reason=RejectReason.SKEWED,
            note="Lệch lề trái",
        )
        assert "trang 2 bị đánh giá không đạt" in refused(item, State.LIEN_KET, self.inspector)
        item = workflow.transition(item=item, target=State.SO_HOA_LAI, actor=self.inspector)
        rescan = self.tmp / f"quet-lai-{item.pk}.jpg"
        rescan.write_bytes(page_jpeg(f"Quét lại trang 2 hồ sơ {item.pk}"))
        with self.capture(execute=True):
            scanning.page_rescan(item=item, number=2, operator=self.scanner, path=rescan, name=rescan.name)
        return workflow.transition(item=item, target=State.KIEM_TRA_CHAT_LUONG, actor=self.scanner)

    def qc_pass_and_link(self, item: ProjectFile) -> ProjectFile:
        scanning.pages_accept_passing(item=item, inspector=self.inspector)
        item = workflow.transition(item=item, target=State.LIEN_KET, actor=self.inspector)
        assert "Trang 1, 2, 3 chưa thuộc tài liệu nào" in refused(item, State.KIEM_TRA_LIEN_KET, self.keyer)
        assert scanning.links_from_metadata(item=item, actor=self.keyer) == 2
        item = workflow.transition(item=item, target=State.KIEM_TRA_LIEN_KET, actor=self.keyer)
        return workflow.transition(item=item, target=State.HOAN_KHO, actor=self.checker)

    # back to the stacks, then product inspection (step 5) ----------------------------------------------

    def reshelve(self, item: ProjectFile) -> ProjectFile:
        self.move(item, Kind.HOAN_TRA, "Bộ phận bảo quản")
        assert "chưa được đưa trở lại giá" in refused(item, State.KIEM_TRA_SAN_PHAM, self.planner)
        self.move(item, Kind.LEN_GIA, "Kho lưu trữ, giá 2/14")
        return workflow.transition(item=item, target=State.KIEM_TRA_SAN_PHAM, actor=self.planner)

    # copies and acceptance (step 6) ---------------------------------------------------------------------

    def copy_twice(self, project: Any, root: Path, items: list[ProjectFile]) -> list[Any]:
        targets = [
            handover.copy_target_create(
                project=project, by=self.contractor, name=name, kind=kind, path=str(root / folder), medium_id=medium
            )
            for name, kind, folder, medium in [
                ("Máy chủ lưu trữ", "thu_muc", "may-chu", "NAS-01"),
                ("Ổ cứng di động số 1", "thiet_bi", "o-cung-1", "HDD-2026-001"),
            ]
        ]
        first = handover.copy_product(target=targets[0], items=items, by=self.contractor)
        assert "mới có 1 bản sao đã xác minh" in refused(items[0], State.NGHIEM_THU, self.contractor)
        second = handover.copy_product(target=targets[1], items=items, by=self.contractor)
        return [first, second]

    def accept(self, item: ProjectFile) -> ProjectFile:
        item = workflow.transition(item=item, target=State.NGHIEM_THU, actor=self.contractor)
        return workflow.transition(item=item, target=State.BAN_GIAO, actor=self.approver)

    @staticmethod
    def _refresh(item: ProjectFile) -> ProjectFile:
        item.refresh_from_db()
        return item


@pytest.fixture
def walk(people, tmp_path, django_capture_on_commit_callbacks) -> Walk:  # type: ignore[no-untyped-def]
    return Walk(people=people, tmp=tmp_path, capture=django_capture_on_commit_callbacks)


# -- what the archivist checks at the end ---------------------------------------------------------------


def steps_of(item: ProjectFile) -> list[tuple[str, str, str]]:
    return list(
        WorkflowEvent.objects.filter(item=item, action__in=["phe_duyet", "chuyen_buoc"])
        .order_by("at", "id")
        .values_list("source", "target", "actor__username")
    )


#: the straight path of a file with no correction: (from, to, who)
STRAIGHT = [
    (State.KE_HOACH, State.DA_DUYET, "approver"),
    (State.DA_DUYET, State.XUAT_KHO, "planner"),
    (State.XUAT_KHO, State.BIEN_MUC, "planner"),
    (State.BIEN_MUC, State.KIEM_TRA_BIEN_MUC, "cataloguer"),
    (State.KIEM_TRA_BIEN_MUC, State.NHAP_LIEU, "checker"),
    (State.NHAP_LIEU, State.KIEM_TRA_NHAP, "keyer"),
    (State.KIEM_TRA_NHAP, State.SO_HOA, "checker"),
    (State.SO_HOA, State.KIEM_TRA_CHAT_LUONG, "scanner"),
    (State.KIEM_TRA_CHAT_LUONG, State.LIEN_KET, "inspector"),
    (State.LIEN_KET, State.KIEM_TRA_LIEN_KET, "keyer"),
    (State.KIEM_TRA_LIEN_KET, State.HOAN_KHO, "checker"),
    (State.HOAN_KHO, State.KIEM_TRA_SAN_PHAM, "planner"),
    (State.KIEM_TRA_SAN_PHAM, State.SAO_CHEP, "inspector"),
    (State.SAO_CHEP, State.NGHIEM_THU, "contractor"),
    (State.NGHIEM_THU, State.BAN_GIAO, "approver"),
]


def assert_archive_written(item: ProjectFile, number: int) -> ArchiveFile:
    """The archive of record holds the worksheet's verified values, and each document its page range."""
    archive_file = ArchiveFile.objects.get(pk=item.file_id)
    expected = file_values(number)
    assert archive_file.title == expected["title"]
    assert (archive_file.start_date, archive_file.end_date) == (date(1995, 1, 5), date(1995, 12, 20))
    assert archive_file.keyword == "quy hoạch; cà phê" and archive_file.format == "01"
    assert archive_file.description == expected["description"]
    assert (archive_file.total_doc, archive_file.number_of_paper, archive_file.number_of_page) == (2, SHEETS, PAGES)
    documents = list(Document.objects.filter(file=archive_file).order_by("ordinal"))
    assert [(d.ordinal, d.doc_code, d.code_number, d.first_page, d.number_of_page) for d in documents] == [
        (1, f"{archive_file.file_code}.0000001", "11", 1, 1),
        (2, f"{archive_file.file_code}.0000002", "12", 2, 2),
    ]
    assert documents[1].subject == "Quyết định số 12 về quy hoạch vùng cà phê"
    assert documents[1].issued_date == date(1995, 3, 2)
    pages = list(archive_file.pages.order_by("number").values_list("number", "document__ordinal", "qc_passed"))
    assert pages == [(1, 1, True), (2, 2, True), (3, 2, True)]
    applied = CheckReport.objects.filter(item=item, stage=CheckReport.Stage.ENTRY).values_list("applied_at", flat=True)
    assert len(applied) == 1 and applied[0] is not None
    return archive_file


def assert_pdfa(archive_file: ArchiveFile, *texts: str) -> None:
    """The file's PDF/A-2b exists, has a page per scan and carries the OCR text of each page."""
    archive_file.refresh_from_db()
    assert archive_file.pdf_id is not None
    path = object_store().path_for(archive_file.pdf_id)
    with pikepdf.open(path) as pdf:
        assert len(pdf.pages) == PAGES
        meta = pdf.open_metadata()
        assert (meta.get("pdfaid:part"), meta.get("pdfaid:conformance")) == ("2", "B")
    text = fold(pdf_text(path.read_bytes()))
    for expected in texts:
        assert fold(expected) in text


def minutes_figures(text: str) -> dict[str, str]:
    figures = {}
    for label in (
        "Số hồ sơ",
        "Số văn bản",
        "Số tờ theo phiếu tin",
        "Số trang theo phiếu tin (đếm thực tế)",
        "Số trang đã số hóa",
        "Số bản sao đã xác minh SHA-256",
    ):
        start = text.index(f"{label}: ") + len(label) + 2
        figures[label] = text[start:].split(" ", 1)[0]
    return figures


# -- the tests ------------------------------------------------------------------------------------------


def test_one_file_from_the_plan_to_the_handover(walk, institution, fonds, archive_file_factory, copy_root) -> None:  # type: ignore[no-untyped-def]
    # the inventory guessed 4 pages; the worksheet will count 3
    archive_file = archive_file_factory(1995, "01.QH", number_of_paper=SHEETS, number_of_page=4)
    project = walk.plan(institution, fonds, [archive_file])
    item = project.items.get()
    assert item.state == State.DA_DUYET and item.priority == 30 + 8 + 6

    item = walk.off_the_shelf_to_cataloguing(item)
    assert custody_selectors.current_place(item) == Place.BIEN_MUC
    with pytest.raises(WorkflowError, match="đề án chưa ban hành hướng dẫn biên mục"):
        walk.write_sheets(item, 1)
    walk.guideline(project)
    item = walk.catalogue(item, 1, with_correction=True)
    assert item.round == 1
    item = walk.key(item, 1, slip=True)
    item = walk.entry_check_to_scanning(item)
    assert item.state == State.SO_HOA
    # the verified worksheet reached the archive when the entry check passed: 3 pages, not the inventory's 4
    assert ArchiveFile.objects.get(pk=item.file_id).number_of_page == PAGES

    item = walk.scan(item)
    # the pages are searchable as soon as they are processed, before they are linked to documents
    assert search_pages(user=walk.admin, query="Quyết định trang").total == PAGES
    item = walk.qc_pass_and_link(item)
    item = walk.reshelve(item)
    assert custody_selectors.current_place(item) == Place.TREN_GIA

    inspection.plan_save(project=project, by=walk.planner, passes=[100, 10], max_error_rate=10)
    batch = inspection.inspection_start(project=project, inspector=walk.inspector, pass_number=1)
    report = inspection.inspection_close(inspection=batch, by=walk.inspector, conclusion="Đạt.")
    assert report.passed and (report.batch_size, report.sample_size, report.pages_sampled) == (1, 1, PAGES)
    item.refresh_from_db()
    assert item.state == State.SAO_CHEP

    runs = walk.copy_twice(project, copy_root, [item])
    item = workflow.transition(item=item, target=State.NGHIEM_THU, actor=walk.contractor)
    acceptance = pdf_text(handover_documents.minutes_pdf(project=project, kind=handover_selectors.ACCEPTANCE))
    with pytest.raises(WorkflowError, match="chưa lập được biên bản bàn giao"):
        handover_documents.minutes_pdf(project=project, kind=handover_selectors.HANDOVER)
    item = workflow.transition(item=item, target=State.BAN_GIAO, actor=walk.approver)
    handover_text = pdf_text(handover_documents.minutes_pdf(project=project, kind=handover_selectors.HANDOVER))

    # the state and who did every step
    item.refresh_from_db()
    assert item.state == State.BAN_GIAO and item.assignee is None
    correction = [
        (State.KIEM_TRA_BIEN_MUC, State.SUA_LOI_BIEN_MUC, "checker"),
        (State.SUA_LOI_BIEN_MUC, State.KIEM_TRA_BIEN_MUC, "cataloguer"),
    ]
    assert steps_of(item) == STRAIGHT[:4] + correction + STRAIGHT[4:]
    log = WorkflowEvent.objects.filter(project=project)
    assert set(log.filter(action="sao_chep").values_list("actor__username", flat=True)) == {"contractor"}
    assert log.filter(action="chon_ho_so", actor=walk.planner).exists()
    assert log.filter(action="phe_duyet_de_an", actor=walk.approver).exists()
    assert list(
        custody_selectors.history(item).order_by("at", "id").values_list("kind", "sheets_counted", "actor__username")
    ) == [(kind, SHEETS, "planner") for kind in ("lay_khoi_gia", "giao_bien_muc", "giao_so_hoa", "hoan_tra", "len_gia")]

    # the archive of record, written from the verified worksheets, and the PDF/A
    archive_file = assert_archive_written(item, 1)
    assert_pdfa(archive_file, "Quyết định trang 1", "Quyết định trang 3")
    # a reader granted the fonds finds the public document's page, never the secret document's pages
    FondsGrant.objects.create(user=walk.outsider, fonds=fonds)
    found = search_pages(user=walk.outsider, query="Quyết định trang")
    assert sorted(hit.page_no for hit in found.hits) == [1]
    assert search_pages(user=walk.admin, query="Quyết định trang").total == PAGES
    resolved = CheckError.objects.get(report__stage=CheckReport.Stage.ENTRY)
    assert (resolved.worker, resolved.value, resolved.fixed_value) == (walk.keyer2, "17", "11")

    # the minutes and the dossier
    expected = {
        "Số hồ sơ": "1",
        "Số văn bản": "2",
        "Số tờ theo phiếu tin": str(SHEETS),
        "Số trang theo phiếu tin (đếm thực tế)": str(PAGES),
        "Số trang đã số hóa": str(PAGES),
        "Số bản sao đã xác minh SHA-256": "2",
    }
    assert minutes_figures(acceptance) == expected and "BIÊN BẢN NGHIỆM THU SẢN PHẨM SỐ HÓA" in acceptance
    assert minutes_figures(handover_text) == expected and "BIÊN BẢN BÀN GIAO SẢN PHẨM SỐ HÓA" in handover_text
    for run in runs:
        assert run.manifest_sha256 in acceptance.replace(" ", "")
    bundle = zipfile.ZipFile(io.BytesIO(handover_documents.dossier_zip(project=project)))
    names = set(bundle.namelist())
    assert {
        f"{project.code}/03-bien-ban-nghiem-thu.pdf",
        f"{project.code}/04-bien-ban-ban-giao.pdf",
        f"{project.code}/06-nhat-ky.csv",
    } <= names
    assert len([n for n in names if n.startswith(f"{project.code}/05-sao-chep/")]) == 2

    # the dashboard: counted pages come from the worksheet, never overwrite the estimate
    board = workflow_selectors.dashboard(project=project)
    assert (board.files, board.files_done, board.percent_done) == (1, 1, 100.0)
    assert (board.pages_estimated, board.pages_counted, board.pages_scanned) == (250, PAGES, PAGES)
    assert (board.pages_qc_failed, board.pages_rescan, board.cost_to_date) == (0, 0, PAGES * 4384)
    throughput = {(row["user"], row["step"]): row["steps"] for row in board.throughput}
    assert throughput == {
        ("planner", State.DA_DUYET.label): 1,
        ("planner", State.XUAT_KHO.label): 1,
        ("cataloguer", State.BIEN_MUC.label): 1,
        ("checker", State.KIEM_TRA_BIEN_MUC.label): 2,
        ("cataloguer", State.SUA_LOI_BIEN_MUC.label): 1,
        ("keyer", State.NHAP_LIEU.label): 1,
        ("checker", State.KIEM_TRA_NHAP.label): 1,
        ("scanner", State.SO_HOA.label): 1,
        ("inspector", State.KIEM_TRA_CHAT_LUONG.label): 1,
        ("keyer", State.LIEN_KET.label): 1,
        ("checker", State.KIEM_TRA_LIEN_KET.label): 1,
        ("planner", State.HOAN_KHO.label): 1,
        ("inspector", State.KIEM_TRA_SAN_PHAM.label): 1,
        ("contractor", State.SAO_CHEP.label): 1,
        ("approver", State.NGHIEM_THU.label): 1,
    }


def test_a_batch_of_three_with_a_rescan_and_a_product_correction(  # type: ignore[no-untyped-def]
    walk, institution, fonds, archive_file_factory, copy_root
) -> None:
    files = [archive_file_factory(1995, f"{n:02d}.QH", number_of_paper=SHEETS, number_of_page=PAGES) for n in (1, 2, 3)]
    project = walk.plan(institution, fonds, files)
    items = list(project.items.select_related("file").order_by("file__file_code"))
    rescanned, corrected, straight = items
    number = {item.pk: n for n, item in enumerate(items, start=1)}
    walk.guideline(project)

    items = [walk.off_the_shelf_to_cataloguing(item) for item in items]
    items = [walk.catalogue(item, number[item.pk]) for item in items]
    items = [walk.key(item, number[item.pk], slip=item.pk == straight.pk) for item in items]
    items = [walk.entry_check_to_scanning(item) for item in items]
    items = [walk.scan(item) for item in items]
    rescanned, corrected, straight = items

    # QC: page 2 of the first file is skewed and rescanned; the rejected scan stays in the history
    old_original = Page.objects.get(file_id=rescanned.file_id, number=2).original_id
    old_pdf = ArchiveFile.objects.get(pk=rescanned.file_id).pdf_id
    rescanned = walk.qc_reject_and_rescan(rescanned)
    history = ScanHistory.objects.get(item=rescanned)
    assert (history.page.number, history.old_original_id, history.reason) == (2, old_original, "Nghiêng: Lệch lề trái")
    assert (history.rejected_by, history.replaced_by) == (walk.inspector, walk.scanner)
    assert ArchiveFile.objects.get(pk=rescanned.file_id).pdf_id != old_pdf  # the PDF/A was rebuilt
    items = [walk.qc_pass_and_link(item) for item in (rescanned, corrected, straight)]
    items = [walk.reshelve(item) for item in items]
    rescanned, corrected, straight = items

    # product inspection: pass 1 looks at every file and finds a blurred page in the second
    inspection.plan_save(project=project, by=walk.planner, passes=[100, 10], max_error_rate=10)
    first = inspection.inspection_start(project=project, inspector=walk.inspector, pass_number=1)
    finding = inspection.finding_record(
        inspection=first,
        item=corrected,
        error_class=ErrorClass.objects.get(code="anh_mo"),
        by=walk.inspector,
        page_number=3,
        note="Trang 3 mờ, không đọc được số văn bản",
    )
    assert finding.worker == walk.scanner
    report = inspection.inspection_close(inspection=first, by=walk.inspector, conclusion="Quét lại trang 3.")
    assert not report.passed and (report.sample_size, report.files_with_errors) == (3, 1)
    for item in items:
        item.refresh_from_db()
    assert [item.state for item in items] == [State.SAO_CHEP, State.SUA_LOI, State.SAO_CHEP]

    # the paper goes out again, page 3 is rescanned, the paper comes back, the contractor reports the fix
    corrected.refresh_from_db()
    task = CorrectionTask.objects.get(item=corrected)
    assert "còn 1 yêu cầu sửa lỗi chưa được đánh dấu «đã sửa»" in refused(
        corrected, State.KIEM_TRA_SAN_PHAM, walk.contractor
    )
    walk.move(corrected, Kind.LAY_KHOI_GIA, "Nơi giao nhận tầng 1")
    walk.move(corrected, Kind.GIAO_BIEN_MUC, "Tổ biên mục")
    walk.move(corrected, Kind.GIAO_SO_HOA, "Tổ số hóa")
    rescan = walk.tmp / "sua-loi-trang-3.jpg"
    rescan.write_bytes(page_jpeg("Sửa lỗi trang 3"))
    with walk.capture(execute=True):
        scanning.page_rescan(
            item=corrected, number=3, operator=walk.scanner, path=rescan, name=rescan.name, reason=finding.note
        )
    with pytest.raises(WorkflowError, match="đã được lấy ra để sửa lỗi và chưa được đưa trở lại giá"):
        inspection.correction_mark_fixed(task=task, by=walk.contractor, note="Đã quét lại trang 3")
    walk.move(corrected, Kind.HOAN_TRA, "Bộ phận bảo quản")
    walk.move(corrected, Kind.LEN_GIA, "Kho lưu trữ, giá 2/14")
    inspection.correction_mark_fixed(task=task, by=walk.contractor, note="Đã quét lại trang 3")
    second = inspection.inspection_start(project=project, inspector=walk.inspector, pass_number=2)
    report = inspection.inspection_close(inspection=second, by=walk.inspector)
    assert report.passed and report.verifications == 1
    assert Inspection.objects.filter(project=project, status=Inspection.Status.CLOSED).count() == 2
    for item in items:
        item.refresh_from_db()
    assert {item.state for item in items} == {State.SAO_CHEP}

    runs = walk.copy_twice(project, copy_root, items)
    items = [walk.accept(item) for item in items]
    rescanned, corrected, straight = items

    # states and who did every step, loops included
    assert {item.state for item in items} == {State.BAN_GIAO}
    rescan_loop = [
        (State.KIEM_TRA_CHAT_LUONG, State.SO_HOA_LAI, "inspector"),
        (State.SO_HOA_LAI, State.KIEM_TRA_CHAT_LUONG, "scanner"),
    ]
    correction_loop = [
        (State.KIEM_TRA_SAN_PHAM, State.SUA_LOI, "inspector"),
        (State.SUA_LOI, State.KIEM_TRA_SAN_PHAM, "contractor"),
    ]
    assert steps_of(rescanned) == STRAIGHT[:8] + rescan_loop + STRAIGHT[8:]
    assert steps_of(corrected) == STRAIGHT[:12] + correction_loop + STRAIGHT[12:]
    assert steps_of(straight) == STRAIGHT

    # the archive records, the PDF/A with the rescanned pages
    for item in items:
        assert_archive_written(item, number[item.pk])
    assert_pdfa(ArchiveFile.objects.get(pk=rescanned.file_id), "Quét lại trang 2")
    assert_pdfa(ArchiveFile.objects.get(pk=corrected.file_id), "Sửa lỗi trang 3")
    assert list(ScanHistory.objects.filter(item=corrected).values_list("page__number", "reason")) == [
        (3, "Trang 3 mờ, không đọc được số văn bản")
    ]

    # the minutes, and the dossier
    expected = {
        "Số hồ sơ": "3",
        "Số văn bản": "6",
        "Số tờ theo phiếu tin": str(3 * SHEETS),
        "Số trang theo phiếu tin (đếm thực tế)": str(3 * PAGES),
        "Số trang đã số hóa": str(3 * PAGES),
        "Số bản sao đã xác minh SHA-256": "2",
    }
    for kind in (handover_selectors.ACCEPTANCE, handover_selectors.HANDOVER):
        text = pdf_text(handover_documents.minutes_pdf(project=project, kind=kind))
        assert minutes_figures(text) == expected
        for item in items:
            assert item.file.file_code in text.replace(" ", "")
    bundle = zipfile.ZipFile(io.BytesIO(handover_documents.dossier_zip(project=project)))
    manifests = sorted(n for n in bundle.namelist() if n.startswith(f"{project.code}/05-sao-chep/"))
    assert [bundle.read(name).decode() for name in manifests] == [run.manifest for run in runs]

    # the dashboard
    board = workflow_selectors.dashboard(project=project)
    assert (board.files, board.files_done) == (3, 3)
    assert (board.pages_estimated, board.pages_counted, board.pages_scanned) == (250, 3 * PAGES, 3 * PAGES)
    assert (board.pages_qc_failed, board.pages_rescan) == (0, 0)
    throughput = {(row["user"], row["step"]): row["steps"] for row in board.throughput}
    assert throughput[("scanner", State.SO_HOA.label)] == 3
    assert throughput[("scanner", State.SO_HOA_LAI.label)] == 1
    assert throughput[("inspector", State.KIEM_TRA_CHAT_LUONG.label)] == 4
    assert throughput[("inspector", State.KIEM_TRA_SAN_PHAM.label)] == 4
    assert throughput[("contractor", State.SUA_LOI.label)] == 1
    assert throughput[("approver", State.NGHIEM_THU.label)] == 3
    assert sum(throughput.values()) == 3 * (len(STRAIGHT) - 1) + 4
    assert scanning_selectors.rescan_tasks(rescanned) == []
    assert cataloguing_selectors.open_errors(item=straight, stage=CheckReport.Stage.ENTRY).count() == 0


def test_acceptance_refused_for_a_bad_page_needs_new_copies_of_the_corrected_product(  # type: ignore[no-untyped-def]
    walk, institution, fonds, archive_file_factory, copy_root
) -> None:
    archive_file = archive_file_factory(1995, "01.QH", number_of_paper=SHEETS, number_of_page=PAGES)
    project = walk.plan(institution, fonds, [archive_file])
    walk.guideline(project)
    item = walk.off_the_shelf_to_cataloguing(project.items.get())
    item = walk.entry_check_to_scanning(walk.key(walk.catalogue(item, 2), 2, slip=False))
    item = walk.reshelve(walk.qc_pass_and_link(walk.scan(item)))
    inspection.plan_save(project=project, by=walk.planner, passes=[100, 10], max_error_rate=10)
    inspection.inspection_close(
        inspection=inspection.inspection_start(project=project, inspector=walk.inspector, pass_number=1),
        by=walk.inspector,
    )
    item.refresh_from_db()
    old_runs = walk.copy_twice(project, copy_root, [item])
    item = workflow.transition(item=item, target=State.NGHIEM_THU, actor=walk.contractor)

    # the approving archivist finds page 2 cropped and refuses; the page is rescanned from the paper
    item = workflow.transition(
        item=item, target=State.SUA_LOI, actor=walk.approver, note="Trang 2 bị cắt mất lề phải, quét lại."
    )
    for kind, receiver in [(Kind.LAY_KHOI_GIA, "Nơi giao nhận"), (Kind.GIAO_BIEN_MUC, "Tổ biên mục")]:
        walk.move(item, kind, receiver)
    walk.move(item, Kind.GIAO_SO_HOA, "Tổ số hóa")
    rescan = walk.tmp / "trang-2-du-le.jpg"
    rescan.write_bytes(page_jpeg("Quét lại đủ lề trang 2"))
    with walk.capture(execute=True):
        scanning.page_rescan(item=item, number=2, operator=walk.scanner, path=rescan, name=rescan.name)
    walk.move(item, Kind.HOAN_TRA, "Bộ phận bảo quản")
    walk.move(item, Kind.LEN_GIA, "Kho lưu trữ")
    item = workflow.transition(item=item, target=State.KIEM_TRA_SAN_PHAM, actor=walk.contractor)
    second = inspection.inspection_start(project=project, inspector=walk.inspector, pass_number=2)
    assert second.batch.get().verification  # a corrected file is always looked at again
    inspection.inspection_close(inspection=second, by=walk.inspector)
    item.refresh_from_db()
    assert item.state == State.SAO_CHEP

    # the copies made before the rescan hold the old page and the old PDF/A: they no longer count
    assert handover.verified_copies(item) == []
    assert "mới có 0 bản sao đã xác minh" in refused(item, State.NGHIEM_THU, walk.contractor)
    targets = [run.target for run in old_runs]
    new_runs = [handover.copy_product(target=target, items=[item], by=walk.contractor) for target in targets]
    assert [run.pk for run in handover.verified_copies(item)] == [run.pk for run in new_runs]
    item = walk.accept(item)
    assert item.state == State.BAN_GIAO
    text = pdf_text(handover_documents.minutes_pdf(project=project, kind=handover_selectors.ACCEPTANCE))
    squeezed = text.replace(" ", "")
    assert minutes_figures(text)["Số bản sao đã xác minh SHA-256"] == "2"  # the stale copies are not listed
    assert all(run.manifest_sha256 in squeezed for run in new_runs)
    assert not any(run.manifest_sha256 in squeezed for run in old_runs)
    assert_pdfa(ArchiveFile.objects.get(pk=item.file_id), "Quét lại đủ lề trang 2")
