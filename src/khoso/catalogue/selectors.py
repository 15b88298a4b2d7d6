"""Reads of the catalogue: what an export holds, and the imports a user may look at.

Deny by default: the caller has already checked the user's grant on the fonds; secret material
(a file in mode 03; a document in mode 03, with a secret class, or in a file in mode 03) is left
out unless ``include_secret`` (the user holds ``archive.view_secret``, as ``khoso.access`` decides).
Deleted material and gói tài liệu (loose documents, not a hồ sơ) are never in a mục lục.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from khoso.access.selectors import SECRET, visible_fonds_ids
from khoso.archive.models import ArchiveFile, Document, Fonds, Inventory, Page
from khoso.catalogue.models import CatalogueImport
from khoso.core.errors import NotFoundError


def export_files(*, fonds: Fonds, inventory: Inventory | None, include_secret: bool) -> QuerySet[ArchiveFile]:
    files = ArchiveFile.objects.filter(fonds=fonds, deleted_at__isnull=True, kind=ArchiveFile.Kind.FILE)
    if inventory is not None:
        files = files.filter(inventory=inventory)
    if not include_secret:
        files = files.exclude(mode=SECRET)
    return files.select_related("inventory").order_by("file_catalog", "file_code")


def export_documents(
    *, fonds: Fonds, inventory: Inventory | None, include_secret: bool, with_pages: bool = False
) -> QuerySet[Document]:
    """``with_pages``: each document's pages come along (number and delivered name only), for the
    "Tên tệp" column of a Party list."""
    files = export_files(fonds=fonds, inventory=inventory, include_secret=include_secret)
    documents = Document.objects.filter(file__in=files, deleted_at__isnull=True)
    if not include_secret:
        documents = documents.exclude(Q(mode=SECRET) | ~Q(secret_class=""))
    documents = documents.select_related("file").order_by("file__file_catalog", "file__file_code", "ordinal")
    if with_pages:
        pages = Page.objects.only("pk", "document_id", "number", "original_name").order_by("number")
        documents = documents.prefetch_related(Prefetch("pages", queryset=pages))
    return documents


def inventory_get(*, fonds: Fonds, number: int | None) -> Inventory | None:
    if number is None:
        return None
    inventory = Inventory.objects.filter(fonds=fonds, number=number).first()
    if inventory is None:
        raise NotFoundError(what="Mục lục số", key=number)
    return inventory


def imports_of(*, fonds: Fonds, user: Any) -> QuerySet[CatalogueImport]:
    """The uploads of this fonds the user may open: their own (administrators: everyone's)."""
    imports = CatalogueImport.objects.filter(fonds=fonds).select_related("created_by", "inventory")
    if not getattr(user, "is_superuser", False):
        imports = imports.filter(created_by_id=user.pk)
    return imports


def import_get(*, fonds: Fonds, user: Any, import_id: int) -> CatalogueImport:
    found = imports_of(fonds=fonds, user=user).filter(pk=import_id).first()
    visible = visible_fonds_ids(user)
    if found is None or (visible is not None and found.fonds_id not in visible):
        raise NotFoundError(what="Lần nhập mục lục", key=import_id)
    return found
