"""Which guides a visitor may read, and the site addresses their references point to.

Deny by default: the reader's guide (``audience: public``) is open to everyone, every other guide needs a
staff account (:func:`khoso.accounts.selectors.is_staff_account`). A citizen's reader account sees only
the public guide. In an offline enclave (``KHOSO_ENCLAVE``) there is no public side, so no public guide.
A screenshot is served to whoever may read a guide that shows it.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse

from khoso.accounts.selectors import is_staff_account
from khoso.guides import library
from khoso.guides.library import Guide
from khoso.guides.markup import Links


def _open_to_public(guide: Guide) -> bool:
    return guide.public and not settings.KHOSO_ENCLAVE


def may_read(user: Any, guide: Guide) -> bool:
    return _open_to_public(guide) or is_staff_account(user)


def guide_list(user: Any) -> list[Guide]:
    staff = is_staff_account(user)
    return [guide for guide in library.guides().values() if _open_to_public(guide) or staff]


def guide_get(*, slug: str, user: Any) -> Guide | None:
    """The guide, or ``None`` when it does not exist or the user may not read it (the same answer)."""
    guide = library.guides().get(slug)
    if guide is None or not may_read(user, guide):
        return None
    return guide


def screen_readable(*, screen: str, user: Any) -> bool:
    """A screenshot is shown to whoever may read a guide that has it as a figure, and only when it exists."""
    if not library.screenshot_path(screen).is_file():
        return False
    return any(
        screen in {figure.screen for figure in guide.document.figures()} and may_read(user, guide)
        for guide in library.guides().values()
    )


def route_names() -> set[str]:
    """Every named route of the site, namespaced as ``reverse`` wants it (``admin:auth_user_add``)."""
    names: set[str] = set()

    def walk(patterns: list[Any], prefix: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, f"{prefix}{pattern.namespace}:" if pattern.namespace else prefix)
            elif isinstance(pattern, URLPattern) and pattern.name:
                names.add(prefix + pattern.name)

    walk(get_resolver().url_patterns, "")
    return names


def screen_url(screen: str) -> str | None:
    """The screen's address when it takes no argument (a list, a form), else ``None``."""
    try:
        return reverse(screen)
    except NoReverseMatch:
        return None


def links_for(user: Any) -> Links:
    """How a guide's references become links for ``user``: guides they may not read are plain text."""
    readable = {guide.slug: guide for guide in guide_list(user)}

    def screen_image(screen: str) -> str | None:
        if not library.screenshot_path(screen).is_file():
            return None
        return reverse("guides_screen", kwargs={"name": screen})

    def guide_url(slug: str) -> str | None:
        return reverse("guides_detail", kwargs={"slug": slug}) if slug in readable else None

    def guide_title(slug: str) -> str | None:
        guide = library.guides().get(slug)
        return guide.title if guide else None

    return Links(screen_url=screen_url, screen_image=screen_image, guide_url=guide_url, guide_title=guide_title)
