"""Template context shared by every page."""

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from khoso.access.selectors import is_reader_only


def site(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    return {
        "archive_name": settings.KHOSO_ARCHIVE_NAME,
        # evaluated only by templates that draw the staff menu (a callable: templates call it lazily)
        "staff_menu": lambda: bool(user and user.is_authenticated and not is_reader_only(user)),
    }
