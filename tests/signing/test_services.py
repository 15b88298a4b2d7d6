"""The archive's signature on each file's PDF/A, received signatures at ingest, and the re-time-stamp job.

Real parts end to end: the capture pipeline (Tesseract, PDF/A), the object store, the local CA/TSA on
127.0.0.1 (:mod:`khoso.signing.testpki`), SQLite.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import img2pdf
import pikepdf
import pytest
from django.core.management import call_command
from django.template import Context, Template

from khoso.archive.models import ArchiveFile
from khoso.capture import services as capture
from khoso.capture.models import Delivery
from khoso.ocr.pdfa import check_pdfa
from khoso.preservation.models import PremisEvent
from khoso.signing import ltv
from khoso.signing.models import RenditionSignature, RenditionVersion, SignatureCheck
from khoso.signing.pades import load_signer, pades_level, sign_rendition, verify_pdf
from khoso.signing.services import get_ready_to_sign, retimestamp_due, sign_pending
from khoso.storage.models import StoredObject
from khoso.storage.selectors import consistency_problems
from khoso.storage.services import object_store

from .conftest import AGENCY

pytestmark = pytest.mark.django_db(transaction=True)

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "ocr-vie"


@pytest.fixture
def page_jpeg(tmp_path: Path) -> Path:
    """The top of a real corpus page at its scan resolution (OCR of a third of a page keeps the test quick)."""
    from PIL import Image

    target = tmp_path / "trang-1.jpg"
    with Image.open(CORPUS / "P01" / "HS002" / "page-001.jpg") as page:
        page.crop((0, 0, page.width, page.height // 3)).save(target, "JPEG", quality=90, dpi=page.info.get("dpi"))
    return target


def _assembled(archive_file: ArchiveFile, make_pdf) -> None:  # type: ignore[no-untyped-def]
    """Pages as the pipeline leaves them (done, one-page PDF renditions), then the real ``assemble_file``.

    For the tests where OCR is not the point: signing happens in ``assemble_file`` either way.
    """
    from khoso.archive.models import Page
    from khoso.storage.services import object_put_bytes

    original = object_put_bytes(data=b"\xff\xd8\xff\xe0 not decoded here \xff\xd9", mime="image/jpeg")
    for number in (1, 2):
        rendition = object_put_bytes(data=make_pdf(pages=1), mime="application/pdf")
        Page.objects.create(
            file=archive_file,
            number=number,
            original=original,
            original_name=f"trang-{number}.jpg",
            rendition=rendition,
            stage=Page.Stage.DONE,
        )
    assert capture.assemble_file(archive_file.pk)
    archive_file.refresh_from_db()


@pytest.fixture
def signing_settings(settings, pki):  # type: ignore[no-untyped-def]
    settings.KHOSO_SIGN_RENDITIONS = True
    settings.KHOSO_ARCHIVE_NAME = AGENCY
    settings.KHOSO_SIGNING_P12 = pki.files.p12_path  # root.pem beside it is trusted as the archive's own CA
    settings.KHOSO_SIGNING_P12_PASSWORD = ""
    settings.KHOSO_SIGNING_PKCS11_MODULE = ""
    settings.KHOSO_TSA_URL = pki.server.tsa_url
    settings.KHOSO_ENCLAVE = False
    settings.KHOSO_RETIMESTAMP_MARGIN_DAYS = 365
    return settings


def _ingest(archive_file: ArchiveFile, paths: list[Path]) -> Delivery:
    delivery = capture.deliver(
        archive_file=archive_file,
        arrivals=[capture.Arrival(p, p.name) for p in paths],
        source=Delivery.Source.CLI,
        enqueue=False,
    )
    capture.run_inline(list(delivery.pages.values_list("pk", flat=True)), jobs=1)
    capture.assemble_file(archive_file.pk)
    archive_file.refresh_from_db()
    return delivery


def test_getting_ready_to_sign_makes_the_archive_key_only_where_files_are_signed(settings, tmp_path):  # type: ignore[no-untyped-def]
    """What ``khoso ingest --wait`` does while its last pages are recognised: where files are signed with
    the default key, the test CA is made then (and opens), so the signature after the last page need not."""
    key = tmp_path / "signing" / "archive.p12"
    settings.DATA_DIR = tmp_path
    settings.KHOSO_SIGNING_P12 = key
    settings.KHOSO_SIGNING_P12_PASSWORD = ""
    settings.KHOSO_SIGNING_PKCS11_MODULE = ""
    settings.KHOSO_ARCHIVE_NAME = AGENCY

    settings.KHOSO_SIGN_RENDITIONS = False
    get_ready_to_sign()
    assert not key.exists()

    settings.KHOSO_SIGN_RENDITIONS = True
    get_ready_to_sign()
    assert key.is_file()
    assert AGENCY in load_signer(key, b"").subject_name


def test_assembled_pdfa_is_stored_signed_b_lt_and_stays_pdfa(archive_file, page_jpeg, signing_settings, pki, tmp_path):  # type: ignore[no-untyped-def]
    _ingest(archive_file, [page_jpeg])

    row = RenditionSignature.objects.get(file=archive_file)
    assert row.state == RenditionSignature.State.SIGNED and row.level == "B-LT"
    assert row.signer_name == AGENCY and row.timestamp_expires_at is not None
    signed = object_store().read_bytes(archive_file.pdf_id)
    pdfa = signed[: row.pdfa_size]
    import hashlib

    assert hashlib.sha256(pdfa).hexdigest() == row.pdfa_sha256, (
        "the signature covers the assembled PDF/A, byte for byte"
    )
    assert not StoredObject.objects.filter(sha256=row.pdfa_sha256).exists(), "the PDF/A is not stored twice"
    report = verify_pdf(signed, trust_roots=[pki.files.root_cert_path])
    assert report.valid and report.level == "B-LT" and report.signer_name == AGENCY
    path = tmp_path / "ho-so.pdf"
    path.write_bytes(signed)
    assert check_pdfa(path) == []
    assert [v.kind for v in RenditionVersion.objects.filter(file=archive_file)] == [RenditionVersion.Kind.SIGNED]
    assert consistency_problems() == []
    event = PremisEvent.objects.get(event_type=PremisEvent.Type.SIGNATURE_GENERATION)
    assert event.outcome == "success" and event.object_sha256 == archive_file.pdf_id
    assert PremisEvent.LOC_CODES[event.event_type] == "dsg" and "B-LT" in event.detail


def test_missing_key_keeps_the_pdfa_unsigned_with_a_reason_then_sign_pending_signs_it(  # type: ignore[no-untyped-def]
    archive_file, make_pdf, signing_settings, pki, tmp_path
):
    signing_settings.KHOSO_SIGNING_P12 = tmp_path / "khong-co" / "archive.p12"
    _assembled(archive_file, make_pdf)

    row = RenditionSignature.objects.get(file=archive_file)
    assert row.state == RenditionSignature.State.UNSIGNED
    assert row.reason.startswith("Chưa ký số bản PDF/A") and "không tìm thấy tệp khóa ký" in row.reason
    unsigned = archive_file.pdf_id
    assert unsigned == row.pdfa_sha256, "assembly lost nothing: the unsigned PDF/A is the rendition"
    assert verify_pdf(object_store().read_bytes(unsigned), trust_roots=[pki.files.root_cert_path]).signature_count == 0

    assert sign_pending() == {"signed": 0, "unsigned": 1, "skipped": 0}  # still no key: nothing moves
    signing_settings.KHOSO_SIGNING_P12 = pki.files.p12_path
    assert sign_pending() == {"signed": 1, "unsigned": 0, "skipped": 0}

    archive_file.refresh_from_db()
    row.refresh_from_db()
    assert row.state == RenditionSignature.State.SIGNED and archive_file.pdf_id != unsigned
    signed = object_store().read_bytes(archive_file.pdf_id)
    assert signed.startswith(object_store().read_bytes(unsigned))
    assert verify_pdf(signed, trust_roots=[pki.files.root_cert_path]).valid
    versions = list(RenditionVersion.objects.filter(file=archive_file).values_list("kind", "content_id", "previous_id"))
    assert versions == [("chua_ky", unsigned, None), ("ky_so", archive_file.pdf_id, unsigned)]
    events = PremisEvent.objects.filter(event_type=PremisEvent.Type.SIGNATURE_GENERATION).order_by("pk")
    assert [(e.outcome, e.object_sha256) for e in events] == [("failure", unsigned), ("success", archive_file.pdf_id)]
    assert object_store().exists(unsigned), "the earlier version is kept"


def test_retimestamp_job_renews_expiring_evidence_and_keeps_the_previous_object(  # type: ignore[no-untyped-def]
    archive_file, make_pdf, signing_settings, pki, tmp_path, capsys
):
    _assembled(archive_file, make_pdf)
    before = archive_file.pdf_id
    row = RenditionSignature.objects.get(file=archive_file)
    assert row.level == "B-LT"  # the TSA certificate expires in 30 days: inside the 365-day margin
    pki.server.rollover_tsa(days=3650)

    call_command("signatures", "retimestamp", "--json")
    assert json.loads(capsys.readouterr().out)["renewed"] == [archive_file.file_code]

    archive_file.refresh_from_db()
    row.refresh_from_db()
    after = object_store().read_bytes(archive_file.pdf_id)
    assert archive_file.pdf_id != before and after.startswith(object_store().read_bytes(before))
    assert row.level == "B-LTA" == pades_level(after)
    assert row.timestamp_expires_at == ltv.newest_timestamp(after).tsa_not_after
    report = verify_pdf(after, trust_roots=[pki.files.root_cert_path])
    assert report.valid and report.intact and report.level == "B-LTA"
    path = tmp_path / "lta.pdf"
    path.write_bytes(after)
    assert check_pdfa(path) == []
    last = RenditionVersion.objects.filter(file=archive_file).last()
    assert last.kind == RenditionVersion.Kind.RETIMESTAMP and last.previous_id == before
    assert "hết hạn ngày" in last.note
    renewal = PremisEvent.objects.filter(event_type=PremisEvent.Type.SIGNATURE_GENERATION).latest("pk")
    assert renewal.outcome == "success" and renewal.object_sha256 == archive_file.pdf_id and "B-LTA" in renewal.detail
    assert object_store().exists(before) and StoredObject.objects.filter(sha256=before).exists()

    # not due any more: a second run changes nothing
    assert retimestamp_due().renewed == []
    # one flipped byte inside the signed range is still caught after the job
    tampered = bytearray(after)
    position = after.index(b"/OutputIntents")
    tampered[position + 1] ^= 0x20
    assert not verify_pdf(bytes(tampered), trust_roots=[pki.files.root_cert_path]).intact


def test_retimestamp_without_a_tsa_fails_visibly(archive_file, make_pdf, signing_settings, capsys):  # type: ignore[no-untyped-def]
    _assembled(archive_file, make_pdf)
    signing_settings.KHOSO_TSA_URL = ""
    with pytest.raises(SystemExit) as failed:
        call_command("signatures", "retimestamp")
    assert failed.value.code == 1
    assert "KHOSO_TSA_URL" in capsys.readouterr().err


def _signed_scan(pki, page_jpeg: Path, target: Path) -> bytes:
    """A born-digital PDF signed by someone (here: the test PKI's certificate), as an agency would send it."""
    pdf = img2pdf.convert([str(page_jpeg)])
    signed = sign_rendition(
        pdf,
        signer=load_signer(pki.files.p12_path, None),
        agency_name="Sở Nội vụ tỉnh Đắk Lắk",
        timestamp_url=pki.server.tsa_url,
    ).data
    target.write_bytes(signed)
    return signed


def test_signed_pdf_at_ingest_is_verified_kept_byte_identical_and_ocr_never_touches_it(  # type: ignore[no-untyped-def]
    archive_file, page_jpeg, signing_settings, pki, tmp_path
):
    uploaded = tmp_path / "van-ban-ky-so.pdf"
    original = _signed_scan(pki, page_jpeg, uploaded)

    _ingest(archive_file, [uploaded])

    check = SignatureCheck.objects.get(file=archive_file)
    assert check.valid and check.intact and check.trusted and check.signature_count == 1
    assert check.level == "B-T" and check.message_vi.startswith("Chữ ký số hợp lệ")
    assert check.original_name == "van-ban-ky-so.pdf"
    store = object_store()
    assert store.read_bytes(check.content_id) == original, "the signed original is stored as delivered"
    assert verify_pdf(store.read_bytes(check.content_id), trust_roots=[pki.files.root_cert_path]).valid
    page = archive_file.pages.get()
    assert page.qc["delivered_sha256"] == check.content_id
    assert page.ocr_text and page.rendition_id != check.content_id, "OCR made a new object"
    assert archive_file.pdf_id not in (check.content_id, page.rendition_id)
    assert uploaded.read_bytes() == original
    validation = PremisEvent.objects.get(event_type=PremisEvent.Type.SIGNATURE_VALIDATION)
    assert validation.outcome == "success" and validation.object_sha256 == check.content_id
    assert PremisEvent.LOC_CODES[validation.event_type] == "dig"


def test_tampered_signed_pdf_is_accepted_but_recorded_as_invalid(
    archive_file, page_jpeg, signing_settings, pki, tmp_path
):  # type: ignore[no-untyped-def]
    uploaded = tmp_path / "bi-sua.pdf"
    original = _signed_scan(pki, page_jpeg, uploaded)
    with pikepdf.open(io.BytesIO(original)) as document:
        assert len(document.pages) == 1
    position = original.index(b"/MediaBox")
    tampered = bytearray(original)
    tampered[position + 2] ^= 0x20  # /MediaBox → /MEdiaBox: inside the signed range, still parseable
    uploaded.write_bytes(bytes(tampered))

    delivery = capture.deliver(
        archive_file=archive_file, arrivals=[capture.Arrival(uploaded, uploaded.name)], source="cli", enqueue=False
    )

    check = SignatureCheck.objects.get(delivery=delivery)
    assert not check.valid and not check.intact
    assert "bị thay đổi" in check.message_vi or "bị hỏng" in check.message_vi
    assert object_store().read_bytes(check.content_id) == bytes(tampered)
    validation = PremisEvent.objects.get(event_type=PremisEvent.Type.SIGNATURE_VALIDATION)
    assert validation.outcome == "failure" and validation.object_sha256 == check.content_id


def test_file_page_include_shows_signature_state_in_vietnamese(  # type: ignore[no-untyped-def]
    archive_file, page_jpeg, make_pdf, signing_settings, pki, tmp_path
):
    uploaded = tmp_path / "van-ban.pdf"
    _signed_scan(pki, page_jpeg, uploaded)
    capture.deliver(
        archive_file=archive_file, arrivals=[capture.Arrival(uploaded, uploaded.name)], source="cli", enqueue=False
    )
    archive_file.pages.all().delete()
    _assembled(archive_file, make_pdf)

    html = Template("{% load signing %}{% file_signatures file %}").render(Context({"file": archive_file}))

    assert "Chữ ký số" in html and f"đã ký số bởi {AGENCY}" in html and "(PAdES B-LT)" in html
    assert "Dấu thời gian mới nhất có giá trị đến" in html
    assert "van-ban.pdf" in html and "✓ Chữ ký số hợp lệ" in html


def test_signing_off_stores_the_plain_pdfa_and_no_signature_row(archive_file, make_pdf, signing_settings):  # type: ignore[no-untyped-def]
    signing_settings.KHOSO_SIGN_RENDITIONS = False
    _assembled(archive_file, make_pdf)

    assert archive_file.pdf_id and not RenditionSignature.objects.filter(file=archive_file).exists()
    assert verify_pdf(object_store().read_bytes(archive_file.pdf_id), trust_roots=[]).signature_count == 0


def test_copies_start_from_the_signed_pdfa_not_the_signed_file(archive_file, make_pdf, signing_settings, pki):  # type: ignore[no-untyped-def]
    """A whole-file copy carries only its own mark or «BẢN SAO» signature, never a broken rendition signature."""
    from khoso.readers.copies import copy_pdf

    _assembled(archive_file, make_pdf)
    pages = list(archive_file.pages.order_by("number"))
    roots = [pki.files.root_cert_path]

    plain = copy_pdf(archive_file=archive_file, document=None, pages=pages, certified=False)
    assert verify_pdf(plain, trust_roots=roots).signature_count == 0

    certified = copy_pdf(archive_file=archive_file, document=None, pages=pages, certified=True)
    report = verify_pdf(certified, trust_roots=roots)
    assert report.valid and report.signature_count == 1 and report.level == "B-LT"
    row = RenditionSignature.objects.get(file=archive_file)
    assert certified.startswith(object_store().read_bytes(archive_file.pdf_id)[: row.pdfa_size])


def test_cli_verify_reports_in_vietnamese_and_exits_non_zero_when_invalid(
    signing_settings, pki, page_jpeg, tmp_path, capsys
):  # type: ignore[no-untyped-def]
    good = tmp_path / "tot.pdf"
    data = _signed_scan(pki, page_jpeg, good)
    call_command("signatures", "verify", str(good), "--json")
    result = json.loads(capsys.readouterr().out)
    assert result["valid"] and result["level"] == "B-T" and result["message"].startswith("Chữ ký số hợp lệ")

    bad = tmp_path / "hong.pdf"
    tampered = bytearray(data)
    tampered[data.index(b"/MediaBox") + 2] ^= 0x20
    bad.write_bytes(bytes(tampered))
    with pytest.raises(SystemExit) as exit_info:
        call_command("signatures", "verify", str(bad))
    assert exit_info.value.code == 1 and "KHÔNG hợp lệ" in capsys.readouterr().out
