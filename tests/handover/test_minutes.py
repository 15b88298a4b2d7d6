"""Acceptance and handover minutes with their totals, and the project dossier."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from khoso.archive.services import document_create
from khoso.core.errors import WorkflowError
from khoso.core.printing import pdf_plain_text as pdf_text
from khoso.handover import documents, selectors, services
from khoso.workflow.models import Contractor
from khoso.workflow.services import transition

pytestmark = pytest.mark.django_db


@pytest.fixture
def accepted(at_copy_step, two_targets, people):  # type: ignore[no-untyped-def]
    """Three files copied twice and moved to NGHIEM_THU; the first has two documents."""
    project = two_targets[0].project
    project.contractor = Contractor.objects.create(
        name="Công ty Cổ phần Số hóa Tây Nguyên", tax_code="6000123456", licence="GP-15/2024"
    )
    project.save(update_fields=["contractor"])
    for ordinal in (1, 2):
        document_create(
            archive_file=at_copy_step[0].file,
            type_name="02",
            issued_date=date(1995, 3, ordinal),
            organ_name="UBND tỉnh Đắk Lắk",
            subject=f"Quyết định số {ordinal} về quy hoạch",
            number_of_page=3,
        )
    runs = [services.copy_product(target=t, items=at_copy_step, by=people["contractor"]) for t in two_targets]
    for item in at_copy_step:
        transition(item=item, target="NGHIEM_THU", actor=people["contractor"])
    project.refresh_from_db()
    return project, at_copy_step, runs


def test_the_acceptance_minutes_carry_the_totals_copies_and_files(accepted) -> None:  # type: ignore[no-untyped-def]
    project, items, runs = accepted
    totals = selectors.minutes_totals(project=project, items=items)
    assert (totals.files, totals.documents, totals.sheets, totals.pages_counted, totals.pages_scanned) == (
        3,
        2,
        12,
        18,
        6,
    )
    assert totals.pages_estimated == 62_500 and totals.cost_scanned == 6 * 4384
    assert [run.pk for run in totals.copies] == [run.pk for run in runs]

    text = pdf_text(documents.minutes_pdf(project=project, kind=selectors.ACCEPTANCE))
    assert "BIÊN BẢN NGHIỆM THU SẢN PHẨM SỐ HÓA" in text
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert f"Hôm nay, ngày {timezone.localdate():%d/%m/%Y}" in text
    assert "Căn cứ quyết định phê duyệt QĐ 12/QĐ-TTLT ngày" in text
    assert "Công ty Cổ phần Số hóa Tây Nguyên, mã số thuế 6000123456, giấy phép GP-15/2024" in text
    for label, value in [
        ("Số hồ sơ", "3"),
        ("Số văn bản", "2"),
        ("Số tờ theo phiếu tin", "12"),
        ("Số trang ước tính theo kế hoạch", "62.500"),
        ("Số trang theo phiếu tin (đếm thực tế)", "18"),
        ("Số trang đã số hóa", "6"),
        ("Số bản sao đã xác minh SHA-256", "2"),
    ]:
        assert f"{label}: {value}" in text
    squeezed = text.replace(" ", "")
    for run in runs:
        assert run.target.medium_id in squeezed
        assert run.manifest_sha256 in squeezed
    for item in items:
        assert item.file.file_code in squeezed
    assert "ĐẠI DIỆN ĐƠN VỊ THỰC HIỆN" in text and "ĐẠI DIỆN CƠ QUAN LƯU TRỮ" in text


def test_handover_minutes_wait_until_every_file_is_handed_over(accepted, people, put_in_state) -> None:  # type: ignore[no-untyped-def]
    project, items, _ = accepted
    with pytest.raises(WorkflowError) as refused:
        documents.minutes_pdf(project=project, kind=selectors.HANDOVER)
    assert refused.value.message.startswith(
        "Không thực hiện được bước này: chưa lập được biên bản bàn giao: 3 hồ sơ chưa ở bước "
        "«Đã nghiệm thu và bàn giao»: "
    )
    put_in_state(items[0], "BAN_GIAO", people["approver"])
    # a chosen batch of handed-over files can have its minutes now
    text = pdf_text(documents.minutes_pdf(project=project, kind=selectors.HANDOVER, item_ids=[items[0].pk]))
    assert "BIÊN BẢN BÀN GIAO SẢN PHẨM SỐ HÓA" in text and "Số hồ sơ: 1" in text
    assert "ĐẠI DIỆN BÊN GIAO" in text and "ĐẠI DIỆN BÊN NHẬN" in text
    for item in items[1:]:
        put_in_state(item, "BAN_GIAO", people["approver"])
    text = pdf_text(documents.minutes_pdf(project=project, kind=selectors.HANDOVER))
    assert "Số hồ sơ: 3" in text and "Số trang đã số hóa: 6" in text


def test_acceptance_minutes_are_refused_while_a_file_is_still_being_copied(  # type: ignore[no-untyped-def]
    at_copy_step, approved_project
) -> None:
    with pytest.raises(WorkflowError, match="chưa lập được biên bản nghiệm thu: 3 hồ sơ chưa ở bước «Nghiệm thu» hoặc"):
        documents.minutes_pdf(project=approved_project, kind=selectors.ACCEPTANCE)


def test_the_minutes_routes_print_or_explain(accepted, people, client) -> None:  # type: ignore[no-untyped-def]
    project, _, _ = accepted
    client.force_login(people["approver"])
    pdf = client.get(reverse("minutes_acceptance_pdf", args=[project.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    refused = client.get(reverse("minutes_handover_pdf", args=[project.pk]), follow=True)
    assert "chưa lập được biên bản bàn giao" in refused.content.decode()


def test_the_dossier_gathers_plan_list_minutes_manifests_and_log(accepted, people, put_in_state) -> None:  # type: ignore[no-untyped-def]
    project, items, runs = accepted
    for item in items:
        put_in_state(item, "BAN_GIAO", people["approver"])
    bundle = zipfile.ZipFile(io.BytesIO(documents.dossier_zip(project=project)))
    names = set(bundle.namelist())
    code = project.code
    assert {
        f"{code}/01-tom-tat-ke-hoach.pdf",
        f"{code}/02-danh-muc-ho-so.xlsx",
        f"{code}/02-danh-muc-ho-so.pdf",
        f"{code}/03-bien-ban-nghiem-thu.pdf",
        f"{code}/04-bien-ban-ban-giao.pdf",
        f"{code}/06-nhat-ky.csv",
    } <= names
    manifests = sorted(n for n in names if n.startswith(f"{code}/05-sao-chep/"))
    assert len(manifests) == 2
    assert bundle.read(manifests[0]).decode() == runs[0].manifest
    plan = pdf_text(bundle.read(f"{code}/01-tom-tat-ke-hoach.pdf"))
    assert "TÓM TẮT KẾ HOẠCH SỐ HÓA" in plan and "Số trang ước tính: 62.500" in plan
    log = list(csv.reader(io.StringIO(bundle.read(f"{code}/06-nhat-ky.csv").decode("utf-8-sig"))))
    assert log[0][:3] == ["Thời gian", "Người thực hiện", "Thao tác"]
    actions = [row[2] for row in log[1:]]
    assert "phe_duyet_de_an" in actions and actions.count("sao_chep") == 6


def test_the_dossier_of_an_unfinished_project_leaves_the_minutes_out(approved_project) -> None:  # type: ignore[no-untyped-def]
    names = zipfile.ZipFile(io.BytesIO(documents.dossier_zip(project=approved_project))).namelist()
    assert not any("bien-ban" in name for name in names)
    assert f"{approved_project.code}/06-nhat-ky.csv" in names
