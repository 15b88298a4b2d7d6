"""Creating the archive of record with TT 05/2025 rules enforced in Vietnamese."""

from datetime import date

import pytest

from khoso.archive.models import Document, Page, Vocabulary
from khoso.archive.services import document_create, document_update, file_create, file_rules, file_update
from khoso.core.errors import CodeFormatError, ValidationError

pytestmark = pytest.mark.django_db


def _file_fields(**overrides):  # type: ignore[no-untyped-def]
    fields = dict(
        file_catalog=1996,
        file_notation="02.TH",
        title="Hồ sơ hội nghị",
        mode="01",
        language="01",
        start_date=date(1996, 2, 1),
        end_date=date(1996, 3, 1),
        description="Người lập: Trần Thị B",
    )
    fields.update(overrides)
    return fields


def test_vocabularies_are_data_loaded_by_migration() -> None:
    assert Vocabulary.objects.filter(kind="typeName").count() == 32
    assert Vocabulary.objects.get(kind="typeName", code="22").label_vi == "Công văn"
    assert Vocabulary.objects.get(kind="mode", code="03").label_vi == "Mật"
    assert Vocabulary.objects.filter(kind="language").count() == 11


def test_file_code_is_built_from_the_fonds_agency(fonds) -> None:  # type: ignore[no-untyped-def]
    archive_file = file_create(fonds=fonds, **_file_fields())
    assert archive_file.file_code == "000.00.00.H15.1996.02.TH"
    assert archive_file.maintenance == "01"


def test_unknown_code_names_the_vocabulary(fonds) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as caught:
        file_create(fonds=fonds, **_file_fields(mode="09"))
    assert "Chế độ sử dụng" in caught.value.message and "01, 02, 03" in caught.value.message


def test_mandatory_fields_and_lengths_are_enforced(fonds) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as caught:
        file_create(fonds=fonds, **_file_fields(title="", description=""))
    assert "Tiêu đề hồ sơ" in caught.value.message
    with pytest.raises(ValidationError, match="Tiêu đề hồ sơ"):
        file_create(fonds=fonds, **_file_fields(title="x" * 1001))


def test_digitized_file_needs_paper_file_code(fonds) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError, match="Mã hồ sơ gốc giấy"):
        file_create(fonds=fonds, **_file_fields(confidence_level="02"))
    with pytest.raises(CodeFormatError):
        file_create(fonds=fonds, **_file_fields(confidence_level="02", paper_file_code="sai"))
    archive_file = file_create(fonds=fonds, **_file_fields(confidence_level="02", paper_file_code="H15.2/14/105.27"))
    assert archive_file.paper_file_code == "H15.2/14/105.27"


def test_risk_recovery_status_required_when_backed_up(fonds) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError, match="Tình trạng dự phòng"):
        file_create(fonds=fonds, **_file_fields(risk_recovery=True))


def test_dates_must_be_ordered(fonds) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError, match="bắt đầu"):
        file_create(fonds=fonds, **_file_fields(start_date=date(1997, 1, 1)))


def test_wrong_given_file_code_is_rejected(fonds) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(CodeFormatError):
        file_create(fonds=fonds, file_code="H15.ABC", **_file_fields())


def test_text_is_normalised_to_nfc(fonds) -> None:  # type: ignore[no-untyped-def]
    archive_file = file_create(fonds=fonds, **_file_fields(title="Ho\u0302\u0300 so\u031b"))
    assert archive_file.title == "Hồ sơ"


def test_documents_get_sequential_doc_codes(archive_file) -> None:  # type: ignore[no-untyped-def]
    fields = dict(
        type_name="02",
        issued_date=date(1995, 5, 1),
        organ_name="UBND tỉnh Đắk Lắk",
        subject="Quyết định phê duyệt quy hoạch",
        number_of_page=3,
    )
    first = document_create(archive_file=archive_file, **fields)
    second = document_create(archive_file=archive_file, **fields)
    assert first.doc_code == f"{archive_file.file_code}.0000001"
    assert second.doc_id == f"{archive_file.file_code}.2"
    archive_file.refresh_from_db()
    assert archive_file.total_doc == 2
    with pytest.raises(ValidationError, match="Tên loại tài liệu"):
        document_create(archive_file=archive_file, **{**fields, "type_name": "99"})


def test_update_cannot_change_the_code(archive_file) -> None:  # type: ignore[no-untyped-def]
    code = archive_file.file_code
    updated = file_update(archive_file=archive_file, file_code="X.1.1.1", title="Tiêu đề mới")
    assert updated.file_code == code and updated.title == "Tiêu đề mới"


def test_file_rules_name_every_broken_rule_on_its_field() -> None:
    problems = file_rules(
        {
            "start_date": "1997-01-01",  # a worksheet's ISO date, or a date object
            "end_date": date(1996, 3, 1),
            "confidence_level": "02",
            "risk_recovery": True,
        }
    )
    assert problems == {
        "end_date": "phải sau hoặc bằng thời gian bắt đầu",
        "paper_file_code": "bắt buộc với hồ sơ số hóa (mức độ tin cậy 02, TT 05/2025)",
        "risk_recovery_status": "bắt buộc khi Chế độ dự phòng = 1 (TT 05/2025)",
    }
    assert "sai quy tắc" in file_rules({"paper_file_code": "sai"})["paper_file_code"]
    assert file_rules(_file_fields(confidence_level="02", paper_file_code="H15.2/14/105.27")) == {}


def test_document_update_checks_the_rules_and_keeps_the_codes(archive_file) -> None:  # type: ignore[no-untyped-def]
    document = document_create(
        archive_file=archive_file,
        type_name="02",
        issued_date=date(1995, 5, 1),
        organ_name="UBND tỉnh Đắk Lắk",
        subject="Quyết định phê duyệt quy hoạch",
        number_of_page=3,
    )
    code = document.doc_code
    updated = document_update(
        document=document, doc_code="X", ordinal=9, subject="Quyết định phe\u0302 duyệt", language="01, 02"
    )
    assert (updated.doc_code, updated.ordinal) == (code, 1)
    assert updated.subject == "Quyết định phê duyệt" and updated.language == "01,02"
    with pytest.raises(ValidationError, match="Tên loại tài liệu"):
        document_update(document=updated, type_name="99")
    with pytest.raises(ValidationError, match="Tình trạng dự phòng"):
        document_update(document=updated, risk_recovery=True)
    assert Document.objects.get(pk=document.pk).type_name == "02"


def test_a_document_whose_access_mode_changes_is_searched_under_the_new_one(archive_file) -> None:  # type: ignore[no-untyped-def]
    from khoso.search.models import IndexChange
    from khoso.storage.services import object_put_bytes

    document = document_create(
        archive_file=archive_file,
        type_name="02",
        issued_date=date(1995, 5, 1),
        organ_name="UBND tỉnh Đắk Lắk",
        subject="Quyết định phê duyệt quy hoạch",
        number_of_page=1,
    )
    original = object_put_bytes(data=b"trang 1", mime="image/jpeg")
    page = Page.objects.create(file=archive_file, document=document, number=1, original=original, original_name="1.jpg")
    document_update(document=document, subject="Quyết định khác")  # the document's own entry only
    assert not IndexChange.objects.filter(document_id=document.pk, cascade=True).exists()
    from django.contrib.auth.models import User

    from khoso.access import services as access

    proposer, confirmer = (User.objects.create_superuser(name) for name in ("de-nghi", "xac-nhan"))
    change = access.propose_document_access(document=document, mode="03", reason="Mật", by=proposer)
    access.confirm(change=change, by=confirmer)  # four-eyes (NĐ 30 PL VI); reaches its pages (page.pk) too
    assert IndexChange.objects.filter(document_id=document.pk, cascade=True).exists()
    assert page.document_id == document.pk
