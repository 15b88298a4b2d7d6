"""Web pages of the user guides: the list, one guide with its table of contents, its PDF, its screenshots.

Open to anonymous visitors only as far as the public guide goes (see ``selectors``): a guide the visitor may
not read, or one that does not exist, sends an anonymous visitor to the login page and answers anyone else
with the same 404, so the list of staff guides does not leak. The chrome is translated; the guide text is
Vietnamese (its one-line English summary is shown beside it).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from khoso.accounts.selectors import is_staff_account
from khoso.guides import library, selectors
from khoso.guides.markup import to_html


def _base_template(request: HttpRequest) -> str:
    """Staff read the guides inside the staff pages; everyone else inside the public portal's frame."""
    if settings.KHOSO_ENCLAVE or is_staff_account(request.user):
        return "web/base.html"
    return "portal/base.html"


def _refused(request: HttpRequest) -> HttpResponse:
    """Anonymous visitors log in; anyone else gets the one 404 of a guide that does not exist."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    raise Http404(_("Không tìm thấy hướng dẫn này."))


@login_not_required
@require_GET
def guide_index(request: HttpRequest) -> HttpResponse:
    guides = selectors.guide_list(request.user)
    return render(
        request,
        "guides/index.html",
        {
            "base_template": _base_template(request),
            "guides": guides,
            "staff_guides_hidden": not request.user.is_authenticated,
        },
    )


@login_not_required
@require_GET
def guide_detail(request: HttpRequest, slug: str) -> HttpResponse:
    guide = selectors.guide_get(slug=slug, user=request.user)
    if guide is None:
        return _refused(request)
    body = to_html(guide.document, selectors.links_for(request.user), figure_caption=_("Màn hình «{label}»"))
    return render(
        request,
        "guides/detail.html",
        {
            "base_template": _base_template(request),
            "guide": guide,
            "body": mark_safe(body),  # noqa: S308  (to_html escapes every character of the source)
        },
    )


@login_not_required
@require_GET
def guide_pdf_download(request: HttpRequest, slug: str) -> HttpResponse:
    from khoso.guides.pdf import guide_pdf

    guide = selectors.guide_get(slug=slug, user=request.user)
    if guide is None:
        return _refused(request)
    data = guide_pdf(guide, links=selectors.links_for(request.user), institution=settings.KHOSO_ARCHIVE_NAME)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="huong-dan-{guide.slug}.pdf"'
    return response


@login_not_required
@require_GET
def guide_screen(request: HttpRequest, name: str) -> HttpResponse | FileResponse:
    if not selectors.screen_readable(screen=name, user=request.user):
        return _refused(request)
    response = FileResponse(library.screenshot_path(name).open("rb"), content_type="image/png")
    response["Cache-Control"] = "private, max-age=3600"
    return response
