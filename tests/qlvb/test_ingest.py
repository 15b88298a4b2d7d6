"""The QLVB ingest endpoint end to end: real token, real middleware, real archive services and object store.

Records follow NĐ 30/2020 Phụ lục VI; each test checks what the sending system reads (per-record status,
every broken rule in Vietnamese first) and what the archive holds afterwards (nothing, for a refusal).
"""

from __future__ import annotations

import base64
import hashlib
import json
import unicodedata
from typing import Any

import pytest
from django.test import Client
from qlvb_kit import FILE_CODE, LOG_URL, URL, file_entry, make_record, pdf_bytes  # tests/qlvb/conftest.py

from khoso.archive.models import Document, Page
from khoso.capture.models import Delivery
from khoso.qlvb.models import IngestRecord
from khoso.storage.services import object_store

pytestmark = pytest.mark.django_db


def _only(response: Any) -> dict[str, Any]:
    body = response.json()
    assert len(body["results"]) == 1
    return body["results"][0]


def _codes(result: dict[str, Any]) -> set[tuple[str, str]]:
    return {(error["code"], error["field"]) for error in result["errors"]}


def _nothing_archived() -> None:
    assert not Document.objects.exists()
    assert not Delivery.objects.exists()
    assert not Page.objects.exists()


# -- the happy path -----------------------------------------------------------------------------------


def test_record_lands_as_a_document_of_the_named_file_with_its_pages_and_a_log_row(  # type: ignore[no-untyped-def]
    post, agency_file, sender, queued_pages, django_capture_on_commit_callbacks
):
    data = pdf_bytes()
    with django_capture_on_commit_callbacks(execute=True):
        response = post(make_record(Files=[file_entry(data)]))

    assert response.status_code == 201, response.content
    result = _only(response)
    assert result["status"] == "created" and result["httpStatus"] == 201 and result["errors"] == []
    document = Document.objects.get()
    assert document.file == agency_file and document.ordinal == 1
    assert result["document"] == {
        "id": document.pk,
        "docId": f"{FILE_CODE}.1",
        "docCode": f"{FILE_CODE}.0000001",
        "ordinal": 1,
    }
    assert document.type_name == "02" and document.code_notation == "QĐ-UBND"
    assert document.issued_date.isoformat() == "2024-03-05"
    assert document.confidence_level == "01" and document.process is True
    assert document.mode == agency_file.mode and document.maintenance == agency_file.maintenance
    pages = list(Page.objects.filter(file=agency_file))
    assert len(pages) == 1 and pages[0].document == document and document.first_page == 1
    assert document.number_of_page == 1
    digest = hashlib.sha256(data).hexdigest()
    assert pages[0].qc["delivered_sha256"] == digest
    assert object_store().read_bytes(digest) == data, "the original is kept byte for byte"
    assert queued_pages == [pages[0].pk], "page tasks are queued on commit"
    log = IngestRecord.objects.get()
    assert (log.result, log.sent_by, log.document, log.organ_id, log.external_id) == (
        "created",
        sender,
        document,
        "000.00.00.H15",
        "QLVB-2024-000123",
    )
    assert log.file_digests == [digest] and len(log.content_digest) == 64
    assert "Content" not in json.dumps(log.metadata), "the log keeps digests, not the file bytes again"
    assert log.metadata["SignerInfo"] == {"Position": "Chủ tịch", "FullName": "Nguyễn Văn A"}
    agency_file.refresh_from_db()
    assert agency_file.total_doc == 1


def test_tasks_are_not_queued_before_the_commit(post, agency_file, queued_pages):  # type: ignore[no-untyped-def]
    response = post(make_record())  # the test's transaction never commits
    assert response.status_code == 201
    assert queued_pages == []


def test_multipart_files_and_type_names_and_tt05_field_names(  # type: ignore[no-untyped-def]
    token, agency_file, queued_pages
):
    data = pdf_bytes((200, 210, 220))
    record = make_record(TypeName="Quyet dinh", Files=None)
    record.pop("IssuedDate")
    record["issuedDate"] = "06/03/2024"  # TT 05 spelling of the element
    record["numberOfPage"] = 3
    record["Files"] = [{"Name": "van-ban.pdf", "Sha256": hashlib.sha256(data).hexdigest(), "Part": "tep1"}]
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = Client().post(
        URL,
        {"metadata": json.dumps({"records": [record]}), "tep1": SimpleUploadedFile("x.pdf", data, "application/pdf")},
        HTTP_AUTHORIZATION=f"Token {token}",
    )

    assert response.status_code == 201, response.content
    document = Document.objects.get()
    assert document.type_name == "02", "a type's Vietnamese name (with or without marks) maps to its TT 05 code"
    assert document.issued_date.isoformat() == "2024-03-06" and document.number_of_page == 3
    assert object_store().read_bytes(hashlib.sha256(data).hexdigest()) == data


# -- idempotency -----------------------------------------------------------------------------------


def test_the_same_record_twice_is_unchanged_with_the_existing_document(post, agency_file, queued_pages):  # type: ignore[no-untyped-def]
    first = _only(post(make_record()))
    response = post(make_record())

    assert response.status_code == 200, response.content
    again = _only(response)
    assert again["status"] == "unchanged" and again["httpStatus"] == 200 and again["errors"] == []
    assert again["document"] == first["document"]
    assert Document.objects.count() == 1 and Delivery.objects.count() == 1
    assert list(IngestRecord.objects.order_by("pk").values_list("result", flat=True)) == ["created", "unchanged"]


def test_the_same_identifier_with_other_content_is_refused_naming_the_rule(post, agency_file, queued_pages):  # type: ignore[no-untyped-def]
    _only(post(make_record()))
    document = Document.objects.get()
    response = post(make_record(Subject="Quyết định phê duyệt kế hoạch (bản sửa)"))

    assert response.status_code == 400, "every record of the request was refused"
    result = _only(response)
    assert result["status"] == "rejected" and result["httpStatus"] == 409
    assert _codes(result) == {("van_ban_da_luu_khac_noi_dung", "DocId")}
    message = result["errors"][0]["message"]
    assert "không được sửa đổi" in message and document.doc_code in message and "NĐ 30/2020" in message
    document.refresh_from_db()
    assert document.subject.endswith("năm 2024") and Document.objects.count() == 1
    changed_file = _only(post(make_record(Files=[file_entry(pdf_bytes((1, 2, 3)))])))
    assert changed_file["httpStatus"] == 409, "other file bytes are other content too"


def test_identifiers_are_per_agency(post, agency_file, fonds, sender, queued_pages):  # type: ignore[no-untyped-def]
    from khoso.archive.services import file_create

    other_agency = file_create(
        fonds=fonds,
        file_code="000.00.00.H49.2024.01.TH",
        title="Hồ sơ của cơ quan khác",
        mode="01",
        language="01",
        start_date="2024-01-01",
        end_date="2024-12-31",
        description="Người lập hồ sơ: C",
    )
    assert post(make_record()).status_code == 201
    assert post(make_record(FileCode=other_agency.file_code)).status_code == 201
    assert Document.objects.count() == 2


# -- bad records: every rule named, nothing written ---------------------------------------------------


BAD_RECORDS = {
    "required": ({"Subject": None}, ("truong_bat_buoc", "Subject"), "bắt buộc"),
    "bad date": ({"IssuedDate": "31/02/2024"}, ("ngay_khong_hop_le", "IssuedDate"), "DD/MM/YYYY"),
    "iso date": ({"IssuedDate": "2024-03-05"}, ("ngay_khong_hop_le", "IssuedDate"), "DD/MM/YYYY"),
    "future date": ({"IssuedDate": "01/01/2999"}, ("ngay_trong_tuong_lai", "IssuedDate"), "sau ngày nhận"),
    "unknown type": ({"TypeName": "99"}, ("ma_khong_co_trong_danh_muc", "TypeName"), "typeName"),
    "unknown mode": ({"Mode": "09"}, ("ma_khong_co_trong_danh_muc", "Mode"), "các mã hợp lệ: 01, 02, 03"),
    "unknown language": ({"Language": "01,77"}, ("ma_khong_co_trong_danh_muc", "Language"), "«77»"),
    "too long": ({"CodeNumber": "1" * 12}, ("qua_do_dai", "CodeNumber"), "tối đa 11"),
    "unknown field": ({"Subjet": "x"}, ("truong_khong_xac_dinh", "Subjet"), "NĐ 30/2020"),
    "process required": ({"Process": None}, ("truong_bat_buoc", "Process"), "gốc điện tử"),
    "bad boolean": ({"Process": "có"}, ("gia_tri_khong_hop_le", "Process"), "1 (có) hoặc 0"),
    "file code shape": ({"FileCode": "H15 2024"}, ("ma_sai_quy_tac", "FileCode"), "TT 05/2025"),
    "no file code": ({"FileCode": None}, ("truong_bat_buoc", "FileCode"), "bắt buộc"),
    "not in the Danh mục": (
        {"FileCode": "000.00.00.H15.2024.99.TH"},
        ("ho_so_khong_co_trong_danh_muc", "FileCode"),
        "Danh mục hồ sơ",
    ),
    "no files": ({"Files": None}, ("thieu_tep", "Files"), "ít nhất một tệp"),
    "digest mismatch": (
        {"Files": [file_entry(pdf_bytes(), Sha256="0" * 64)]},
        ("ma_bam_khong_khop", "Files[0]"),
        "mã băm SHA-256",
    ),
    "bad digest": ({"Files": [file_entry(pdf_bytes(), Sha256="abc")]}, ("ma_bam_khong_hop_le", "Files[0]"), "64"),
    "bad base64": ({"Files": [file_entry(b"x", Content="%%%")]}, ("base64_khong_hop_le", "Files[0]"), "base64"),
    "type by content": (
        {"Files": [file_entry(b"PK\x03\x04 word document", name="van-ban.docx")]},
        ("dinh_dang_khong_ho_tro", "Files[0]"),
        "theo nội dung",
    ),
    "missing part": (
        {"Files": [{"Name": "a.pdf", "Sha256": "a" * 64, "Part": "khong-co"}]},
        ("thieu_phan_tep", "Files[0]"),
        "multipart",
    ),
}


@pytest.mark.parametrize("kind", BAD_RECORDS)
def test_a_bad_record_is_refused_naming_its_rule_and_writes_nothing(post, agency_file, kind, queued_pages):  # type: ignore[no-untyped-def]
    overrides, expected, words = BAD_RECORDS[kind]
    response = post(make_record(**overrides))

    assert response.status_code == 400, response.content
    result = _only(response)
    assert result["status"] == "rejected" and result["document"] is None
    assert expected in _codes(result), result["errors"]
    error = next(e for e in result["errors"] if (e["code"], e["field"]) == expected)
    assert words in error["message"] and error["message_en"], error
    _nothing_archived()
    assert list(IngestRecord.objects.values_list("result", flat=True)) == ["rejected"]
    assert queued_pages == []


def test_every_broken_rule_of_a_record_is_listed_at_once(post, agency_file, queued_pages):  # type: ignore[no-untyped-def]
    record = make_record(
        Subject=None, IssuedDate="5/3/24", TypeName="Sắc lệnh", Files=[file_entry(pdf_bytes(), Sha256="f" * 64)]
    )
    result = _only(post(record))

    assert _codes(result) >= {
        ("truong_bat_buoc", "Subject"),
        ("ngay_khong_hop_le", "IssuedDate"),
        ("ma_khong_co_trong_danh_muc", "TypeName"),
        ("ma_bam_khong_khop", "Files[0]"),
    }
    required = next(e for e in result["errors"] if e["field"] == "Subject")
    assert required["message"].startswith("Trường Subject (Trích yếu nội dung) bắt buộc")
    assert required["message_en"] == "Field Subject (subject) is required."


def test_a_locked_file_refuses_new_documents(post, agency_file, fonds, queued_pages):  # type: ignore[no-untyped-def]
    from django.contrib.auth import get_user_model

    from khoso.access.models import FileLock

    admin = get_user_model().objects.create_superuser("khoa", password="mat-khau-dai-12345")
    FileLock.objects.create(scope=FileLock.Scope.FONDS, fonds=fonds, reason="Đang chỉnh lý", locked_by=admin)
    result = _only(post(make_record()))

    assert result["httpStatus"] == 409 and _codes(result) == {("ho_so_bi_khoa", "FileCode")}
    assert "đang bị khóa" in result["errors"][0]["message"]
    _nothing_archived()


def test_a_taken_ordinal_is_refused_and_an_absent_one_is_numbered(post, agency_file, queued_pages):  # type: ignore[no-untyped-def]
    assert _only(post(make_record("A-1", DocOrdinal=4)))["document"]["ordinal"] == 4
    clash = _only(post(make_record("A-2", DocOrdinal=4)))
    assert clash["httpStatus"] == 409 and _codes(clash) == {("so_thu_tu_da_dung", "DocOrdinal")}
    assert _only(post(make_record("A-3")))["document"]["ordinal"] == 5
    assert Document.objects.count() == 2 and Delivery.objects.count() == 2


def test_a_hostile_html_file_disguised_as_a_pdf_is_refused_by_content(post, agency_file, queued_pages):  # type: ignore[no-untyped-def]
    html = b"<!doctype html><html><body><script>fetch('/api/v1/')</script>%PDF-1.7</body></html>"
    result = _only(post(make_record(Files=[file_entry(html, name="quyet-dinh.pdf")])))

    assert result["status"] == "rejected"
    (error,) = result["errors"]
    assert error["field"] == "Files[0]" and error["code"] in {"dinh_dang_khong_ho_tro", "tep_hong"}
    assert "quyet-dinh.pdf" in error["message"]
    _nothing_archived()
    assert not object_store().exists(hashlib.sha256(html).hexdigest())


# -- batches ---------------------------------------------------------------------------------------


def test_a_mixed_batch_stores_the_good_records_and_reports_each(post, agency_file, queued_pages):  # type: ignore[no-untyped-def]
    body = {
        "records": [
            make_record("B-1"),
            make_record("B-2", IssuedDate="32/01/2024"),
            make_record("B-3", Files=[file_entry(pdf_bytes((9, 9, 9)))]),
            "không phải bản ghi",
        ]
    }
    response = post(body)

    assert response.status_code == 200
    body = response.json()
    assert body["summary"] == {"created": 2, "unchanged": 0, "rejected": 2}
    assert [r["status"] for r in body["results"]] == ["created", "rejected", "created", "rejected"]
    assert [r["index"] for r in body["results"]] == [0, 1, 2, 3]
    assert body["results"][3]["errors"][0]["field"] == "records[3]"
    assert sorted(Document.objects.values_list("ordinal", flat=True)) == [1, 2]
    assert Delivery.objects.count() == 2


def test_a_batch_of_repeats_answers_200(post, agency_file, queued_pages):  # type: ignore[no-untyped-def]
    post({"records": [make_record("C-1"), make_record("C-2")]})
    response = post([make_record("C-1"), make_record("C-2")])
    assert response.status_code == 200 and response.json()["summary"]["unchanged"] == 2


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ("{not json", "JSON"),
        ({"records": []}, "không có bản ghi"),
        ({"records": "x"}, "danh sách"),
        ({"records": [{}] * 101}, "tối đa 100"),
        ('{"records": [{"DocId": "A\\u0000B"}]}', "U+0000"),  # PostgreSQL stores no NUL
        ('{"records": [{"DocId": "A\\udba5B"}]}', "U+DBA5"),  # nor a lone surrogate
        ('{"records": [{"Do\\u0007cId": "A"}]}', "U+0007"),  # in a key too
    ],
)
def test_an_unreadable_batch_is_refused_whole(token, agency_file, body, words):  # type: ignore[no-untyped-def]
    text = body if isinstance(body, str) else json.dumps(body)
    response = Client().post(URL, text, content_type="application/json", HTTP_AUTHORIZATION=f"Token {token}")
    assert response.status_code == 400
    assert response.json()["code"] == "lo_ban_ghi_khong_hop_le" and words in response.json()["message"]
    assert not IngestRecord.objects.exists()


# -- who may send ----------------------------------------------------------------------------------


def test_anonymous_is_401_and_an_account_without_the_permission_is_403(post, agency_file, fonds):  # type: ignore[no-untyped-def]
    from django.contrib.auth import get_user_model

    from khoso.access.models import FondsGrant
    from khoso.api.services import token_create

    assert post(make_record(), key=None).status_code == 401
    clerk = get_user_model().objects.create_user("van-thu", password="mat-khau-dai-12345")
    FondsGrant.objects.create(user=clerk, fonds=fonds, can_edit=True)
    _, key = token_create(username="van-thu", name="thử")
    response = post(make_record(), key=key)
    assert response.status_code == 403 and "qlvb.ingest" in response.json()["detail"]
    assert not IngestRecord.objects.exists()
    _nothing_archived()


def test_a_record_for_another_fonds_is_refused_like_a_missing_file(post, agency_file, institution, queued_pages):  # type: ignore[no-untyped-def]
    from khoso.archive.services import file_create, fonds_create

    other = fonds_create(
        institution=institution,
        code="SNV-DL",
        name="Phông Sở Nội vụ",
        organ_id="000.00.00.H15",
        history="-",
        archives_time="2024",
        paper_total=1,
        key_groups="-",
        language="01",
    )
    foreign = file_create(
        fonds=other,
        file_code="000.00.00.H15.2024.02.TCCB",
        title="Hồ sơ tổ chức cán bộ mật danh dauvet",
        mode="01",
        language="01",
        start_date="2024-01-01",
        end_date="2024-12-31",
        description="Người lập hồ sơ: D",
    )
    hidden = _only(post(make_record("D-1", FileCode=foreign.file_code)))
    missing = _only(post(make_record("D-2", FileCode="000.00.00.H15.2024.03.TCCB")))

    assert hidden["status"] == missing["status"] == "rejected"
    assert [e["code"] for e in hidden["errors"]] == [e["code"] for e in missing["errors"]]
    assert hidden["errors"][0]["message"].replace(foreign.file_code, "X") == missing["errors"][0]["message"].replace(
        "000.00.00.H15.2024.03.TCCB", "X"
    )
    assert "dauvet" not in json.dumps(hidden) and "Sở Nội vụ" not in json.dumps(hidden)
    assert not Document.objects.exists()


def test_a_read_only_grant_is_not_enough_to_send(post, agency_file, sender, queued_pages):  # type: ignore[no-untyped-def]
    from khoso.access.models import FondsGrant

    FondsGrant.objects.filter(user=sender).update(can_edit=False)
    result = _only(post(make_record()))
    assert _codes(result) == {("ho_so_khong_co_trong_danh_muc", "FileCode")}


def test_a_secret_file_is_hidden_from_a_sender_without_the_secret_right(post, agency_file, queued_pages):  # type: ignore[no-untyped-def]
    from khoso.archive.models import ArchiveFile

    ArchiveFile.objects.filter(pk=agency_file.pk).update(mode="03")
    result = _only(post(make_record()))
    assert _codes(result) == {("ho_so_khong_co_trong_danh_muc", "FileCode")}


# -- Vietnamese text --------------------------------------------------------------------------------


def test_text_is_stored_nfc_and_an_nfd_resend_is_the_same_record(post, agency_file, queued_pages):  # type: ignore[no-untyped-def]
    subject = "Quyết định về việc thành lập Hội đồng xác định giá trị tài liệu"
    decomposed = unicodedata.normalize("NFD", subject)
    assert decomposed != subject
    first = _only(post(make_record(Subject=decomposed, OrganName=unicodedata.normalize("NFD", "Sở Nội vụ"))))
    document = Document.objects.get()
    assert document.subject == subject and unicodedata.is_normalized("NFC", document.organ_name)
    log = IngestRecord.objects.get()
    assert log.metadata["Subject"] == subject, "the log keeps the record as received, in NFC"

    again = _only(post(make_record(Subject=subject, OrganName="Sở Nội vụ")))
    assert again["status"] == "unchanged" and again["document"] == first["document"]


# -- the ingest log ----------------------------------------------------------------------------------


def test_the_log_is_readable_by_staff_of_the_fonds_only(post, agency_file, fonds, token, queued_pages):  # type: ignore[no-untyped-def]
    from django.contrib.auth import get_user_model

    from khoso.access.models import FondsGrant

    post(make_record("E-1"))
    post(make_record("E-2", IssuedDate="x"))
    post(make_record("E-3", FileCode="000.00.00.H15.2024.77.TH"))
    staff, stranger = (get_user_model().objects.create_user(n, password="mat-khau-dai-12345") for n in ("nv", "la"))
    FondsGrant.objects.create(user=staff, fonds=fonds)

    client = Client()
    client.force_login(staff)
    seen = client.get(LOG_URL).json()
    assert {r["DocId"] for r in seen["results"]} == {"E-1", "E-2"}, "a refusal naming no visible file is the sender's"
    assert next(r for r in seen["results"] if r["DocId"] == "E-1")["docCode"] == f"{FILE_CODE}.0000001"
    assert client.get(LOG_URL, {"result": "rejected"}).json()["count"] == 1
    client.force_login(stranger)
    assert client.get(LOG_URL).json()["count"] == 0
    mine = Client().get(LOG_URL, HTTP_AUTHORIZATION=f"Token {token}").json()
    assert {r["DocId"] for r in mine["results"]} == {"E-1", "E-2", "E-3"}
    assert Client().get(LOG_URL).status_code == 401


# -- signed born-digital PDFs ---------------------------------------------------------------------------


def test_a_signed_pdf_is_verified_and_kept_byte_identical(post, agency_file, settings, tmp_path, queued_pages):  # type: ignore[no-untyped-def]
    from khoso.signing.models import SignatureCheck
    from khoso.signing.pades import load_signer, sign_rendition
    from khoso.signing.testca import ensure_test_ca

    ca = ensure_test_ca(tmp_path / "ca", agency_name="Văn phòng UBND tỉnh Đắk Lắk")
    settings.KHOSO_SIGNING_P12 = ca.p12_path  # its root.pem beside it is trusted
    signed = sign_rendition(
        pdf_bytes(), signer=load_signer(ca.p12_path, None), agency_name="Văn phòng UBND tỉnh Đắk Lắk"
    ).data
    result = _only(post(make_record(Files=[file_entry(signed, name="ky-so.pdf")])))

    assert result["status"] == "created", result["errors"]
    signature = result["files"][0]["signature"]
    assert signature["intact"] and signature["valid"] and signature["message"]
    check = SignatureCheck.objects.get()
    assert check.content_id == hashlib.sha256(signed).hexdigest()
    assert object_store().read_bytes(check.content_id) == signed


# -- the schema ------------------------------------------------------------------------------------


def test_the_openapi_schema_documents_the_statuses():  # type: ignore[no-untyped-def]
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    operation = schema["paths"]["/api/v1/qlvb/documents/"]["post"]
    assert {"200", "201", "400", "401", "403"} <= set(operation["responses"])
    assert {"application/json", "multipart/form-data"} <= set(operation["requestBody"]["content"])
    assert "/api/v1/qlvb/records/" in schema["paths"]


def test_file_keys_ignore_case_and_digests_may_be_upper_case(agency_file, post, queued_pages):  # type: ignore[no-untyped-def]
    data = pdf_bytes((5, 6, 7))
    entry = {
        "name": "b.pdf",
        "sha256": hashlib.sha256(data).hexdigest().upper(),
        "content": base64.b64encode(data).decode(),
    }
    result = _only(post(make_record(Files=[entry])))
    assert result["status"] == "created", result["errors"]


def test_one_audit_entry_per_request_names_the_sender_and_the_outcome(post, agency_file, sender, queued_pages):  # type: ignore[no-untyped-def]
    from khoso.audit.models import AuditEntry

    post({"records": [make_record("F-1"), make_record("F-2", IssuedDate="x")]})

    entry = AuditEntry.objects.get(route="qlvb_ingest")  # the fixtures' own writes have entries of their own
    assert entry.object_type == "qlvb.ingestrecord"
    assert entry.action == "qlvb.nhan_van_ban" and entry.actor_name == sender.username
    assert entry.detail["created"] == 1 and entry.detail["rejected"] == 1
    assert "000.00.00.H15/F-2: rejected" in entry.detail["van_ban"]
