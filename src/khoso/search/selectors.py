"""The search interfaces: staff page search (:func:`search_pages`) and the public catalogue
(:func:`catalogue_search`, :func:`catalogue_suggest`).

The reader's rights become part of the engine query (fonds, access modes per kind, the
restricted-use list as of today), so hit counts, snippets, facets and suggestions never include
anything the reader may not see. The restricted list is applied at query time, so a restriction
that starts or ends takes effect without reindexing. The index holds ids; titles, codes and
snippet text of the ≤ 20 hits shown are read from the database.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from khoso.access.selectors import Actor, PortalScope, allowed_modes, effective_mode, visible_fonds_ids
from khoso.archive.models import ArchiveFile, Document, Fonds, Page, Vocabulary, VocabularyKind
from khoso.core.collation import sort_key
from khoso.search.engine import (
    FACETS,
    KIND_DOCUMENT,
    KIND_FILE,
    KIND_PAGE,
    KINDS,
    SORTS,
    CatalogueMatch,
    SearchResult,
    Visibility,
    match_terms,
    snippet_html,
)
from khoso.search.services import (
    document_code_text,
    document_record_text,
    file_record_text,
    index_sync,
    page_index,
    page_texts,
)

KIND_LABELS = {KIND_FILE: "Hồ sơ", KIND_DOCUMENT: "Tài liệu", KIND_PAGE: "Trang"}


def search_pages(*, user: Actor, query: str, limit: int = 20, offset: int = 0, system: bool = False) -> SearchResult:
    """Search pages visible to ``user``; ``system=True`` is for trusted local scripts only."""
    index_sync()
    index = page_index()
    if system:
        return index.search(
            query, fonds_ids=None, access_modes={"01", "02", "03"}, limit=limit, offset=offset, texts=page_texts
        )
    return index.search(
        query,
        fonds_ids=visible_fonds_ids(user),
        access_modes=allowed_modes(user),
        limit=limit,
        offset=offset,
        texts=page_texts,
    )


def highlight_terms(query: str) -> list[str]:
    return match_terms(query)


# -- the public catalogue -------------------------------------------------------------------------


@dataclass(frozen=True)
class CatalogueQuery:
    text: str = ""
    fonds_ids: frozenset[int] = frozenset()
    years: frozenset[int] = frozenset()
    type_names: frozenset[str] = frozenset()
    languages: frozenset[str] = frozenset()
    kinds: frozenset[str] = frozenset()
    sort: str = "relevance"  # relevance | title | year_asc | year_desc


@dataclass(frozen=True)
class FacetValue:
    value: str
    label: str  # fonds name, year, vocabulary label
    count: int
    selected: bool


@dataclass(frozen=True)
class CatalogueHit:
    kind: str  # "file" | "document" | "page"
    file_id: int
    document_id: int | None
    page_id: int | None
    page_no: int | None
    fonds_id: int
    file_code: str
    doc_code: str
    title: str
    year: int | None
    type_name: str
    language: str
    mode: str  # effective access mode
    snippet_html: str  # HTML-escaped, matches in <mark>
    score: float


@dataclass(frozen=True)
class CatalogueResult:
    total: int
    hits: list[CatalogueHit]
    facets: dict[str, list[FacetValue]] = field(
        default_factory=dict
    )  # "fonds", "year", "type_name", "language", "kind"


def _visibility(scope: PortalScope) -> Visibility:
    return Visibility(
        record_modes=scope.metadata_modes,
        page_modes=scope.content_modes,
        hidden_fonds_ids=scope.restricted.fonds_ids,
        hidden_file_ids=scope.restricted.file_ids,
        hidden_document_ids=scope.restricted.document_ids,
    )


def _selected(query: CatalogueQuery) -> dict[str, frozenset[str]]:
    return {
        "fonds": frozenset(str(value) for value in query.fonds_ids),
        "year": frozenset(str(value) for value in query.years),
        "type_name": frozenset(query.type_names),
        "language": frozenset(query.languages),
        "kind": frozenset(kind for kind in query.kinds if kind in KINDS),
    }


def catalogue_search(*, scope: PortalScope, query: CatalogueQuery, limit: int = 20, offset: int = 0) -> CatalogueResult:
    """Files, documents and pages ``scope`` may see matching ``query``, with facets.

    Empty text browses everything visible (sorted by title unless another order is asked for).
    Facet counts cover every visible match, not only the hits shown; each facet is counted with the
    other facets' selections applied, so a chosen value's siblings keep their counts.
    """
    if query.sort not in SORTS:
        query = CatalogueQuery(**{**query.__dict__, "sort": "relevance"})
    selected = _selected(query)
    if query.kinds and not selected["kind"]:
        return CatalogueResult(0, [], _facets({name: {} for name in FACETS}, selected))
    index_sync()
    found = page_index().catalogue(
        query.text,
        visibility=_visibility(scope),
        selected={name: values for name, values in selected.items() if values},
        sort=query.sort,
        limit=max(0, limit),
        offset=max(0, offset),
    )
    pairs = _hits(found.matches, query.text)
    if query.sort == "title" or (query.sort == "relevance" and not query.text.strip()):
        pairs = _refine_title_order(pairs)
    return CatalogueResult(found.total, [hit for _, hit in pairs], _facets(found.facets, selected))


def catalogue_suggest(*, scope: PortalScope, prefix: str, limit: int = 10) -> list[str]:
    """Titles and subjects of visible files and documents completing ``prefix`` ("quyet d" →
    "Quyết định …"), de-duplicated, at most ``limit``."""
    if not prefix.strip() or limit < 1:
        return []
    index_sync()
    return page_index().suggest(prefix, visibility=_visibility(scope), limit=limit)


def _refine_title_order(pairs: list[tuple[CatalogueMatch, CatalogueHit]]) -> list[tuple[CatalogueMatch, CatalogueHit]]:
    """The index sorts by the first 8 bytes of the ICU key; order the shown hits that tie on those
    by their whole title (then kind and id), keeping the index's order between different prefixes."""
    kind_order = {kind: n for n, kind in enumerate(KINDS)}
    return sorted(
        pairs,
        key=lambda pair: (
            pair[0].title_sort,
            sort_key(pair[1].title),
            kind_order[pair[1].kind],
            pair[1].file_id,
            pair[1].document_id or 0,
            pair[1].page_no or 0,
        ),
    )


def _hits(matches: list[CatalogueMatch], text: str) -> list[tuple[CatalogueMatch, CatalogueHit]]:
    file_ids = {match.file_id for match in matches}
    document_ids = {match.document_id for match in matches if match.document_id}
    page_ids = {match.page_id for match in matches if match.page_id}
    files = {
        f.pk: f for f in ArchiveFile.objects.filter(pk__in=file_ids, deleted_at__isnull=True).select_related("fonds")
    }
    documents = {d.pk: d for d in Document.objects.filter(pk__in=document_ids, deleted_at__isnull=True)}
    pages = dict(Page.objects.filter(pk__in=page_ids).values_list("pk", "ocr_text"))
    type_labels = dict(Vocabulary.objects.filter(kind=VocabularyKind.TYPE_NAME).values_list("code", "label_vi"))
    hits = []
    for match in matches:
        archive_file = files.get(match.file_id)
        document = documents.get(match.document_id) if match.document_id else None
        if archive_file is None or (match.document_id and document is None):
            continue  # deleted since the index last caught up: never show it
        if match.kind == KIND_PAGE:
            if match.page_id not in pages:
                continue
            body = pages[match.page_id]
            title = archive_file.title
        elif match.kind == KIND_DOCUMENT:
            if document is None:
                continue  # a document record without its document id: nothing to show
            body = f"{document.subject}\n{document_record_text(document, type_labels)}"
            title = document.subject
        else:
            body = f"{archive_file.title}\n{file_record_text(archive_file)}"
            title = archive_file.title
        source = document or archive_file
        hits.append(
            (
                match,
                CatalogueHit(
                    kind=match.kind,
                    file_id=archive_file.pk,
                    document_id=document.pk if document else None,
                    page_id=match.page_id or None,
                    page_no=match.page_no or None,
                    fonds_id=archive_file.fonds_id,
                    file_code=archive_file.file_code,
                    doc_code=document.doc_code if document else "",
                    title=title,
                    year=match.year or None,
                    type_name=document.type_name if document else "",
                    language=source.language,
                    mode=effective_mode(
                        archive_file.mode,
                        document.mode if document else None,
                        document.secret_class if document else None,
                    ),
                    snippet_html=snippet_html(body, text),
                    score=match.score,
                ),
            )
        )
    return hits


def _facets(counts: dict[str, dict[str, int]], selected: dict[str, frozenset[str]]) -> dict[str, list[FacetValue]]:
    """Counts with labels; a selected value is listed even at 0, so it can be unselected."""
    values = {name: dict(counts.get(name, {})) for name in FACETS}
    for name in FACETS:
        for value in selected.get(name, ()):
            values[name].setdefault(value, 0)
    fonds_names = dict(
        Fonds.objects.filter(pk__in=[int(v) for v in values["fonds"] if v.isdigit()]).values_list("pk", "name")
    )
    type_labels = dict(Vocabulary.objects.filter(kind=VocabularyKind.TYPE_NAME).values_list("code", "label_vi"))
    language_labels = dict(Vocabulary.objects.filter(kind=VocabularyKind.LANGUAGE).values_list("code", "label_vi"))

    def label(name: str, value: str) -> str:
        if name == "fonds":
            return fonds_names.get(int(value), value) if value.isdigit() else value
        if name == "type_name":
            return type_labels.get(value, value)
        if name == "language":
            return language_labels.get(value, value)
        if name == "kind":
            return KIND_LABELS.get(value, value)
        return value

    facets: dict[str, list[FacetValue]] = {}
    for name in FACETS:
        items = [
            FacetValue(value=value, label=label(name, value), count=count, selected=value in selected.get(name, ()))
            for value, count in values[name].items()
        ]
        if name == "year":
            items.sort(key=lambda item: -int(item.value) if item.value.isdigit() else 0)
        elif name == "kind":
            items.sort(key=lambda item: KINDS.index(item.value) if item.value in KINDS else len(KINDS))
        else:
            items.sort(key=lambda item: (-item.count, sort_key(item.label)))
        facets[name] = items
    return facets


__all__ = [
    "CatalogueHit",
    "CatalogueQuery",
    "CatalogueResult",
    "FacetValue",
    "catalogue_search",
    "catalogue_suggest",
    "document_code_text",
    "highlight_terms",
    "search_pages",
]
