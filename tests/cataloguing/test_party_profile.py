"""Worksheets of a Party archive (HD 40-HD/VPTW): the document sheet asks for người ký, độ mật, loại bản,
số lượng tệp and chuyên đề, checks them like the TT 05 fields, and the entry pass writes them."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from khoso.archive.models import Document
from khoso.archive.profiles import PARTY
from khoso.archive.services import document_create, fonds_set_party_group, institution_set_profile
from khoso.cataloguing import selectors, services
from khoso.cataloguing.fields import DOCUMENT, DOCUMENT_FIELDS, FILE, fields_of
from khoso.cataloguing.forms import SheetForm
from khoso.core.errors import WorkflowError
from khoso.workflow import services as workflow
from khoso.workflow.states import State

pytestmark = pytest.mark.django_db

PARTY_FIELDS = ("signer", "secret_class", "original_status", "number_of_files", "topic")


def file_sheet(total_doc: int = 1) -> dict[str, Any]:
    return dict(
        title="Hồ sơ hội nghị Ban Chấp hành Đảng bộ tỉnh năm 1995",
        maintenance="01",
        mode="01",
        language="01",
        start_date=date(1995, 1, 5),
        end_date=date(1995, 12, 20),
        total_doc=total_doc,
        number_of_paper=4,
        number_of_page=6,
        format="01",
        risk_recovery=False,
        description="Người lập hồ sơ: Văn phòng Tỉnh ủy",
    )


def document_sheet(ordinal: int, **overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = dict(
        type_name="01",
        code_number=f"{ordinal:02d}",
        code_notation="NQ/TU",
        issued_date=date(1995, 3, ordinal),
        organ_name="Ban Chấp hành Đảng bộ tỉnh",
        subject=f"Nghị quyết số {ordinal} về công tác xây dựng Đảng",
        maintenance="01",
        language="01",
        number_of_page=3,
        mode="01",
        risk_recovery=False,
        signer="Nguyễn Văn A",
        secret_class="",
        original_status="chinh",
        number_of_files=1,
        topic="Xây dựng Đảng",
    )
    values.update(overrides)
    return values


@pytest.fixture
def party_item(item):  # type: ignore[no-untyped-def]
    fonds = item.file.fonds
    fonds_set_party_group(fonds=fonds, party_group="02")
    institution_set_profile(institution=fonds.institution, profile=PARTY)
    return item


def test_a_party_document_sheet_asks_for_the_party_fields(party_item, people) -> None:  # type: ignore[no-untyped-def]
    form = SheetForm(kind=DOCUMENT, profile=PARTY)
    assert [name for name in form.fields if name in PARTY_FIELDS] == list(PARTY_FIELDS)
    copy_type = form.fields["original_status"]
    assert copy_type.label == "Loại bản" and copy_type.required
    assert ("chinh", "chinh – Bản chính") in copy_type.choices  # type: ignore[attr-defined]

    cataloguer = people["cataloguer"]
    services.worksheet_save(item=party_item, by=cataloguer, values=file_sheet())
    with pytest.raises(services.WorksheetInvalid) as missing:
        services.worksheet_save(
            item=party_item, by=cataloguer, values=document_sheet(1, original_status=""), kind=DOCUMENT, ordinal=1
        )
    assert missing.value.problems == {"original_status": "bắt buộc (HD 40-HD/VPTW)"}
    assert "Loại bản: bắt buộc" in missing.value.message
    with pytest.raises(services.WorksheetInvalid) as wrong:
        services.worksheet_save(
            item=party_item,
            by=cataloguer,
            values=document_sheet(1, secret_class="rat_mat", number_of_files=10_000),
            kind=DOCUMENT,
            ordinal=1,
        )
    assert set(wrong.value.problems) == {"secret_class", "number_of_files"}
    sheet = services.worksheet_save(item=party_item, by=cataloguer, values=document_sheet(1), kind=DOCUMENT, ordinal=1)
    assert sheet.data["signer"] == "Nguyễn Văn A" and sheet.data["original_status"] == "chinh"


def test_a_state_document_sheet_is_the_tt05_one(item) -> None:  # type: ignore[no-untyped-def]
    assert fields_of(DOCUMENT) == DOCUMENT_FIELDS
    assert not set(PARTY_FIELDS) & set(SheetForm(kind=DOCUMENT).fields)


def _to_entry_check(item, people, put_in_state):  # type: ignore[no-untyped-def]
    """Catalogue, check, key once and compare the item's two sheets."""
    services.worksheet_save(item=item, by=people["cataloguer"], values=file_sheet())
    services.worksheet_save(item=item, by=people["cataloguer"], values=document_sheet(1), kind=DOCUMENT, ordinal=1)
    item = put_in_state(item, State.NHAP_LIEU, people["checker"])
    for sheet in selectors.sheets_of(item=item):
        values = file_sheet() if sheet.kind == FILE else document_sheet(sheet.ordinal)
        services.keying_save(worksheet=sheet, by=people["keyer"], values=values)
    item = workflow.transition(item=item, target=State.KIEM_TRA_NHAP, actor=people["keyer"])
    services.check_start(item=item, by=people["checker"])
    return item


def test_verified_party_values_reach_the_archive(party_item, people, put_in_state) -> None:  # type: ignore[no-untyped-def]
    item = _to_entry_check(party_item, people, put_in_state)
    assert workflow.transition(item=item, target=State.SO_HOA, actor=people["checker"]).state == State.SO_HOA
    document = Document.objects.get(file=item.file, ordinal=1)
    assert (document.signer, document.original_status, document.number_of_files, document.topic) == (
        "Nguyễn Văn A",
        "chinh",
        1,
        "Xây dựng Đảng",
    )


def test_a_sheet_does_not_change_an_existing_documents_secret_class(party_item, people, put_in_state) -> None:  # type: ignore[no-untyped-def]
    document_create(archive_file=party_item.file, ordinal=1, **{**document_sheet(1), "secret_class": "mat"})
    item = _to_entry_check(party_item, people, put_in_state)
    with pytest.raises(WorkflowError) as refused:
        workflow.transition(item=item, target=State.SO_HOA, actor=people["checker"])
    assert "độ mật của tài liệu số 1 trên phiếu tin khác độ mật đang lưu" in refused.value.message
    assert Document.objects.get(file=item.file, ordinal=1).secret_class == "mat"
