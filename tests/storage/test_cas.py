"""The content-addressed store: digests are names, writes are atomic, damage is detected."""

import hashlib
from pathlib import Path

import pytest

from khoso.storage.cas import ObjectStore


def test_put_is_content_addressed_and_deduplicated(tmp_path: Path) -> None:
    store = ObjectStore(tmp_path)
    first = store.put_bytes(b"trang 1")
    again = store.put_bytes(b"trang 1")
    assert first.sha256 == hashlib.sha256(b"trang 1").hexdigest()
    assert first.created and not again.created
    assert store.read_bytes(first.sha256) == b"trang 1"
    assert list(store.iter_digests()) == [first.sha256]


def test_no_staging_file_survives_a_failed_write(tmp_path: Path) -> None:
    store = ObjectStore(tmp_path)

    class Broken:
        def read(self, _size: int) -> bytes:
            raise OSError("đĩa lỗi")

    with pytest.raises(OSError):
        store.put_stream(Broken())  # type: ignore[arg-type]
    assert list(store.staging.iterdir()) == []
    assert list(store.iter_digests()) == []


def test_verify_detects_bit_rot(tmp_path: Path) -> None:
    store = ObjectStore(tmp_path)
    result = store.put_bytes(b"x" * 1000)
    path = store.path_for(result.sha256)
    path.chmod(0o644)
    path.write_bytes(b"y" + b"x" * 999)
    assert not store.verify(result.sha256)
