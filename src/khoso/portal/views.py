"""Views of the public portal: anyone may search and browse the catalogue without logging in.

Every view runs under ``portal_scope(request.user)``: anonymous visitors see public (01) material,
approved readers also the catalogue entries of conditional (02) material; secret, restricted and
deleted material never appears. Anything hidden answers :func:`not_found`, byte for byte the
same response as an id that does not exist, so guessing ids tells nothing.
"""

from __future__ import annotations

import math
import re
from typing import Any
from urllib.parse import urlencode
from xml.sax.saxutils import escape

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from khoso.access.selectors import PortalScope, portal_scope, portal_shows_content
from khoso.accounts.ratelimit import rate_limited
from khoso.archive.models import ArchiveFile, Document, Fonds
from khoso.core.collation import sorted_vi
from khoso.core.errors import ArchiveError
from khoso.core.text import collapse_spaces, nfc
from khoso.portal import selectors
from khoso.readers.models import UsageEvent
from khoso.readers.services import usage_record

RESULTS_PER_PAGE = 20
FILES_PER_PAGE = 50
MAX_RESULT_PAGES = 500  # deeper pages cost the engine more than any reader needs
MAX_QUERY = 500
SUGGEST_MIN = 2
SITEMAP_LIMIT = 50_000  # URLs per sitemap file (sitemaps.org)
THUMBNAILS_SHOWN = 200
MATCHING_PAGES_SHOWN = 20

_WORD = re.compile(r"\w+")
KINDS = {"file": gettext_lazy("Hồ sơ"), "document": gettext_lazy("Tài liệu"), "page": gettext_lazy("Trang")}
#: ``sap_xep`` parameter → CatalogueQuery.sort, with the label of the sort select.
SORTS = {
    "lien-quan": ("relevance", gettext_lazy("Liên quan nhất")),
    "tieu-de": ("title", gettext_lazy("Tiêu đề A–Y (thứ tự tiếng Việt)")),
    "nam-tang": ("year_asc", gettext_lazy("Năm tăng dần")),
    "nam-giam": ("year_desc", gettext_lazy("Năm giảm dần")),
}
#: facet key of CatalogueResult → (query parameter, heading)
FACETS = {
    "fonds": ("phong", gettext_lazy("Phông")),
    "year": ("nam", gettext_lazy("Năm")),
    "type_name": ("loai", gettext_lazy("Loại tài liệu")),
    "language": ("ngon_ngu", gettext_lazy("Ngôn ngữ")),
    "kind": ("kieu", gettext_lazy("Loại kết quả")),
}


# -- helpers -------------------------------------------------------------------------------------


def not_found(request: HttpRequest) -> HttpResponse:
    """The one 404 of the portal: same status and same body for hidden and non-existent objects."""
    return render(request, "portal/not_found.html", status=404)


def _scope(request: HttpRequest) -> PortalScope:
    return portal_scope(request.user)


def _page_number(request: HttpRequest, last: int | None = None) -> int:
    raw = request.GET.get("trang", "1")
    number = int(raw) if raw.isdigit() else 1
    number = max(1, number)
    return min(number, last) if last else number


def _record(request: HttpRequest, action: str, **targets: Any) -> None:
    usage_record(request=request, action=action, surface="portal", **targets)


def _private[R: HttpResponseBase](response: R) -> R:
    # What a visitor sees depends on who they are (approved readers see more): never cache publicly.
    response["Cache-Control"] = "private, max-age=300"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _absolute(path: str) -> str:
    return settings.KHOSO_PUBLIC_URL + path


# -- search --------------------------------------------------------------------------------------


def _ints(values: list[str]) -> frozenset[int]:
    return frozenset(int(v) for v in values if v.isdigit() and len(v) < 10)


def _texts(values: list[str]) -> frozenset[str]:
    return frozenset(nfc(v.strip())[:100] for v in values if v.strip())


def _catalogue_query(request: HttpRequest) -> tuple[Any, str]:
    from khoso.search.selectors import CatalogueQuery

    text = collapse_spaces(nfc(request.GET.get("q", "")))[:MAX_QUERY]
    sort_param = request.GET.get("sap_xep", "")
    if sort_param not in SORTS:
        sort_param = "lien-quan" if text else "tieu-de"
    query = CatalogueQuery(
        text=text,
        fonds_ids=_ints(request.GET.getlist("phong")),
        years=_ints(request.GET.getlist("nam")),
        type_names=_texts(request.GET.getlist("loai")),
        languages=_texts(request.GET.getlist("ngon_ngu")),
        kinds=frozenset(k for k in request.GET.getlist("kieu") if k in KINDS),
        sort=SORTS[sort_param][0],
    )
    return query, sort_param


def _has_filters(query: Any) -> bool:
    return bool(query.text or query.fonds_ids or query.years or query.type_names or query.languages or query.kinds)


def _params(request: HttpRequest, **changes: Any) -> str:
    """The current query string with ``changes`` applied (a value of None drops the parameter)."""
    kept: list[tuple[str, str]] = []
    for key in ("q", "phong", "nam", "loai", "ngon_ngu", "kieu", "sap_xep", "trang"):
        if key in changes:
            value = changes[key]
            if value is not None:
                kept.append((key, str(value)))
            continue
        kept.extend((key, value) for value in request.GET.getlist(key) if value)
    return urlencode(kept)


def _hit_url(hit: Any, query_text: str) -> str:
    suffix = "?" + urlencode({"q": query_text}) if query_text else ""
    if hit.kind == "document" and hit.document_id:
        return reverse("portal_document", args=[hit.document_id]) + suffix
    url = reverse("portal_file", args=[hit.file_id]) + suffix
    if hit.kind == "page" and hit.page_no:
        url += f"#trang-{hit.page_no}"
    return url


def _results(scope: PortalScope, hits: list[Any], query_text: str) -> list[dict[str, Any]]:
    """Hits with their URL and fonds, dropping any the database no longer shows (a stale index)."""
    from khoso.access.selectors import portal_documents, portal_files

    file_modes = dict(portal_files(scope).filter(pk__in={h.file_id for h in hits}).values_list("pk", "mode"))
    document_modes = dict(
        portal_documents(scope).filter(pk__in={h.document_id for h in hits if h.document_id}).values_list("pk", "mode")
    )
    fonds_names = dict(Fonds.objects.filter(pk__in={h.fonds_id for h in hits}).values_list("pk", "name"))
    results = []
    for hit in hits:
        if hit.file_id not in file_modes or (hit.document_id and hit.document_id not in document_modes):
            continue
        if hit.kind == "page" and not portal_shows_content(
            scope, file_modes[hit.file_id], document_modes.get(hit.document_id)
        ):
            continue
        results.append(
            {
                "hit": hit,
                "kind_label": KINDS.get(hit.kind, hit.kind),
                "url": _hit_url(hit, query_text),
                "fonds_name": fonds_names.get(hit.fonds_id, ""),
                "snippet": mark_safe(hit.snippet_html),  # the engine escapes the text around <mark>
            }
        )
    return results


def _facets(request: HttpRequest, facets: dict[str, list[Any]]) -> list[dict[str, Any]]:
    groups = []
    for key, (param, heading) in FACETS.items():
        values = facets.get(key) or []
        selected = set(request.GET.getlist(param))
        items = [
            {
                "value": str(v.value),
                "label": KINDS.get(str(v.value), v.label) if key == "kind" else v.label,
                "count": v.count,
                "selected": v.selected or str(v.value) in selected,
                "id": f"f-{param}-{index}",
            }
            for index, v in enumerate(values)
        ]
        if items:
            groups.append({"param": param, "heading": heading, "items": items})
    return groups


@login_not_required
@require_GET
@rate_limited("portal_search")
def portal_home(request: HttpRequest) -> HttpResponse:
    scope = _scope(request)
    query, sort_param = _catalogue_query(request)
    context: dict[str, Any] = {
        "query": query,
        "sort_param": sort_param,
        "sorts": [(key, label) for key, (_value, label) in SORTS.items()],
        "searching": _has_filters(query),
    }
    if not context["searching"]:
        fonds = sorted_vi(selectors.fonds_with_counts(scope), key=lambda f: f.name)
        context["fonds_list"] = fonds
        return render(request, "portal/home.html", context)
    from khoso.search.selectors import catalogue_search

    page_no = _page_number(request, MAX_RESULT_PAGES)
    try:
        found = catalogue_search(
            scope=scope, query=query, limit=RESULTS_PER_PAGE, offset=(page_no - 1) * RESULTS_PER_PAGE
        )
    except ArchiveError as problem:
        context.update(error=problem.message, total=0, results=[], facets=[], page_count=1, page_no=1)
        return render(request, "portal/home.html", context, status=400)
    page_count = min(MAX_RESULT_PAGES, max(1, math.ceil(found.total / RESULTS_PER_PAGE)))
    context.update(
        total=found.total,
        results=_results(scope, found.hits, query.text),
        facets=_facets(request, found.facets),
        page_no=page_no,
        page_count=page_count,
        offset=(page_no - 1) * RESULTS_PER_PAGE,
        previous_url="?" + _params(request, trang=page_no - 1) if page_no > 1 else None,
        next_url="?" + _params(request, trang=page_no + 1) if page_no < page_count else None,
    )
    return render(request, "portal/home.html", context)


@login_not_required
@require_GET
@rate_limited("portal_suggest", as_json=True)
def portal_suggest(request: HttpRequest) -> JsonResponse:
    prefix = collapse_spaces(nfc(request.GET.get("q", "")))[:100]
    suggestions: list[str] = []
    if len(prefix) >= SUGGEST_MIN:
        from khoso.search.selectors import catalogue_suggest

        try:
            suggestions = catalogue_suggest(scope=_scope(request), prefix=prefix, limit=10)
        except ArchiveError:
            suggestions = []
    response = JsonResponse(list(suggestions), safe=False)
    return _private(response)


# -- fonds, files, documents ---------------------------------------------------------------------


def _labelled(labels: dict[tuple[str, str], str], kind: str, value: str) -> str:
    if not value:
        return "—"
    return ", ".join(f"{labels.get((kind, code.strip()), code.strip())}" for code in str(value).split(",") if code)


def _date(value: Any) -> str:
    return value.strftime("%d/%m/%Y") if value else "—"


def _fonds_rows(fonds: Fonds, labels: dict[tuple[str, str], str]) -> list[tuple[str, Any]]:
    return [
        (_("Mã phông"), fonds.code),
        (_("Tên phông"), fonds.name),
        (_("Cơ quan lưu trữ"), fonds.institution.name),
        (_("Thời gian tài liệu"), fonds.archives_time),
        (_("Tổng số tài liệu (mét giá)"), fonds.paper_total),
        (_("Nhóm tài liệu chủ yếu"), fonds.key_groups),
        (_("Ngôn ngữ"), _labelled(labels, "language", fonds.language)),
        (_("Lịch sử đơn vị hình thành phông"), fonds.history),
        (_("Ghi chú"), fonds.description or "—"),
    ]


@login_not_required
@require_GET
def portal_fonds(request: HttpRequest, fonds_id: int) -> HttpResponse:
    scope = _scope(request)
    fonds = selectors.fonds_get(scope, fonds_id)
    if fonds is None:
        return not_found(request)
    order = "year" if request.GET.get("sap_xep") == "nam" else "title"
    paginator = Paginator(selectors.fonds_files(scope, fonds, order=order), FILES_PER_PAGE)
    page = paginator.get_page(_page_number(request))
    files = list(page.object_list)
    suffix = "&sap_xep=nam" if order == "year" else ""
    context = {
        "fonds": fonds,
        "rows": _fonds_rows(fonds, selectors.vocabulary_labels()),
        "files": files,
        "page": page,
        "order": order,
        "previous_url": f"?trang={page.previous_page_number()}{suffix}" if page.has_previous() else None,
        "next_url": f"?trang={page.next_page_number()}{suffix}" if page.has_next() else None,
    }
    return render(request, "portal/fonds.html", context)


def _file_rows(archive_file: ArchiveFile, labels: dict[tuple[str, str], str]) -> list[tuple[str, Any]]:
    """The TT05 fields a reader needs to identify and ask for a file; never internal fields."""
    return [
        (_("Mã hồ sơ"), archive_file.file_code),
        (_("Tiêu đề hồ sơ"), archive_file.title),
        (_("Phông"), archive_file.fonds.name),
        (_("Năm hình thành hồ sơ"), archive_file.file_catalog),
        (_("Số và ký hiệu hồ sơ"), archive_file.file_notation),
        (_("Thời gian bắt đầu"), _date(archive_file.start_date)),
        (_("Thời gian kết thúc"), _date(archive_file.end_date)),
        (_("Ngôn ngữ"), _labelled(labels, "language", archive_file.language)),
        (_("Thời hạn lưu trữ"), _labelled(labels, "maintenance", archive_file.maintenance)),
        (_("Chế độ sử dụng"), _labelled(labels, "mode", archive_file.mode)),
        (_("Từ khóa"), archive_file.keyword or "—"),
        (_("Tổng số tài liệu"), archive_file.total_doc),
        (_("Số lượng tờ"), archive_file.number_of_paper if archive_file.number_of_paper is not None else "—"),
        (_("Số lượng trang"), archive_file.number_of_page),
        (_("Tình trạng vật lý"), _labelled(labels, "format", archive_file.format)),
        (_("Ký hiệu thông tin"), archive_file.infor_sign or "—"),
        (_("Mức độ tin cậy"), _labelled(labels, "confidenceLevel", archive_file.confidence_level)),
        (_("Mã hồ sơ gốc giấy"), archive_file.paper_file_code or "—"),
        (_("Ghi chú"), archive_file.description or "—"),
    ]


def _matching_pages(pages: list[Any], query_text: str) -> list[dict[str, Any]]:
    """Pages whose OCR text matches the search the visitor came from, with marked excerpts."""
    from khoso.core.text import fold
    from khoso.search.engine import folded_word_matches, snippet_html
    from khoso.search.selectors import highlight_terms

    terms = highlight_terms(query_text)
    if not terms:
        return []
    matches = []
    for page in pages:
        if any(folded_word_matches(terms, word) for word in _WORD.findall(fold(page.ocr_text))):
            matches.append({"number": page.number, "snippet": mark_safe(snippet_html(page.ocr_text, query_text))})
            if len(matches) >= MATCHING_PAGES_SHOWN:
                break
    return matches


def _request_url(archive_file: ArchiveFile, document: Document | None = None) -> str | None:
    try:
        url = reverse("reader_request_create")
    except NoReverseMatch:  # the readers app is not installed in this deployment
        return None
    params = {"ho_so": archive_file.pk}
    if document is not None:
        params["tai_lieu"] = document.pk
    return url + "?" + urlencode(params)


@login_not_required
@require_GET
def portal_file(request: HttpRequest, file_id: int) -> HttpResponse:
    scope = _scope(request)
    archive_file = selectors.file_get(scope, file_id)
    if archive_file is None:
        return not_found(request)
    query_text = collapse_spaces(nfc(request.GET.get("q", "")))[:MAX_QUERY]
    shows_content = portal_shows_content(scope, archive_file.mode)
    pages: list[Any] = []
    page_total = 0
    matches: list[dict[str, Any]] = []
    if shows_content:
        content = selectors.content_pages(scope, archive_file)
        page_total = content.count()
        pages = list(content.only("number", "thumbnail_id")[:THUMBNAILS_SHOWN])
        if query_text:
            matches = _matching_pages(list(content.only("number", "ocr_text").iterator()), query_text)
    _record(request, UsageEvent.Action.VIEW_FILE, file=archive_file)
    context = {
        "file": archive_file,
        "rows": _file_rows(archive_file, selectors.vocabulary_labels()),
        "documents": selectors.file_documents(scope, archive_file),
        "shows_content": shows_content,
        "pages": pages,
        "page_total": page_total,
        "matches": matches,
        "query_text": query_text,
        "request_url": _request_url(archive_file),
    }
    return render(request, "portal/file.html", context)


def _document_rows(document: Document, labels: dict[tuple[str, str], str]) -> list[tuple[str, Any]]:
    number = "/".join(part for part in (document.code_number, document.code_notation) if part) or "—"
    pages: int | str = document.number_of_page
    if document.first_page:
        pages = _("%(n)s (từ trang %(first)s)") % {"n": pages, "first": document.first_page}
    return [
        (_("Mã lưu trữ của tài liệu"), document.doc_code),
        (_("Số, ký hiệu"), number),
        (_("Ngày tháng năm tài liệu"), _date(document.issued_date)),
        (_("Tên loại tài liệu"), _labelled(labels, "typeName", document.type_name)),
        (_("Trích yếu nội dung"), document.subject),
        (_("Cơ quan, tổ chức ban hành"), document.organ_name),
        (_("Ngôn ngữ"), _labelled(labels, "language", document.language)),
        (_("Số lượng trang"), pages),
        (_("Từ khóa"), document.keyword or "—"),
        (_("Ký hiệu thông tin"), document.infor_sign or "—"),
        (_("Chế độ sử dụng"), _labelled(labels, "mode", document.mode)),
        (_("Mức độ tin cậy"), _labelled(labels, "confidenceLevel", document.confidence_level)),
        (_("Độ gốc"), _labelled(labels, "originalStatus", document.original_status)),
        (_("Bút tích"), document.autograph or "—"),
        (_("Tình trạng vật lý"), _labelled(labels, "format", document.format)),
        (_("Ghi chú"), document.description or "—"),
    ]


@login_not_required
@require_GET
def portal_document(request: HttpRequest, document_id: int) -> HttpResponse:
    scope = _scope(request)
    document = selectors.document_get(scope, document_id)
    if document is None:
        return not_found(request)
    _record(request, UsageEvent.Action.VIEW_DOCUMENT, file=document.file, document=document)
    context = {
        "document": document,
        "file": document.file,
        "rows": _document_rows(document, selectors.vocabulary_labels()),
        "request_url": _request_url(document.file, document),
    }
    return render(request, "portal/document.html", context)


@login_not_required
@require_GET
def portal_thumbnail(request: HttpRequest, file_id: int, number: int) -> HttpResponseBase:
    from khoso.storage.services import object_store

    page = selectors.content_page(_scope(request), file_id, number)
    if page is None or page.thumbnail_id is None:
        return not_found(request)
    try:
        handle = object_store().open(page.thumbnail_id)
    except FileNotFoundError:
        return not_found(request)
    return _private(FileResponse(handle, content_type="image/jpeg"))


# -- sitemap -------------------------------------------------------------------------------------

_XML = '<?xml version="1.0" encoding="UTF-8"?>\n'
_NS = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'


def _xml(body: str) -> HttpResponse:
    response = HttpResponse(_XML + body, content_type="application/xml; charset=utf-8")
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _urlset(scope: PortalScope, part: int) -> str:
    lines = [f"<urlset {_NS}>"]
    for entry in selectors.sitemap_entries(scope, offset=(part - 1) * SITEMAP_LIMIT, limit=SITEMAP_LIMIT):
        path = reverse(entry.route, args=[entry.pk] if entry.pk is not None else [])
        lastmod = f"<lastmod>{timezone.localdate(entry.lastmod).isoformat()}</lastmod>" if entry.lastmod else ""
        lines.append(f"<url><loc>{escape(_absolute(path))}</loc>{lastmod}</url>")
    lines.append("</urlset>\n")
    return "\n".join(lines)


@login_not_required
@require_GET
def portal_sitemap(request: HttpRequest) -> HttpResponse:
    """The anonymous catalogue only: a reader's wider view must never reach a search engine."""
    scope = portal_scope(None)
    parts = math.ceil(selectors.sitemap_count(scope) / SITEMAP_LIMIT)
    if parts <= 1:
        return _xml(_urlset(scope, 1))
    entries = "\n".join(
        f"<sitemap><loc>{escape(_absolute(reverse('portal_sitemap_part', args=[n])))}</loc></sitemap>"
        for n in range(1, parts + 1)
    )
    return _xml(f"<sitemapindex {_NS}>\n{entries}\n</sitemapindex>\n")


@login_not_required
@require_GET
def portal_sitemap_part(request: HttpRequest, part: int) -> HttpResponse:
    scope = portal_scope(None)
    parts = math.ceil(selectors.sitemap_count(scope) / SITEMAP_LIMIT)
    if not 1 <= part <= parts:
        return not_found(request)
    return _xml(_urlset(scope, part))
