"""Staff pages of the audit trail: the filtered list and one entry with its hashes.

Deny by default: both need ``audit.view_auditentry`` (403 without it); an entry about a fonds the
user holds no grant on answers 404 like a missing one.
"""

from __future__ import annotations

import json

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from khoso.audit import selectors
from khoso.audit.forms import EntryFilterForm

PER_PAGE = 50


def _require(request: HttpRequest) -> None:
    if not selectors.may_view_trail(request.user):
        raise PermissionDenied("Bạn không có quyền xem nhật ký kiểm tra (cần quyền audit.view_auditentry).")


@require_GET
def audit_list(request: HttpRequest) -> HttpResponse:
    _require(request)
    form = EntryFilterForm(request.GET or None)
    entries = selectors.entries_filtered(request.user, form.entry_filter())
    page = Paginator(entries, PER_PAGE).get_page(request.GET.get("trang"))
    query = request.GET.copy()
    query.pop("trang", None)
    return render(
        request,
        "audit/list.html",
        {"form": form, "page": page, "query": query.urlencode()},
        status=400 if form.is_bound and not form.is_valid() else 200,
    )


@require_GET
def audit_detail(request: HttpRequest, seq: int) -> HttpResponse:
    _require(request)
    entry = selectors.entry_get(request.user, seq)
    if entry is None:
        raise Http404("Không tìm thấy mục nhật ký này.")
    detail_json = json.dumps(entry.detail, ensure_ascii=False, indent=2, sort_keys=True)
    return render(request, "audit/detail.html", {"entry": entry, "detail_json": detail_json})
