"""Consistency of the object store with the database (``khoso fsck``)."""

from __future__ import annotations

from django.db.models import Q

from khoso.storage.models import StoredObject
from khoso.storage.services import object_store


def _referenced() -> set[str]:
    """Digests some row points at: every foreign key to StoredObject, in any app (page images, file
    PDF/A and its signed versions, reader copies, checked signed originals …), so an app that adds
    one is covered without being listed here; plus the QC record of the bytes a scanner delivered."""
    from django.apps import apps

    from khoso.archive.models import Page

    refs: set[str] = set()
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if field.is_relation and field.related_model is StoredObject:
                column = field.attname
                refs.update(model._base_manager.filter(**{f"{column}__isnull": False}).values_list(column, flat=True))
    refs.update(
        Page.objects.filter(~Q(qc__delivered_sha256=None) & ~Q(qc__delivered_sha256="")).values_list(
            "qc__delivered_sha256", flat=True
        )
    )
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
