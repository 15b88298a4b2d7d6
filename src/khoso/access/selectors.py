"""Who may see what. Every read in the web, CLI and search goes through these functions.

Deny by default: an anonymous user sees nothing, a staff member sees only the fonds granted to
them, and files or documents in access mode 03 (Mật) only with the ``archive.view_secret`` right.
A document with a state-secret class (Tuyệt mật, Tối mật, Mật) counts as mode 03 wherever its mode
counts, whatever mode was written on it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, TypeGuard

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Q, QuerySet
from django.utils import timezone

from khoso.access.models import FondsGrant

PUBLIC = "01"
CONDITIONAL = "02"
SECRET = "03"

type Actor = AbstractBaseUser | AnonymousUser | None


def _active(user: Actor) -> TypeGuard[AbstractBaseUser]:
    """A signed-in, active account (never an anonymous user)."""
    return bool(user is not None and user.is_authenticated and user.is_active)


def visible_fonds_ids(user: Actor) -> set[int] | None:
    """Fonds ids the user may see; ``None`` means all (superuser), an empty set means none."""
    if not _active(user):
        return set()
    if getattr(user, "is_superuser", False):
        return None
    return set(FondsGrant.objects.filter(user_id=user.pk).values_list("fonds_id", flat=True))


def editable_fonds_ids(user: Actor) -> set[int] | None:
    if not _active(user):
        return set()
    if getattr(user, "is_superuser", False):
        return None
    return set(FondsGrant.objects.filter(user_id=user.pk, can_edit=True).values_list("fonds_id", flat=True))


def allowed_modes(user: Actor) -> set[str]:
    """Access modes (TT05 ``mode``) whose material the user may see."""
    if not _active(user):
        return set()
    modes = {PUBLIC, CONDITIONAL}
    if user.has_perm("archive.view_secret"):  # type: ignore[attr-defined]  # Actor is AbstractBaseUser: no PermissionsMixin
        modes.add(SECRET)
    return modes


def restrict(
    queryset: QuerySet,
    user: Actor,
    *,
    fonds_field: str = "fonds_id",
    mode_field: str | None = "mode",
    secret_field: str | None = None,
) -> QuerySet:
    """Narrow ``queryset`` to the rows ``user`` may see.

    ``secret_field`` names a document's secret class: a row with one counts as mode 03.
    """
    fonds_ids = visible_fonds_ids(user)
    if fonds_ids is not None:
        queryset = queryset.filter(**{f"{fonds_field}__in": fonds_ids})
    modes = allowed_modes(user)
    if mode_field:
        queryset = queryset.filter(**{f"{mode_field}__in": modes})
    if secret_field and SECRET not in modes:
        queryset = queryset.filter(**{secret_field: ""})
    return queryset


def restrict_documents(queryset: QuerySet, user: Actor) -> QuerySet:
    """Documents ``user`` may see: their fonds granted, their own and their file's mode allowed, and no
    secret class unless the user may see secret material."""
    queryset = restrict(queryset, user, fonds_field="file__fonds_id", secret_field="secret_class")
    return queryset.filter(file__mode__in=allowed_modes(user))


def withheld_documents(user: Actor) -> QuerySet:
    """Documents of the user's fonds whose pages the user may not see (mode 03 or a secret class
    without the right), for page lists of a file that is itself visible."""
    from khoso.archive.models import Document

    if SECRET in allowed_modes(user):
        return Document.objects.none()
    return Document.objects.filter(Q(mode=SECRET) | ~Q(secret_class=""))


def is_secret(mode: str, secret_class: str = "") -> bool:
    """Whether material with this mode and secret class is secret (mode 03 or any secret class)."""
    return bool(secret_class) or mode == SECRET


def can_edit_fonds(user: Actor, fonds_id: int) -> bool:
    editable = editable_fonds_ids(user)
    return editable is None or fonds_id in editable


# -- the public side: portal and readers -----------------------------------------------------------


@dataclass(frozen=True)
class RestrictedSet:
    """What the restricted-use list holds back today (ids of fonds, files and documents)."""

    fonds_ids: frozenset[int] = frozenset()
    file_ids: frozenset[int] = frozenset()
    document_ids: frozenset[int] = frozenset()


@dataclass(frozen=True)
class PortalScope:
    """What one visitor of the public side may see.

    ``metadata_modes``: access modes whose titles and descriptions are listed (catalogue entries);
    ``content_modes``: modes whose pages, OCR text, snippets and thumbnails are shown. Material on
    the restricted list (``restricted``) and deleted material are never shown, whatever the mode.
    """

    metadata_modes: frozenset[str]
    content_modes: frozenset[str]
    restricted: RestrictedSet


def effective_mode(file_mode: str, document_mode: str | None = None, secret_class: str | None = None) -> str:
    """The stricter of a file's and a document's access mode ('03' beats '02' beats '01'); a document
    with a state-secret class is '03' whatever its mode."""
    if secret_class:
        return SECRET
    modes = [mode for mode in (file_mode, document_mode) if mode]
    return max(modes) if modes else SECRET


def restricted_now(today: date | None = None) -> RestrictedSet:
    """Entries of the restricted-use list in force on ``today`` (default: today, local time)."""
    from khoso.access.models import Restriction

    today = today or timezone.localdate()
    rows = Restriction.objects.filter(start_date__lte=today).filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
    fonds_ids: set[int] = set()
    file_ids: set[int] = set()
    document_ids: set[int] = set()
    for fonds_id, file_id, document_id in rows.values_list("fonds_id", "file_id", "document_id"):
        if document_id:
            document_ids.add(document_id)
        elif file_id:
            file_ids.add(file_id)
        else:
            fonds_ids.add(fonds_id)
    return RestrictedSet(frozenset(fonds_ids), frozenset(file_ids), frozenset(document_ids))


def is_approved_reader(user: Actor) -> bool:
    """A reader whose account the archive has approved (TT05 Đ32: accounts issued by the operator)."""
    if not _active(user):
        return False
    from khoso.readers.models import Reader

    return Reader.objects.filter(user_id=user.pk, status=Reader.Status.APPROVED).exists()


def portal_scope(user: Actor, *, today: date | None = None) -> PortalScope:
    """Anyone sees public (01) material; approved readers also see the catalogue entries of
    conditional (02) material, so they can ask for it. Secret (03) never appears on this side."""
    metadata = {PUBLIC, CONDITIONAL} if is_approved_reader(user) else {PUBLIC}
    return PortalScope(frozenset(metadata), frozenset({PUBLIC}), restricted_now(today))


def portal_files(scope: PortalScope) -> QuerySet:
    """Files whose catalogue entry ``scope`` may see (not deleted, not restricted)."""
    from khoso.archive.models import ArchiveFile

    return (
        ArchiveFile.objects.filter(deleted_at__isnull=True, mode__in=scope.metadata_modes)
        .exclude(fonds_id__in=scope.restricted.fonds_ids)
        .exclude(pk__in=scope.restricted.file_ids)
    )


def portal_documents(scope: PortalScope) -> QuerySet:
    """Documents whose catalogue entry ``scope`` may see: the document and its file both pass."""
    from khoso.archive.models import Document

    return (
        Document.objects.filter(
            deleted_at__isnull=True,
            mode__in=scope.metadata_modes,
            secret_class="",  # a secret class is mode 03: never on the public side
            file__deleted_at__isnull=True,
            file__mode__in=scope.metadata_modes,
        )
        .exclude(file__fonds_id__in=scope.restricted.fonds_ids)
        .exclude(file_id__in=scope.restricted.file_ids)
        .exclude(pk__in=scope.restricted.document_ids)
    )


def portal_shows_content(scope: PortalScope, file_mode: str, document_mode: str | None = None) -> bool:
    """Whether pages, text and thumbnails of this (already visible) entry may be shown."""
    return effective_mode(file_mode, document_mode) in scope.content_modes


def is_reader_only(user: Actor) -> bool:
    """A citizen's account: a reader profile, no staff flag and no fonds granted. Such users get the
    public side's pages and navigation, never the staff menus."""
    if not _active(user) or user.is_staff or getattr(user, "is_superuser", False):  # type: ignore[attr-defined]
        return False
    from khoso.readers.models import Reader

    return Reader.objects.filter(user_id=user.pk).exists() and not FondsGrant.objects.filter(user_id=user.pk).exists()


# -- locks and four-eyes changes -------------------------------------------------------------------


def active_locks() -> QuerySet:
    from khoso.access.models import FileLock

    return FileLock.objects.filter(released_at__isnull=True)


def lock_covering(archive_file: Any, *, box_id: int | None = None, inventory_id: int | None = None) -> Any | None:
    """The oldest active lock that holds ``archive_file`` still (its fonds, inventory, box or the file
    itself), or that holds the box or inventory it would move into; ``None`` when it is free."""
    from khoso.access.models import FileLock

    covering = Q(scope=FileLock.Scope.FONDS, fonds_id=archive_file.fonds_id) | Q(
        scope=FileLock.Scope.FILES, files=archive_file.pk
    )
    for inventory in {archive_file.inventory_id, inventory_id} - {None}:
        covering |= Q(scope=FileLock.Scope.INVENTORY, inventory_id=inventory)
    for box in {archive_file.box_id, box_id} - {None}:
        covering |= Q(scope=FileLock.Scope.BOX, box_id=box)
    return active_locks().filter(covering).select_related("fonds", "inventory", "box").order_by("pk").first()


def locks_visible(user: Actor, *, active_only: bool = True) -> QuerySet:
    from khoso.access.models import FileLock

    locks = FileLock.objects.select_related("fonds", "inventory", "box", "locked_by")
    if active_only:
        locks = locks.filter(released_at__isnull=True)
    return restrict(locks, user, mode_field=None)


def changes_visible(user: Actor) -> QuerySet:
    """Access-rights changes ``user`` may see: those of granted fonds (role changes need the right to
    manage grants), never about material the user may not see."""
    from khoso.access.models import AccessChange

    changes = AccessChange.objects.select_related(
        "fonds", "file", "document", "document__file", "subject", "group", "lock", "proposed_by", "decided_by"
    )
    if not _active(user):
        return changes.none()
    fonds_ids = visible_fonds_ids(user)
    may_manage = user.has_perm("access.manage_grants")  # type: ignore[attr-defined]
    if fonds_ids is not None:
        changes = changes.filter(Q(fonds_id__in=fonds_ids) | (Q(fonds__isnull=True) if may_manage else Q(pk__in=[])))
    elif not may_manage:
        changes = changes.filter(fonds__isnull=False)
    if SECRET not in allowed_modes(user):
        changes = changes.exclude(file__mode=SECRET).exclude(document__in=withheld_documents(user))
        changes = changes.exclude(document__file__mode=SECRET)
    return changes


def pending_changes(user: Actor) -> QuerySet:
    from khoso.access.models import AccessChange

    return changes_visible(user).filter(status=AccessChange.Status.PENDING)


def secret_files(files: QuerySet) -> QuerySet:
    """The files of ``files`` that hold secret material: mode 03, or a live document in mode 03 or with a
    secret class. Exports, copies and deliveries leave these out unless the actor may see secret material
    (and say why), e.g. ``if not SECRET in allowed_modes(by): files = files.exclude(pk__in=secret_files(files))``."""
    from khoso.archive.models import Document

    secret_documents = Document.objects.filter(deleted_at__isnull=True).filter(Q(mode=SECRET) | ~Q(secret_class=""))
    return files.filter(Q(mode=SECRET) | Q(pk__in=secret_documents.values("file_id")))
