"""Long-term signatures (issue 6 §4, T14): B-T from a local TSA, B-LT with CRL/OCSP, B-LTA renewal, PKCS#11.

Everything runs for real on 127.0.0.1: :class:`khoso.signing.testpki.LocalPki` is the CA (CRL and OCSP)
and the RFC 3161 TSA; the PKCS#11 token is SoftHSM2.
"""

from __future__ import annotations

import asyncio
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pikepdf
import pytest
from pyhanko.pdf_utils.reader import PdfFileReader

from khoso.ocr.pdfa import check_pdfa
from khoso.signing import ltv
from khoso.signing.pades import (
    VIETNAM,
    LongTerm,
    SigningTokenError,
    iso_vietnam,
    load_signer,
    open_pkcs11_signer,
    pades_level,
    sign_rendition,
    verify_pdf,
)

from .conftest import AGENCY, verapdf_or_warn

MARGIN = timedelta(days=365)


def _signed(pki, pdf: bytes, *, long_term: bool = True):
    signer = load_signer(pki.files.p12_path, None)
    return sign_rendition(
        pdf,
        signer=signer,
        agency_name=AGENCY,
        timestamp_url=pki.server.tsa_url,
        long_term=LongTerm(trust_roots=(pki.files.root_cert_path,)) if long_term else None,
    )


def _dss(pdf: bytes) -> dict[str, int]:
    with pikepdf.open(io.BytesIO(pdf)) as document:
        dss = document.Root.get("/DSS")
        if dss is None:
            return {}
        return {key: len(dss.get(key, [])) for key in ("/Certs", "/CRLs", "/OCSPs")}


def test_b_t_carries_a_time_stamp_from_the_local_tsa(pki, pdfa) -> None:
    result = _signed(pki, pdfa, long_term=False)

    assert result.level == "B-T" == pades_level(result.data)
    assert pki.server.requests["tsa"] >= 1
    stamps = ltv.timestamps(result.data)
    assert [s.kind for s in stamps] == ["signature"]
    assert stamps[0].tsa_name == "Kho Số test TSA" and stamps[0].digest_algorithm == "sha256"
    report = verify_pdf(result.data, trust_roots=[pki.files.root_cert_path])
    assert report.valid and report.level == "B-T"
    assert report.signed_at == stamps[0].time  # the TSA's time, not the signer's claim


def test_b_lt_embeds_revocation_data_in_the_dss(pki, pdfa) -> None:
    result = _signed(pki, pdfa)

    assert result.level == "B-LT" and not result.note
    found = _dss(result.data)
    assert found["/OCSPs"] + found["/CRLs"] >= 2, found  # the signer's and the TSA's certificates
    assert pki.server.requests["ocsp"] + pki.server.requests["crl"] >= 2
    assert result.data.startswith(pdfa), "incremental: the PDF/A bytes are the prefix of the signed file"
    assert verify_pdf(result.data, trust_roots=[pki.files.root_cert_path]).valid


def test_without_reachable_revocation_data_it_signs_at_b_t_and_says_why(pki, pdfa, test_ca) -> None:
    """The demo CA names no CRL or OCSP: the signature is still made, at B-T, with the reason in Vietnamese."""
    signer = load_signer(test_ca.p12_path, None)
    result = sign_rendition(
        pdfa,
        signer=signer,
        agency_name=AGENCY,
        timestamp_url=pki.server.tsa_url,
        long_term=LongTerm(trust_roots=(test_ca.root_cert_path, pki.files.root_cert_path)),
    )

    assert result.level == "B-T" == pades_level(result.data)
    assert "CRL/OCSP" in result.note and "B-T" in result.note
    assert verify_pdf(result.data, trust_roots=[test_ca.root_cert_path, pki.files.root_cert_path]).valid


def test_rendition_signature_shows_agency_and_time_not_copy_mark(pki, pdfa, render) -> None:
    result = _signed(pki, pdfa, long_term=False)
    lines = render(result.data, 0, flatten=True).text.splitlines()

    assert AGENCY in lines and "BẢN SAO" not in lines
    stamp = ltv.timestamps(result.data)[0]
    shown = [line for line in lines if line.endswith("+07:00")]
    assert len(shown) == 1 and abs(datetime.fromisoformat(shown[0]) - stamp.time) < timedelta(seconds=5)
    assert iso_vietnam(datetime.fromisoformat(shown[0])) == shown[0]


def test_signed_and_retimestamped_pdfa_keeps_its_pdfa_markers(pki, pdfa, tmp_path: Path) -> None:
    signed = _signed(pki, pdfa).data
    pki.server.rollover_tsa()
    archived = ltv.add_archive_timestamp(signed, timestamp_url=pki.server.tsa_url, long_term=_lt(pki))
    for name, data in (("ky.pdf", signed), ("dau-thoi-gian.pdf", archived)):
        path = tmp_path / name
        path.write_bytes(data)
        assert check_pdfa(path) == [], name
        with pikepdf.open(path) as document:
            meta = document.open_metadata()
            assert str(meta.get("pdfaid:part")) == "2" and str(meta.get("pdfaid:conformance")) == "B"
            widget = next(a for a in document.pages[0].obj.Annots if a.get("/FT") == pikepdf.Name.Sig)
            assert int(widget.F) & 4 and "/AP" in widget  # printed, with an appearance (PDF/A-2 6.3)
        verapdf_or_warn(path)


def _lt(pki) -> LongTerm:
    return LongTerm(trust_roots=(pki.files.root_cert_path,))


def test_retimestamp_is_due_only_when_the_tsa_certificate_nears_expiry(pki, pdfa) -> None:
    signed = _signed(pki, pdfa).data
    reason = ltv.retimestamp_reason(signed, margin=MARGIN)
    assert reason is not None and "hết hạn ngày" in reason  # the 30-day TSA certificate
    assert ltv.retimestamp_reason(signed, margin=timedelta(days=7)) is None


def test_archive_time_stamp_keeps_the_signature_valid_beyond_the_tsa_certificate(pki, pdfa) -> None:
    signed = _signed(pki, pdfa).data
    first_tsa_expiry = ltv.newest_timestamp(signed).tsa_not_after
    pki.server.rollover_tsa(days=3650)  # the TSA renewed its certificate, as a real one does

    archived = ltv.add_archive_timestamp(signed, timestamp_url=pki.server.tsa_url, long_term=_lt(pki))

    assert archived.startswith(signed), "one incremental update: every earlier byte range stays as it was"
    assert pades_level(archived) == "B-LTA"
    assert [s.kind for s in ltv.timestamps(archived)] == ["signature", "document"]
    assert ltv.retimestamp_reason(archived, margin=MARGIN) is None
    report = verify_pdf(archived, trust_roots=[pki.files.root_cert_path])
    assert report.valid and report.intact and report.signature_count == 2 and report.level == "B-LTA"
    # A validator living after the first TSA certificate expired: only the archived file still passes.
    after_expiry = first_tsa_expiry.astimezone(UTC) + timedelta(days=30)
    assert _future_lta_ok(archived, pki, after_expiry)
    assert not _future_lta_ok(signed, pki, after_expiry)


def _future_lta_ok(pdf: bytes, pki, moment: datetime) -> bool:
    from asn1crypto import x509 as asn1_x509
    from cryptography.hazmat.primitives import serialization
    from pyhanko.sign.ades.report import AdESPassed
    from pyhanko.sign.validation.ades import simulate_future_ades_lta_validation
    from pyhanko.sign.validation.policy_decl import (
        CertValidationPolicySpec,
        PdfSignatureValidationSpec,
        SignatureValidationSpec,
    )
    from pyhanko_certvalidator.policy_decl import CertRevTrustPolicy, RevocationCheckingPolicy, RevocationCheckingRule
    from pyhanko_certvalidator.registry import SimpleTrustManager

    root = asn1_x509.Certificate.load(pki.server.root.certificate.public_bytes(serialization.Encoding.DER))
    rule = RevocationCheckingRule.CHECK_IF_DECLARED
    policy = CertValidationPolicySpec(
        trust_manager=SimpleTrustManager.build(trust_roots=[root]),
        revinfo_policy=CertRevTrustPolicy(
            RevocationCheckingPolicy(ee_certificate_rule=rule, intermediate_ca_cert_rule=rule)
        ),
    )
    spec = PdfSignatureValidationSpec(SignatureValidationSpec(cert_validation_policy=policy))
    signature = PdfFileReader(io.BytesIO(pdf)).embedded_regular_signatures[0]
    try:
        result = asyncio.run(simulate_future_ades_lta_validation(signature, spec, future_validation_time=moment))
    except Exception:  # noqa: BLE001 - pyHanko raises (e.g. ExpiredError) when no evidence covers the moment
        return False
    return result.ades_subindic == AdESPassed.OK


def test_one_flipped_byte_after_the_archive_time_stamp_is_caught(pki, pdfa) -> None:
    signed = _signed(pki, pdfa).data
    pki.server.rollover_tsa()
    archived = ltv.add_archive_timestamp(signed, timestamp_url=pki.server.tsa_url, long_term=_lt(pki))
    position = pdfa.index(b"/OutputIntents")  # inside every signed byte range
    tampered = bytearray(archived)
    tampered[position + 1] ^= 0x20

    report = verify_pdf(bytes(tampered), trust_roots=[pki.files.root_cert_path])
    assert not report.intact and not report.valid


def test_archive_time_stamp_needs_a_tsa(pki, pdfa) -> None:
    from khoso.signing.pades import SigningError

    with pytest.raises(SigningError) as refused:
        ltv.add_archive_timestamp(_signed(pki, pdfa).data, timestamp_url="", long_term=_lt(pki))
    assert "KHOSO_TSA_URL" in refused.value.message


# -- PKCS#11 (SoftHSM2) -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def token(tmp_path_factory: pytest.TempPathFactory):
    """The archive's key on a SoftHSM2 token (made once per process: SoftHSM reads its config once)."""
    from khoso.signing.testpki import LocalPki, softhsm_token

    with LocalPki(agency_name=AGENCY) as server:
        try:
            made = softhsm_token(server.signer, [server.root.certificate], tmp_path_factory.mktemp("hsm"))
        except RuntimeError as missing:
            pytest.fail(f"SoftHSM2 is needed for the PKCS#11 test (install.sh installs it): {missing}")
        yield made, server


def test_pkcs11_token_signs_a_rendition(token, pdfa) -> None:
    soft, server = token
    with open_pkcs11_signer(soft.module, token=soft.token, key=soft.key, pin=soft.pin) as signer:
        assert signer.subject_name == AGENCY and len(signer.chain) == 1
        result = sign_rendition(pdfa, signer=signer, agency_name=AGENCY, timestamp_url=server.tsa_url)

    assert result.level == "B-T" and result.data.startswith(pdfa)
    report = verify_pdf(result.data, trust_roots=[server.root_pem()])
    assert report.valid and report.signer_name == AGENCY
    assert report.signed_at is not None and report.signed_at.utcoffset() == VIETNAM.utcoffset(None)


def test_pkcs11_wrong_pin_or_label_is_a_clear_vietnamese_error(token) -> None:
    soft, _server = token
    with (
        pytest.raises(SigningTokenError) as wrong_pin,
        open_pkcs11_signer(soft.module, token=soft.token, key=soft.key, pin="0000"),
    ):
        pass
    assert "mã PIN" in wrong_pin.value.message and "0000" not in wrong_pin.value.message
    with (
        pytest.raises(SigningTokenError) as wrong_key,
        open_pkcs11_signer(soft.module, token=soft.token, key="khong-co", pin=soft.pin),
    ):
        pass
    assert "«khong-co»" in wrong_key.value.message
    with (
        pytest.raises(SigningTokenError) as no_module,
        open_pkcs11_signer("/khong/co/libpkcs11.so", token=soft.token, key=soft.key, pin=soft.pin),
    ):
        pass
    assert "thư viện PKCS#11" in no_module.value.message
