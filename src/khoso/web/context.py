"""Template context shared by every page."""

from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, str]:
    return {"archive_name": settings.KHOSO_ARCHIVE_NAME}
