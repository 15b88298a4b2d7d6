"""Writes to the object store: file first (fsync, rename), row second, inside the caller's transaction."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import BinaryIO

from django.conf import settings

from khoso.storage.cas import ObjectStore
from khoso.storage.models import StoredObject


@cache
def _store_at(root: str) -> ObjectStore:
    return ObjectStore(Path(root))


def object_store() -> ObjectStore:
    """The local object store of this installation."""
    return _store_at(str(settings.KHOSO_OBJECTS_DIR))


def object_put_bytes(*, data: bytes, mime: str) -> StoredObject:
    result = object_store().put_bytes(data)
    obj, _ = StoredObject.objects.get_or_create(sha256=result.sha256, defaults={"size": result.size, "mime": mime})
    return obj


def object_put_stream(*, source: BinaryIO, mime: str) -> StoredObject:
    result = object_store().put_stream(source)
    obj, _ = StoredObject.objects.get_or_create(sha256=result.sha256, defaults={"size": result.size, "mime": mime})
    return obj


def object_put_file(*, path: Path, mime: str) -> StoredObject:
    with open(path, "rb") as source:
        return object_put_stream(source=source, mime=mime)
