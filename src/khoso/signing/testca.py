"""A throw-away certificate authority for the demo and the tests: NEVER for real certified copies.

A certified copy (TT05 Đ41) only has legal value when it is signed with the archive's certificate issued
by a licensed Vietnamese CA (a public CA under Luật Giao dịch điện tử, or the Ban Cơ yếu Chính phủ CA for
state agencies). The demo and the test-suite still need to sign and verify end to end without such a
token, so this module makes a self-signed root «Kho Số test CA» and, under it, one signing certificate
for the archive, in the same shape as a real one:

- key usage ``digitalSignature`` + ``nonRepudiation`` (content commitment), as PAdES validators expect
  of a signer who commits to a document;
- extended key usage ``id-kp-documentSigning`` (RFC 9336) and Adobe's «Authentic Documents» OID, so a
  strict validator that checks the EKU accepts it for documents;
- RSA 2048-bit keys, as on the USB tokens the Vietnamese public CAs issue.

Both subjects carry the unit «TEST - không có giá trị pháp lý» so that nobody mistakes a copy signed
with them for a legal one. The root's private key is not kept: the files are only ``archive.p12``
(signing key + certificate + chain, what ``KHOSO_SIGNING_P12`` points at) and ``root.pem`` (what a
verifier trusts).
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID, ObjectIdentifier

from khoso.core.text import nfc

ROOT_NAME = "Kho Số test CA"
P12_NAME = "archive.p12"
ROOT_NAME_FILE = "root.pem"
#: RFC 9336 id-kp-documentSigning.
DOCUMENT_SIGNING = ObjectIdentifier("1.3.6.1.5.5.7.3.36")
#: Adobe Authentic Documents Trust (what Acrobat looks for on document-signing certificates).
ADOBE_AUTHENTIC_DOCUMENTS = ObjectIdentifier("1.2.840.113583.1.1.5")
KEY_SIZE = 2048
ROOT_YEARS = 20
SIGNER_YEARS = 10


@dataclass(frozen=True)
class TestCA:
    """Where the test CA's files are: the archive's PKCS#12 and the root certificate to trust."""

    __test__ = False  # not a pytest test class, despite its name

    p12_path: Path
    root_cert_path: Path


TEST_MARK = "TEST - không có giá trị pháp lý"


def _name(common_name: str, *, organisation: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, TEST_MARK),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=KEY_SIZE)


def _root(now: datetime) -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
    key = _key()
    name = _name(ROOT_NAME, organisation="Kho Số")
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=365 * ROOT_YEARS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return key, cert


def _signer(
    agency_name: str, now: datetime, root_key: rsa.RSAPrivateKey, root: x509.Certificate
) -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
    key = _key()
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(agency_name, organisation=agency_name))
        .issuer_name(root.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=365 * SIGNER_YEARS))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.ExtendedKeyUsage([DOCUMENT_SIGNING, ADOBE_AUTHENTIC_DOCUMENTS, ExtendedKeyUsageOID.EMAIL_PROTECTION]),
            critical=False,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key()),
            critical=False,
        )
        .sign(root_key, hashes.SHA256())
    )
    return key, cert


def _write_atomically(path: Path, data: bytes, *, mode: int = 0o644) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "wb") as output:
            output.write(data)
            output.flush()
            os.fsync(output.fileno())
        Path(temporary).chmod(mode)
        Path(temporary).replace(path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def ensure_test_ca(directory: Path, *, agency_name: str, password: bytes = b"") -> TestCA:
    """Create the test root and the archive's signing certificate in ``directory`` unless both exist.

    Idempotent: when ``archive.p12`` and ``root.pem`` are already there they are returned untouched
    (a second call never replaces a key that copies were signed with). ``password`` protects the
    PKCS#12 file (empty: unencrypted, convenient for the demo only).
    """
    directory = Path(directory)
    result = TestCA(p12_path=directory / P12_NAME, root_cert_path=directory / ROOT_NAME_FILE)
    if result.p12_path.is_file() and result.root_cert_path.is_file():
        return result
    directory.mkdir(parents=True, exist_ok=True)
    agency_name = nfc(agency_name).strip()
    if not agency_name:
        raise ValueError("Tên cơ quan lưu trữ không được để trống. / The agency name must not be empty.")
    now = datetime.now(UTC)
    root_key, root = _root(now)
    key, cert = _signer(agency_name, now, root_key, root)
    encryption = serialization.BestAvailableEncryption(password) if password else serialization.NoEncryption()
    p12 = pkcs12.serialize_key_and_certificates(
        name=f"{agency_name} (TEST)".encode(), key=key, cert=cert, cas=[root], encryption_algorithm=encryption
    )
    # The root first: a half-written pair is detected above (both files must exist) and redone.
    _write_atomically(result.root_cert_path, root.public_bytes(serialization.Encoding.PEM))
    _write_atomically(result.p12_path, p12, mode=0o600)
    return result
