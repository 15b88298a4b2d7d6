"""Reads of the archive of record, always narrowed to what the actor may see."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from khoso.access.selectors import Actor, restrict, restrict_documents
from khoso.archive.models import ArchiveFile, Document, Fonds, Page, Vocabulary
from khoso.core.errors import NotFoundError


def fonds_list(*, user: Actor) -> QuerySet[Fonds]:
    return restrict(Fonds.objects.all(), user, fonds_field="id", mode_field=None).annotate(file_count=Count("files"))


def fonds_get(*, user: Actor, fonds_id: int) -> Fonds:
    fonds = fonds_list(user=user).filter(pk=fonds_id).first()
    if fonds is None:
        raise NotFoundError(what="Phông", key=fonds_id)
    return fonds


def file_list(*, user: Actor, fonds_id: int | None = None) -> QuerySet[ArchiveFile]:
    files = restrict(ArchiveFile.objects.filter(deleted_at__isnull=True).select_related("fonds"), user)
    if fonds_id is not None:
        files = files.filter(fonds_id=fonds_id)
    return files.annotate(
        page_total=Count("pages"),
        pages_done=Count("pages", filter=Q(pages__stage=Page.Stage.DONE)),
    )


def file_get(*, user: Actor, file_code: str) -> ArchiveFile:
    archive_file = (
        restrict(ArchiveFile.objects.filter(deleted_at__isnull=True).select_related("fonds", "pdf"), user)
        .filter(file_code=file_code)
        .first()
    )
    if archive_file is None:
        raise NotFoundError(what="Hồ sơ", key=file_code)
    return archive_file


def page_list(*, archive_file: ArchiveFile) -> QuerySet[Page]:
    return archive_file.pages.order_by("number")


def vocabulary_choices(kind: str) -> list[tuple[str, str]]:
    return [
        (code, f"{code} – {label}")
        for code, label in Vocabulary.objects.filter(kind=kind, active=True).values_list("code", "label_vi")
    ]


#: how many topics a Chuyên đề field suggests
TOPIC_SUGGESTIONS = 200


def topic_suggestions(*, user: Actor, institution_id: int, limit: int = TOPIC_SUGGESTIONS) -> list[str]:
    """The chuyên đề (topics) already given to the institution's documents that ``user`` may see, most
    used first: what a Party archive's topic field suggests, so one topic is not written three ways."""
    documents = Document.objects.filter(
        file__fonds__institution_id=institution_id, deleted_at__isnull=True, file__deleted_at__isnull=True
    )
    rows = (
        restrict_documents(documents, user)
        .exclude(topic="")
        .values("topic")
        .annotate(n=Count("pk"))
        .order_by("-n", "topic")[:limit]
    )
    return [row["topic"] for row in rows]
