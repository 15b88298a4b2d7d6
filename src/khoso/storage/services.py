"""Writes to the object store: file first (fsync, rename), row second, inside the caller's transaction."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import BinaryIO

from django.conf import settings

from khoso.storage.cas import ObjectStore, PutResult
from khoso.storage.models import StoredObject


@cache
def _store_at(root: str) -> ObjectStore:
    return ObjectStore(Path(root))


def object_store() -> ObjectStore:
    """The local object store of this installation."""
    return _store_at(str(settings.KHOSO_OBJECTS_DIR))


def object_record(put: PutResult, *, mime: str) -> StoredObject:
    """The row of an object already written to the store (file first, row second). A caller may write the files
    before its transaction and the rows inside it, so a long write does not hold the database's write lock."""
    obj, _ = StoredObject.objects.get_or_create(sha256=put.sha256, defaults={"size": put.size, "mime": mime})
    return obj


def object_put_bytes(*, data: bytes, mime: str) -> StoredObject:
    return object_record(object_store().put_bytes(data), mime=mime)


def object_put_stream(*, source: BinaryIO, mime: str) -> StoredObject:
    return object_record(object_store().put_stream(source), mime=mime)


def object_put_file(*, path: Path, mime: str) -> StoredObject:
    with open(path, "rb") as source:
        return object_put_stream(source=source, mime=mime)
