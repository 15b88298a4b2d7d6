"""Certified copies (TT05 Đ41): PAdES by increment, visible text top right, verification that catches tampering."""

from __future__ import annotations

import io
import re
import unicodedata
from datetime import datetime, timedelta
from pathlib import Path

import pikepdf
import pypdfium2
import pypdfium2.raw as pdfium_c
import pytest
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization
from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from khoso.ocr.pdfa import assemble_pdfa, check_pdfa
from khoso.signing import VIETNAM, SigningError, iso_vietnam, sign_certified_copy, verify_pdf
from khoso.signing.fonts import EDGE, text_width

AGENCY = "Trung tâm Lưu trữ quốc gia I"
ISO_VIETNAM = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+07:00")


@pytest.fixture
def when() -> datetime:
    return datetime.now(VIETNAM).replace(microsecond=0) - timedelta(minutes=5)


@pytest.fixture
def original(make_pdf) -> bytes:
    return make_pdf(pages=2)


@pytest.fixture
def signed(original, signer, when) -> bytes:
    return sign_certified_copy(original, signer=signer, agency_name=AGENCY, when=when)


def _pyhanko_status(pdf: bytes, root_path: Path, index: int = 0):
    reader = PdfFileReader(io.BytesIO(pdf))
    context = ValidationContext(trust_roots=[load_cert_from_pemder(str(root_path))])
    return validate_pdf_signature(reader.embedded_signatures[index], signer_validation_context=context)


def test_certified_copy_validates_with_pyhanko_against_the_test_root(signed, test_ca, when) -> None:
    status = _pyhanko_status(signed, test_ca.root_cert_path)

    assert status.bottom_line and status.intact and status.valid and status.trusted
    assert status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    assert status.signer_reported_dt == when

    report = verify_pdf(signed, trust_roots=[test_ca.root_cert_path])
    assert report.valid and report.intact and report.trusted
    assert report.signer_name == AGENCY
    assert report.signed_at == when and report.signed_at.utcoffset() == timedelta(hours=7)
    assert report.message_vi.startswith("Chữ ký số hợp lệ")


def test_signature_is_pades_baseline_b(signed) -> None:
    embedded = PdfFileReader(io.BytesIO(signed)).embedded_signatures[0]
    assert embedded.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"
    signed_attributes = {attr["type"].native for attr in embedded.signer_info["signed_attrs"]}
    assert "signing_certificate_v2" in signed_attributes  # ESS binding of the certificate (B-B)
    assert "signing_time" not in signed_attributes  # PAdES: the claimed time is /M, not a CMS attribute
    assert embedded.sig_object["/M"] is not None


def test_signing_is_an_incremental_update(original, signed) -> None:
    assert signed.startswith(original), "the original bytes must stay a prefix: no rewrite of the PDF/A"
    assert len(signed) > len(original)
    with pikepdf.open(io.BytesIO(signed)) as pdf:
        assert len(pdf.pages) == 2


def test_one_flipped_byte_in_the_signed_content_breaks_the_signature(original, signed, test_ca) -> None:
    position = original.index(b"14 Tf")  # the font size of page 1's text, inside the signed byte range
    tampered = bytearray(signed)
    tampered[position + 1] = ord("5")

    report = verify_pdf(bytes(tampered), trust_roots=[test_ca.root_cert_path])
    assert not report.intact and not report.valid
    assert "bị thay đổi" in report.message_vi
    assert not _pyhanko_status(bytes(tampered), test_ca.root_cert_path).intact


def test_untrusted_root_is_intact_but_not_trusted(signed, other_ca) -> None:
    report = verify_pdf(signed, trust_roots=[other_ca.root_cert_path])

    assert report.intact and not report.trusted and not report.valid
    assert "không thuộc tổ chức chứng thực được tin cậy" in report.message_vi


def test_unsigned_pdf_is_not_valid(original, test_ca) -> None:
    report = verify_pdf(original, trust_roots=[test_ca.root_cert_path])

    assert not report.valid and not report.intact and report.signed_at is None
    assert "không có chữ ký số" in report.message_vi
    assert report.message_en


def test_garbage_is_reported_not_raised(test_ca) -> None:
    report = verify_pdf(b"not a pdf at all", trust_roots=[test_ca.root_cert_path])
    assert not report.valid and "Không đọc được tệp PDF" in report.message_vi


def test_visible_signature_sits_top_right_of_page_one(signed) -> None:
    with pikepdf.open(io.BytesIO(signed)) as pdf:
        first, second = pdf.pages[0], pdf.pages[1]
        box = [float(v) for v in first.mediabox]
        widgets = [a for a in first.obj.get("/Annots", []) if a.get("/FT") == pikepdf.Name.Sig]
        assert len(widgets) == 1
        assert not [a for a in second.obj.get("/Annots", []) if a.get("/FT") == pikepdf.Name.Sig]
        left, bottom, right, top = (float(v) for v in widgets[0].Rect)
        assert right == pytest.approx(box[2] - EDGE, abs=1)
        assert top == pytest.approx(box[3] - EDGE, abs=1)
        assert left > box[2] / 2 and bottom > box[3] * 0.8
        assert int(widgets[0].F) & 4, "printed with the page"
        appearance = widgets[0].AP.N
        assert not _images_in(appearance.get("/Resources")), "text only: no seal image (TT05 Đ8.1)"


def _images_in(resources) -> list[str]:
    found: list[str] = []
    if not isinstance(resources, pikepdf.Dictionary):
        return found
    for name, xobject in resources.get("/XObject", pikepdf.Dictionary()).items():
        if xobject.get("/Subtype") == pikepdf.Name.Image:
            found.append(name)
        else:
            found += _images_in(xobject.get("/Resources"))
    return found


def test_visible_text_names_copy_agency_and_vietnam_time(signed, render, when) -> None:
    page = render(signed, 0, flatten=True)

    assert unicodedata.is_normalized("NFC", page.text)
    lines = page.text.splitlines()
    assert "BẢN SAO" in lines
    assert AGENCY in lines
    times = [line for line in lines if ISO_VIETNAM.fullmatch(line)]
    assert times == [iso_vietnam(when)]
    assert "BẢN SAO" not in render(signed, 1, flatten=True).text


def test_signature_text_is_10_point_with_times_metrics(signed) -> None:
    """10 pt and the glyph advances of Times New Roman (via Liberation Serif): not stretched or shrunk."""
    document = pypdfium2.PdfDocument(signed)
    page = document[0]
    assert pdfium_c.FPDFPage_Flatten(page.raw, pdfium_c.FLAT_PRINT) == pdfium_c.FLATTEN_SUCCESS
    page.close()
    page = document[0]
    textpage = page.get_textpage()
    text = textpage.get_text_range()
    start = text.index(AGENCY)
    size = pdfium_c.FPDFText_GetFontSize(textpage.raw, start)
    first_left = textpage.get_charbox(start)[0]
    last_right = textpage.get_charbox(start + len(AGENCY) - 1)[2]
    document.close()

    assert size == pytest.approx(10, abs=0.01)
    assert last_right - first_left == pytest.approx(text_width(AGENCY), abs=1.5)


def test_naive_time_is_taken_as_vietnam_time(original, signer, render) -> None:
    signed = sign_certified_copy(original, signer=signer, agency_name=AGENCY, when=datetime(2026, 3, 2, 8, 15, 0))
    assert "2026-03-02T08:15:00+07:00" in render(signed, 0, flatten=True).text


def test_second_signature_keeps_the_first_valid(signed, signer, test_ca) -> None:
    twice = sign_certified_copy(signed, signer=signer, agency_name=AGENCY)

    assert twice.startswith(signed)
    report = verify_pdf(twice, trust_roots=[test_ca.root_cert_path])
    assert report.valid and report.signature_count == 2


def test_pdfa_stays_pdfa_after_signing(make_pdf, signer, test_ca, tmp_path: Path) -> None:
    pages = [make_pdf(pages=1), make_pdf(pages=1)]
    source = tmp_path / "hoso.pdf"
    assemble_pdfa(pages, source, title="Hồ sơ thử")
    assert check_pdfa(source) == []

    signed_path = tmp_path / "ban-sao.pdf"
    signed_path.write_bytes(sign_certified_copy(source.read_bytes(), signer=signer, agency_name=AGENCY))

    assert signed_path.read_bytes().startswith(source.read_bytes())
    assert check_pdfa(signed_path) == []
    assert verify_pdf(signed_path.read_bytes(), trust_roots=[test_ca.root_cert_path]).valid


def test_timestamped_signature_is_pades_b_t(original, signer, test_ca, local_tsa) -> None:
    signed = sign_certified_copy(original, signer=signer, agency_name=AGENCY, timestamp_url=local_tsa.url)

    report = verify_pdf(signed, trust_roots=[test_ca.root_cert_path, local_tsa.root])
    assert report.valid
    assert abs(report.signed_at - datetime.now(VIETNAM)) < timedelta(minutes=2)
    reader = PdfFileReader(io.BytesIO(signed))
    context = ValidationContext(trust_roots=[load_cert_from_pemder(str(test_ca.root_cert_path))])
    tsa_root = asn1_x509.Certificate.load(local_tsa.root.public_bytes(serialization.Encoding.DER))
    tsa_context = ValidationContext(trust_roots=[tsa_root])
    status = validate_pdf_signature(
        reader.embedded_signatures[0], signer_validation_context=context, ts_validation_context=tsa_context
    )
    assert status.timestamp_validity is not None and status.timestamp_validity.trusted
    assert status.bottom_line


def test_unreachable_timestamp_server_is_a_clear_error(original, signer) -> None:
    with pytest.raises(SigningError) as failure:
        sign_certified_copy(original, signer=signer, agency_name=AGENCY, timestamp_url="http://127.0.0.1:9/tsa")
    assert "không lấy được dấu thời gian" in failure.value.message
