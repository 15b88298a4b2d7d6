"""Consistency of the object store with the database (``khoso fsck``)."""

from __future__ import annotations

from django.db.models import Q

from khoso.storage.models import StoredObject
from khoso.storage.services import object_store


def _referenced() -> set[str]:
    from khoso.archive.models import ArchiveFile, Page

    refs: set[str] = set()
    for original, rendition, thumbnail, delivered in Page.objects.values_list(
        "original_id", "rendition_id", "thumbnail_id", "qc__delivered_sha256"
    ):
        refs.update(x for x in (original, rendition, thumbnail, delivered) if x)
    refs.update(ArchiveFile.objects.filter(~Q(pdf=None)).values_list("pdf_id", flat=True))
    from khoso.readers.models import Delivery  # copies handed to readers until purged

    refs.update(Delivery.objects.filter(~Q(content=None)).values_list("content_id", flat=True))
    return refs


def consistency_problems() -> list[dict[str, str]]:
    """Every disagreement: missing object, wrong digest, wrong size, object without row, orphan row."""
    store = object_store()
    problems: list[dict[str, str]] = []
    rows = dict(StoredObject.objects.values_list("sha256", "size"))
    for sha256, size in rows.items():
        path = store.path_for(sha256)
        if not path.is_file():
            problems.append(
                {
                    "code": "thieu_doi_tuong",
                    "object": sha256,
                    "message": "Có bản ghi nhưng thiếu tệp trong kho / row without stored object",
                }
            )
        elif path.stat().st_size != size:
            problems.append(
                {
                    "code": "sai_kich_thuoc",
                    "object": sha256,
                    "message": "Kích thước tệp khác bản ghi / size differs from the row",
                }
            )
        elif not store.verify(sha256):
            problems.append(
                {
                    "code": "sai_ma_bam",
                    "object": sha256,
                    "message": "Nội dung không khớp mã băm SHA-256 / content fails its SHA-256",
                }
            )
    for sha256 in store.iter_digests():
        if sha256 not in rows:
            problems.append(
                {
                    "code": "tep_mo_coi",
                    "object": sha256,
                    "message": "Tệp trong kho không có bản ghi / stored object without a row",
                }
            )
    referenced = _referenced()
    for sha256 in referenced - rows.keys():
        problems.append(
            {
                "code": "tham_chieu_hong",
                "object": sha256,
                "message": "Trang hoặc hồ sơ trỏ tới đối tượng không tồn tại / dangling reference",
            }
        )
    return problems
