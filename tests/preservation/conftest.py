"""Fixtures of the preservation tests: a real S3 server (SeaweedFS), storage locations and a small holding.

SeaweedFS starts once per session on free loopback ports with one access key, and each test gets
its own bucket, so tests do not see each other's objects.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ACCESS_KEY = "khoso-test-access"
SECRET_KEY = "khoso-test-secret-0123456789"
KEY_ENV, SECRET_ENV = "KHOSO_TEST_S3_ACCESS", "KHOSO_TEST_S3_SECRET"


def _free_ports(count: int) -> list[int]:
    """Free ports whose +10000 neighbours are free too (SeaweedFS's default gRPC offset, named anyway)."""
    ports: list[int] = []
    while len(ports) < count:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        if port + 10000 > 65535 or port in ports:
            continue
        with socket.socket() as grpc:
            try:
                grpc.bind(("127.0.0.1", port + 10000))
            except OSError:
                continue
        ports.append(port)
    return ports


START_ATTEMPTS = 3


def _wait_until_ready(process: subprocess.Popen[bytes], client: Any, log_path: Path, *, attempt: int) -> bool:
    """True once S3 answers; False when the server exited early (and another attempt remains)."""
    deadline = time.monotonic() + 60
    while True:
        if process.poll() is not None:
            if attempt < START_ATTEMPTS:
                return False
            raise RuntimeError(f"SeaweedFS exited: {log_path.read_text()[-2000:]}")
        try:
            client.create_bucket(Bucket="probe")
            client.put_object(Bucket="probe", Key="ready", Body=b"ok")
            return True
        except Exception as error:
            if time.monotonic() > deadline:
                process.kill()
                raise RuntimeError(f"SeaweedFS S3 not ready in 60 s: {log_path.read_text()[-2000:]}") from error
            time.sleep(0.2)


def _weed() -> str:
    found = Path(sys.executable).parent / "weed"
    return str(found) if found.exists() else shutil.which("weed") or "weed"


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    import boto3
    from botocore.config import Config

    root = tmp_path_factory.mktemp("seaweedfs")
    config = root / "s3.json"
    identity = {"name": "khoso", "credentials": [{"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}]}
    identity["actions"] = ["Admin", "Read", "Write", "List", "Tagging"]
    config.write_text(json.dumps({"identities": [identity]}))
    # Ports are probed free, then released: another test worker's server, or an outgoing connection,
    # can take one before SeaweedFS binds it. It then exits at once, and we start it on new ports.
    for attempt in range(1, START_ATTEMPTS + 1):
        master, volume, filer, s3 = _free_ports(4)
        data = root / f"data-{attempt}"
        data.mkdir()
        command = [
            _weed(), "server", "-ip=127.0.0.1", "-ip.bind=127.0.0.1", f"-dir={data}",
            f"-master.port={master}", f"-master.port.grpc={master + 10000}", "-master.volumeSizeLimitMB=8",
            f"-volume.port={volume}", f"-volume.port.grpc={volume + 10000}", "-volume.max=300",
            "-filer", f"-filer.port={filer}", f"-filer.port.grpc={filer + 10000}",
            "-s3", f"-s3.port={s3}", f"-s3.port.grpc={s3 + 10000}", f"-s3.config={config}",
            "-s3.port.iceberg=0", "-s3.port.lance=0",  # fixed default ports: two test workers would collide
            "-master.telemetry=false",
        ]  # fmt: skip
        log = open(root / "weed.log", "wb")  # noqa: SIM115 - closed at teardown
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        endpoint = f"http://127.0.0.1:{s3}"
        client = boto3.client(
            "s3",
            endpoint_url=endpoint,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
            region_name="us-east-1",
            config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}, connect_timeout=1),
        )
        if _wait_until_ready(process, client, root / "weed.log", attempt=attempt):
            break
        log.close()
    try:
        yield {"endpoint": endpoint, "access_key": ACCESS_KEY, "secret_key": SECRET_KEY}
    finally:
        process.terminate()  # SeaweedFS may take long to shut down gracefully; its data is thrown away anyway
        try:
            process.wait(timeout=2)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        log.close()


@pytest.fixture
def s3_location(s3_server: dict[str, str], monkeypatch: pytest.MonkeyPatch, db):  # type: ignore[no-untyped-def]
    """A storage-location row for a fresh bucket; its credentials only in the environment."""
    from khoso.preservation.locations import S3Location
    from khoso.preservation.models import StorageLocation

    monkeypatch.setenv(KEY_ENV, s3_server["access_key"])
    monkeypatch.setenv(SECRET_ENV, s3_server["secret_key"])
    bucket = f"kho-{uuid.uuid4().hex[:12]}"
    S3Location(
        endpoint_url=s3_server["endpoint"],
        bucket=bucket,
        access_key=s3_server["access_key"],
        secret_key=s3_server["secret_key"],
        create_bucket=True,
    )
    return StorageLocation.objects.create(
        name="Trung tâm Dữ liệu tỉnh (S3)",
        kind=StorageLocation.Kind.S3,
        endpoint_url=s3_server["endpoint"],
        bucket=bucket,
        region="us-east-1",
        access_key_env=KEY_ENV,
        secret_key_env=SECRET_ENV,
    )


@pytest.fixture
def local_location(tmp_path: Path, db):  # type: ignore[no-untyped-def]
    from khoso.preservation.models import StorageLocation

    return StorageLocation.objects.create(name="Ổ đĩa dự phòng", kind="local", path=str(tmp_path / "replica"))


def _add_pages(archive_file: Any, count: int, seed: str) -> list[str]:
    from khoso.archive.models import Page
    from khoso.storage.services import object_put_bytes

    digests = []
    for number in range(1, count + 1):
        original = object_put_bytes(data=os.urandom(3000) + f"{seed}-{number}".encode(), mime="image/tiff")
        rendition = object_put_bytes(data=os.urandom(2000), mime="application/pdf")
        thumbnail = object_put_bytes(data=os.urandom(500), mime="image/jpeg")
        Page.objects.create(
            file=archive_file,
            number=number,
            original=original,
            original_name=f"trang-{number:03d}.tif",
            rendition=rendition,
            thumbnail=thumbnail,
            stage=Page.Stage.DONE,
        )
        digests += [original.sha256, rendition.sha256, thumbnail.sha256]
    archive_file.pdf = object_put_bytes(data=b"%PDF-1.7\n" + os.urandom(4000), mime="application/pdf")
    archive_file.save(update_fields=["pdf"])
    return [*digests, archive_file.pdf.sha256]


@pytest.fixture
def holding(archive_file) -> list[str]:  # type: ignore[no-untyped-def]
    """One file of 10 pages: originals, renditions, thumbnails and the file PDF (31 objects)."""
    return _add_pages(archive_file, 10, "a")


@pytest.fixture
def other_fonds_holding(institution) -> list[str]:  # type: ignore[no-untyped-def]
    """Objects of a second fonds, which fonds and file audits of the first must leave alone."""
    from datetime import date

    from khoso.archive.services import file_create, fonds_create

    other = fonds_create(
        institution=institution,
        code="SYT-DL",
        name="Phông Sở Y tế tỉnh Đắk Lắk",
        organ_id="000.00.01.H15",
        history="Thành lập năm 1976.",
        archives_time="1976-2000",
        paper_total=10,
        key_groups="Tài liệu y tế",
        language="01",
    )
    other_file = file_create(
        fonds=other,
        file_catalog=1996,
        file_notation="02.YT",
        title="Hồ sơ tiêm chủng năm 1996",
        mode="01",
        language="01",
        start_date=date(1996, 1, 3),
        end_date=date(1996, 12, 28),
        description="Người lập hồ sơ: Trần Thị B",
    )
    return _add_pages(other_file, 3, "b")


@pytest.fixture
def flip_bit():  # type: ignore[no-untyped-def]
    """Flip one bit of a stored local file in place (bit rot), keeping its size and name."""

    def flip(path: Path, bit: int = 0) -> None:
        data = bytearray(path.read_bytes())
        data[(bit // 8) % len(data)] ^= 1 << (bit % 8)
        path.chmod(0o644)
        path.write_bytes(bytes(data))

    return flip


@pytest.fixture
def khoso_process(isolated_data: Path, settings):  # type: ignore[no-untyped-def]
    """``khoso_process(*args, fault="")``: run ``khoso`` in a new process on this test's database and data
    directory (transactional tests only: the child must see committed rows)."""
    import signal  # noqa: F401  (callers compare return codes with -signal.SIGKILL)
    from urllib.parse import quote

    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        url = f"sqlite:///{database['NAME']}"
    else:
        credentials = f"{quote(database['USER'] or '')}:{quote(database['PASSWORD'] or '')}@"
        url = f"postgres://{credentials}{database['HOST'] or ''}:{database['PORT'] or 5432}/{database['NAME']}"

    def run(*args: str, fault: str = "") -> subprocess.CompletedProcess[bytes]:
        env = {
            **os.environ,
            "KHOSO_DATA_DIR": str(isolated_data),
            "KHOSO_DATABASE_URL": url,
            "KHOSO_FAULT_INJECT": fault,
        }
        env.pop("DJANGO_SETTINGS_MODULE", None)
        return subprocess.run([sys.executable, "-m", "khoso", *args], env=env, capture_output=True, timeout=120)

    return run
