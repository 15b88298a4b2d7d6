"""Both kinds of location keep the primary layout, refuse wrong content and hash what they hold."""

from __future__ import annotations

import hashlib
import io
import uuid
from pathlib import Path

import pytest

from khoso.preservation.locations import LocalLocation, S3Location
from khoso.storage.cas import DigestMismatchError


def _s3(s3_server: dict[str, str], bucket: str) -> S3Location:
    return S3Location(
        endpoint_url=s3_server["endpoint"],
        bucket=bucket,
        access_key=s3_server["access_key"],
        secret_key=s3_server["secret_key"],
        create_bucket=True,
    )


@pytest.fixture(params=["local", "s3"])
def location(request: pytest.FixtureRequest, tmp_path: Path):  # type: ignore[no-untyped-def]
    if request.param == "local":
        return LocalLocation(tmp_path / "copy")
    return _s3(request.getfixturevalue("s3_server"), f"loc-{uuid.uuid4().hex[:12]}")


def test_a_copy_round_trips_and_is_hashed_from_the_location(location, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    data = b"Trang 1 - Quy hoach tinh Dak Lak" * 5000
    sha256 = hashlib.sha256(data).hexdigest()
    source = tmp_path / "source.bin"
    source.write_bytes(data)
    assert not location.exists(sha256) and location.sha256_of(sha256) is None
    location.put_from(source, sha256)
    assert location.exists(sha256)
    assert location.sha256_of(sha256) == sha256
    with location.open(sha256) as stream:
        assert stream.read() == data
    assert list(location.iter_digests()) == [sha256]
    assert sha256[:2] in location.describe(sha256) and sha256 in location.describe(sha256)
    location.delete(sha256)
    assert not location.exists(sha256) and list(location.iter_digests()) == []


def test_a_repair_replaces_a_damaged_copy_of_the_same_size(tmp_path: Path) -> None:
    location = LocalLocation(tmp_path / "copy")
    data = b"x" * 10_000
    sha256 = hashlib.sha256(data).hexdigest()
    location.put_from(io.BytesIO(data), sha256)
    path = location.store.path_for(sha256)
    path.chmod(0o644)
    path.write_bytes(b"y" + data[1:])
    location.put_from(io.BytesIO(data), sha256)
    assert location.sha256_of(sha256) == sha256


def test_local_copy_with_wrong_content_is_refused_and_leaves_nothing(tmp_path: Path) -> None:
    location = LocalLocation(tmp_path / "copy")
    expected = hashlib.sha256(b"dung").hexdigest()
    with pytest.raises(DigestMismatchError) as raised:
        location.put_from(io.BytesIO(b"sai"), expected)
    assert raised.value.found == hashlib.sha256(b"sai").hexdigest()
    assert list(location.iter_digests()) == [] and list(location.store.staging.iterdir()) == []


def test_s3_upload_leaves_no_staging_key(s3_server: dict[str, str]) -> None:
    location = _s3(s3_server, "staging-check")
    data = b"ban sao" * 100
    sha256 = hashlib.sha256(data).hexdigest()
    location.put_from(io.BytesIO(data), sha256)
    keys = [item["Key"] for item in location.client.list_objects_v2(Bucket="staging-check").get("Contents", [])]
    assert keys == [f"objects/{sha256[:2]}/{sha256[2:4]}/{sha256}"]
