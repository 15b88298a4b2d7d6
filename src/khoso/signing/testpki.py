"""A whole throw-away PKI on 127.0.0.1: CA with CRL and OCSP, and an RFC 3161 time-stamp authority.

NEVER for real signatures. Long-term signatures (PAdES B-T, B-LT, B-LTA) need three services besides
the signing key: a time-stamp authority (TSA, RFC 3161) that vouches for *when*, and a CRL
distribution point or an OCSP responder that says the certificates were not revoked at that time.
A test or a demo without Internet access still has to exercise all of them end to end, so
:class:`LocalPki` runs them in one threaded ``http.server`` on the loopback interface:

- ``POST /tsa``: time-stamp responses, built by pyHanko's ``DummyTimeStamper`` server-side with the
  current TSA certificate (``rollover_tsa`` issues a new one, as a real TSA renews its certificate);
- ``GET /crl``: the CA's CRL (DER, regenerated on each request, valid one day);
- ``POST /ocsp``: OCSP answers (RFC 6960) signed by the CA itself.

Every certificate it issues names those URLs (CRL distribution point, authority information access),
so a validator that fetches revocation data finds them exactly as it would at a public CA. The port is
chosen by the operating system unless given; the certificates are made after the socket is bound, so
the URLs they carry are right. The subjects carry «TEST - không có giá trị pháp lý», like
:mod:`khoso.signing.testca`. No Django: the tests, the demo and a CLI share it.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from asn1crypto import keys as asn1_keys
from asn1crypto import tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509 import ocsp
from cryptography.x509.oid import AuthorityInformationAccessOID, ExtendedKeyUsageOID, NameOID
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
from pyhanko_certvalidator.registry import SimpleCertificateStore

from khoso.core.text import nfc
from khoso.signing.testca import ADOBE_AUTHENTIC_DOCUMENTS, DOCUMENT_SIGNING, TEST_MARK, TestCA, _write_atomically

ROOT_NAME = "Kho Số test PKI root"
TSA_NAME = "Kho Số test TSA"
KEY_SIZE = 2048
#: A fresh CRL or OCSP answer is good for one day, like most public CAs publish them.
REVOCATION_VALIDITY = timedelta(days=1)


def _key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=KEY_SIZE)


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, common_name),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, TEST_MARK),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _der(certificate: x509.Certificate) -> bytes:
    return certificate.public_bytes(serialization.Encoding.DER)


def _usage(*, sign: bool, ca: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=sign,
        content_commitment=sign,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=ca,
        crl_sign=ca,
        encipher_only=False,
        decipher_only=False,
    )


@dataclass(frozen=True)
class Issued:
    """One certificate the PKI issued, with its key (kept in memory only)."""

    key: rsa.RSAPrivateKey
    certificate: x509.Certificate

    @property
    def not_after(self) -> datetime:
        return self.certificate.not_valid_after_utc

    def asn1(self) -> asn1_x509.Certificate:
        return asn1_x509.Certificate.load(_der(self.certificate))

    def asn1_key(self) -> asn1_keys.PrivateKeyInfo:
        return asn1_keys.PrivateKeyInfo.load(
            self.key.private_bytes(
                serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )


class LocalPki:
    """Root CA, the archive's signing certificate and a TSA, served on ``host``; stop with :meth:`stop`.

    ``tsa_days`` is the life of the first TSA certificate: a short one lets a test see a signature's
    time stamp come close to expiry, which is what the re-time-stamp job exists for.
    """

    def __init__(
        self,
        *,
        agency_name: str,
        tsa_days: int = 3650,
        signer_days: int = 3650,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.agency_name = nfc(agency_name).strip()
        if not self.agency_name:
            raise ValueError("Tên cơ quan không được để trống. / The agency name must not be empty.")
        self._revoked: dict[int, datetime] = {}
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer((host, port), _handler(self))
        self.base_url = f"http://{host}:{self._server.server_address[1]}"
        now = datetime.now(UTC)
        self.root = self._make_root(now)
        self.signer = self.issue(self.agency_name, days=signer_days, eku=[DOCUMENT_SIGNING, ADOBE_AUTHENTIC_DOCUMENTS])
        self.tsa = self.issue(TSA_NAME, days=tsa_days, eku=[ExtendedKeyUsageOID.TIME_STAMPING], critical_eku=True)
        self._stamper = self._stamper_for(self.tsa)
        self._thread: threading.Thread | None = None
        self.requests: dict[str, int] = {"tsa": 0, "crl": 0, "ocsp": 0}

    # -- URLs ----------------------------------------------------------------------------------------

    @property
    def tsa_url(self) -> str:
        return f"{self.base_url}/tsa"

    @property
    def crl_url(self) -> str:
        return f"{self.base_url}/crl"

    @property
    def ocsp_url(self) -> str:
        return f"{self.base_url}/ocsp"

    # -- lifecycle -----------------------------------------------------------------------------------

    def start(self) -> LocalPki:
        if self._thread is None:
            self._thread = threading.Thread(target=self._server.serve_forever, daemon=True, name="khoso-test-pki")
            self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join()
            self._thread = None
        self._server.server_close()

    def __enter__(self) -> LocalPki:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()

    # -- certificates --------------------------------------------------------------------------------

    def _make_root(self, now: datetime) -> Issued:
        key = _key()
        name = _name(ROOT_NAME)
        certificate = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=1))
            .not_valid_after(now + timedelta(days=365 * 30))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(_usage(sign=False, ca=True), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .sign(key, hashes.SHA256())
        )
        return Issued(key, certificate)

    def issue(
        self, common_name: str, *, days: int, eku: list[x509.ObjectIdentifier], critical_eku: bool = False
    ) -> Issued:
        """An end-entity certificate under the root, naming this server's CRL and OCSP URLs."""
        now = datetime.now(UTC)
        key = _key()
        root_key = self.root.key
        certificate = (
            x509.CertificateBuilder()
            .subject_name(_name(common_name))
            .issuer_name(self.root.certificate.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=1))
            .not_valid_after(now + timedelta(days=days))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(_usage(sign=True, ca=False), critical=True)
            .add_extension(x509.ExtendedKeyUsage(eku), critical=critical_eku)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key()), critical=False)
            .add_extension(
                x509.CRLDistributionPoints(
                    [x509.DistributionPoint([x509.UniformResourceIdentifier(self.crl_url)], None, None, None)]
                ),
                critical=False,
            )
            .add_extension(
                x509.AuthorityInformationAccess(
                    [
                        x509.AccessDescription(
                            AuthorityInformationAccessOID.OCSP, x509.UniformResourceIdentifier(self.ocsp_url)
                        )
                    ]
                ),
                critical=False,
            )
            .sign(root_key, hashes.SHA256())
        )
        return Issued(key, certificate)

    def _stamper_for(self, tsa: Issued) -> DummyTimeStamper:
        return DummyTimeStamper(
            tsa_cert=tsa.asn1(),
            tsa_key=tsa.asn1_key(),
            certs_to_embed=SimpleCertificateStore.from_certs([asn1_x509.Certificate.load(_der(self.root.certificate))]),
        )

    def rollover_tsa(self, *, days: int = 3650) -> Issued:
        """Give the TSA a new certificate (what a real TSA does before the old one expires)."""
        tsa = self.issue(TSA_NAME, days=days, eku=[ExtendedKeyUsageOID.TIME_STAMPING], critical_eku=True)
        with self._lock:
            self.tsa = tsa
            self._stamper = self._stamper_for(tsa)
        return tsa

    def revoke(self, certificate: x509.Certificate) -> None:
        with self._lock:
            self._revoked[certificate.serial_number] = datetime.now(UTC) - timedelta(seconds=1)

    # -- files -----------------------------------------------------------------------------------------

    def p12(self, password: bytes = b"") -> bytes:
        """The archive's key, certificate and chain as PKCS#12 (what ``KHOSO_SIGNING_P12`` points at)."""
        encryption = serialization.BestAvailableEncryption(password) if password else serialization.NoEncryption()
        return pkcs12.serialize_key_and_certificates(
            name=f"{self.agency_name} (TEST)".encode(),
            key=self.signer.key,
            cert=self.signer.certificate,
            cas=[self.root.certificate],
            encryption_algorithm=encryption,
        )

    def root_pem(self) -> bytes:
        return self.root.certificate.public_bytes(serialization.Encoding.PEM)

    def write(self, directory: Path, *, password: bytes = b"") -> TestCA:
        """Write ``archive.p12`` and ``root.pem`` into ``directory`` (the key file readable by its owner only)."""
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        result = TestCA(p12_path=directory / "archive.p12", root_cert_path=directory / "root.pem")
        _write_atomically(result.root_cert_path, self.root_pem())
        _write_atomically(result.p12_path, self.p12(password), mode=0o600)
        return result

    # -- answers ---------------------------------------------------------------------------------------

    def timestamp(self, request: bytes) -> bytes:
        with self._lock:
            stamper = self._stamper
        return stamper.request_tsa_response(tsp.TimeStampReq.load(request)).dump()

    def crl(self) -> bytes:
        now = datetime.now(UTC)
        builder = (
            x509.CertificateRevocationListBuilder()
            .issuer_name(self.root.certificate.subject)
            .last_update(now - timedelta(minutes=1))
            .next_update(now + REVOCATION_VALIDITY)
            .add_extension(x509.CRLNumber(int(now.timestamp())), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(self.root.key.public_key()), critical=False
            )
        )
        with self._lock:
            revoked = dict(self._revoked)
        for serial, when in revoked.items():
            builder = builder.add_revoked_certificate(
                x509.RevokedCertificateBuilder().serial_number(serial).revocation_date(when).build()
            )
        return builder.sign(self.root.key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)

    def ocsp(self, request: bytes) -> bytes:
        try:
            asked = ocsp.load_der_ocsp_request(request)
        except ValueError:
            return ocsp.OCSPResponseBuilder.build_unsuccessful(ocsp.OCSPResponseStatus.MALFORMED_REQUEST).public_bytes(
                serialization.Encoding.DER
            )
        known = {issued.certificate.serial_number: issued.certificate for issued in (self.signer, self.tsa)}
        certificate = known.get(asked.serial_number)
        if certificate is None:
            return ocsp.OCSPResponseBuilder.build_unsuccessful(ocsp.OCSPResponseStatus.UNAUTHORIZED).public_bytes(
                serialization.Encoding.DER
            )
        now = datetime.now(UTC)
        with self._lock:
            revoked_at = self._revoked.get(asked.serial_number)
        status = ocsp.OCSPCertStatus.REVOKED if revoked_at else ocsp.OCSPCertStatus.GOOD
        builder = (
            ocsp.OCSPResponseBuilder()
            .add_response(
                cert=certificate,
                issuer=self.root.certificate,
                algorithm=hashes.SHA256(),
                cert_status=status,
                this_update=now - timedelta(minutes=1),
                next_update=now + REVOCATION_VALIDITY,
                revocation_time=revoked_at,
                revocation_reason=None,
            )
            .responder_id(ocsp.OCSPResponderEncoding.HASH, self.root.certificate)
        )
        for extension in asked.extensions:
            if isinstance(extension.value, x509.OCSPNonce):
                builder = builder.add_extension(extension.value, critical=False)
        return builder.sign(self.root.key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)


#: Where Debian's softhsm2 package puts its PKCS#11 module.
SOFTHSM_MODULE = Path("/usr/lib/softhsm/libsofthsm2.so")


@dataclass(frozen=True)
class SoftToken:
    """A SoftHSM2 token holding the archive's key: the KHOSO_SIGNING_PKCS11_MODULE, _TOKEN, _KEY and _PIN values."""

    module: str
    token: str
    key: str
    pin: str


def softhsm_token(
    issued: Issued, chain: list[x509.Certificate], directory: Path, *, label: str = "khoso", pin: str = "1234"
) -> SoftToken:
    """Put ``issued``'s key and certificate (and ``chain``) on a fresh SoftHSM2 token under ``directory``.

    Sets ``SOFTHSM2_CONF`` for this process (SoftHSM reads it when the module is first loaded, so call
    this once per process, before anything opens the module). Needs ``softhsm2-util`` (Debian
    ``softhsm2``) and python-pkcs11; raises ``RuntimeError`` saying which is missing.
    """
    import os
    import shutil
    import subprocess

    if not SOFTHSM_MODULE.is_file() or shutil.which("softhsm2-util") is None:
        raise RuntimeError(f"SoftHSM2 is not installed ({SOFTHSM_MODULE}, softhsm2-util): apt-get install softhsm2")
    import pkcs11
    from pkcs11 import Attribute, ObjectClass
    from pkcs11.util.rsa import decode_rsa_private_key
    from pkcs11.util.x509 import decode_x509_certificate

    directory = Path(directory)
    tokens = directory / "tokens"
    tokens.mkdir(parents=True, exist_ok=True)
    conf = directory / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {tokens}\nobjectstore.backend = file\nlog.level = ERROR\n")
    os.environ["SOFTHSM2_CONF"] = str(conf)
    subprocess.run(
        ["softhsm2-util", "--init-token", "--free", "--label", label, "--pin", pin, "--so-pin", pin + "0"],
        check=True,
        capture_output=True,
        env={**os.environ, "SOFTHSM2_CONF": str(conf)},
    )
    key_id = b"\x01"
    der_key = issued.key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
    )
    token = pkcs11.lib(str(SOFTHSM_MODULE)).get_token(token_label=label)
    with token.open(rw=True, user_pin=pin) as session:
        attributes = decode_rsa_private_key(der_key)
        attributes.update(
            {
                Attribute.TOKEN: True,
                Attribute.PRIVATE: True,
                Attribute.SENSITIVE: True,
                Attribute.LABEL: "archive",
                Attribute.ID: key_id,
            }
        )
        session.create_object(attributes)
        for index, certificate in enumerate([issued.certificate, *chain]):
            template = decode_x509_certificate(_der(certificate))
            template.update(
                {
                    Attribute.TOKEN: True,
                    Attribute.LABEL: "archive" if index == 0 else f"ca-{index}",
                    Attribute.ID: key_id if index == 0 else bytes([0x10 + index]),
                }
            )
            assert template[Attribute.CLASS] == ObjectClass.CERTIFICATE
            session.create_object(template)
    return SoftToken(module=str(SOFTHSM_MODULE), token=label, key="archive", pin=pin)


def _handler(pki: LocalPki) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _answer(self, body: bytes, kind: str) -> None:
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _body(self) -> bytes:
            return self.rfile.read(int(self.headers.get("Content-Length") or 0))

        def do_GET(self) -> None:  # noqa: N802 - the http.server API
            if self.path.split("?")[0] == "/crl":
                pki.requests["crl"] += 1
                self._answer(pki.crl(), "application/pkix-crl")
            else:
                self.send_error(404)

        def do_POST(self) -> None:  # noqa: N802 - the http.server API
            path = self.path.split("?")[0]
            if path == "/tsa":
                pki.requests["tsa"] += 1
                self._answer(pki.timestamp(self._body()), "application/timestamp-reply")
            elif path == "/ocsp":
                pki.requests["ocsp"] += 1
                self._answer(pki.ocsp(self._body()), "application/ocsp-response")
            else:
                self.send_error(404)

        def log_message(self, *args: Any) -> None:
            return

    return Handler


__all__ = ["SOFTHSM_MODULE", "Issued", "LocalPki", "SoftToken", "softhsm_token"]
