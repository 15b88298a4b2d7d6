"""The demo/test CA: made once, shaped like a real document-signing certificate, loadable by the signer."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from khoso.signing import SigningKeyError, ensure_test_ca, load_signer
from khoso.signing.testca import DOCUMENT_SIGNING, ROOT_NAME, TEST_MARK


def test_ensure_test_ca_creates_root_and_signing_certificate_once(tmp_path: Path) -> None:
    first = ensure_test_ca(tmp_path / "ca", agency_name="Trung tâm Lưu trữ quốc gia III")
    p12, root_pem = first.p12_path.read_bytes(), first.root_cert_path.read_bytes()

    again = ensure_test_ca(tmp_path / "ca", agency_name="Trung tâm Lưu trữ quốc gia III")

    assert again == first
    assert first.p12_path.read_bytes() == p12, "a second call must not replace the key copies were signed with"
    assert first.root_cert_path.read_bytes() == root_pem
    assert first.p12_path.stat().st_mode & 0o077 == 0, "the private key file is readable by its owner only"


def test_test_ca_certificate_is_fit_for_signing_documents(tmp_path: Path) -> None:
    ca = ensure_test_ca(tmp_path, agency_name="Trung tâm Lưu trữ quốc gia III")
    key, cert, chain = pkcs12.load_key_and_certificates(ca.p12_path.read_bytes(), None)
    root = x509.load_pem_x509_certificate(ca.root_cert_path.read_bytes())

    assert key is not None and cert is not None
    assert cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "Trung tâm Lưu trữ quốc gia III"
    assert root.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == ROOT_NAME
    for name in (cert.subject, root.subject):
        assert name.get_attributes_for_oid(NameOID.ORGANIZATIONAL_UNIT_NAME)[0].value == TEST_MARK
    assert [c.fingerprint(root.signature_hash_algorithm) for c in chain] == [
        root.fingerprint(root.signature_hash_algorithm)
    ]
    cert.verify_directly_issued_by(root)
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature and usage.content_commitment and not usage.key_cert_sign
    extended = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert DOCUMENT_SIGNING in extended and ExtendedKeyUsageOID.SERVER_AUTH not in extended
    assert root.extensions.get_extension_for_class(x509.BasicConstraints).value.ca


def test_password_protected_p12_needs_the_password(tmp_path: Path) -> None:
    ca = ensure_test_ca(tmp_path, agency_name="Chi cục Văn thư - Lưu trữ", password=b"mat-khau")

    signer = load_signer(ca.p12_path, b"mat-khau")
    assert signer.subject_name == "Chi cục Văn thư - Lưu trữ"

    with pytest.raises(SigningKeyError) as wrong:
        load_signer(ca.p12_path, b"sai")
    assert "sai mật khẩu" in wrong.value.message
    assert wrong.value.message_english.startswith("The signing key file")


def test_missing_or_foreign_key_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(SigningKeyError) as missing:
        load_signer(tmp_path / "khong-co.p12", None)
    assert "không có tệp" in missing.value.message

    not_p12 = tmp_path / "giay-to.p12"
    not_p12.write_bytes(b"%PDF-1.7 not a key store")
    with pytest.raises(SigningKeyError) as foreign:
        load_signer(not_p12, None)
    assert "PKCS#12" in foreign.value.message
