"""The guides as data: one Markdown-subset file per guide in ``content/``, their screenshots in ``screens/``.

Both folders ship inside the package, so a fresh installation serves the guides and their pictures without
a build step. The screenshots are written by ``tests/guides/test_screenshots.py``, which drives the real
screens in Chromium; a guide names a screen by its Django URL name, so renaming or removing a screen breaks
a test instead of leaving the guide behind. No Django here.

Front matter of a guide (``key: value`` lines between ``---``):

``title``       the Vietnamese title; ``summary_en`` one English line (the guide text itself is Vietnamese);
``audience``    ``public`` (anyone may read it: the reader's guide) or ``staff`` (staff accounts only);
``roles``       the codes of ``khoso.access.roles.ROLES`` the guide is written for, comma-separated;
``order``       its place in the list.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from khoso.guides.markup import Document, Heading, MarkupError, parse

CONTENT_DIR = Path(__file__).resolve().parent / "content"
SCREENS_DIR = Path(__file__).resolve().parent / "screens"
AUDIENCES = ("public", "staff")
REQUIRED = ("title", "summary_en", "audience", "roles", "order")


@dataclass(frozen=True)
class Guide:
    slug: str
    title: str
    summary_en: str
    public: bool
    roles: tuple[str, ...]
    order: int
    document: Document

    @property
    def toc(self) -> list[Heading]:
        """The headings (## and ###) in order: the table of contents."""
        return self.document.headings()


def _guide(path: Path) -> Guide:
    document = parse(path.read_text(encoding="utf-8"))
    meta = document.meta
    missing = [key for key in REQUIRED if key not in meta]
    if missing:
        raise MarkupError(f"{path.name}: thiếu {', '.join(missing)} ở phần đầu / front matter lacks {missing}")
    if meta["audience"] not in AUDIENCES:
        raise MarkupError(f"{path.name}: audience phải là public hoặc staff / audience must be public or staff")
    return Guide(
        slug=path.stem,
        title=meta["title"],
        summary_en=meta["summary_en"],
        public=meta["audience"] == "public",
        roles=tuple(code.strip() for code in meta["roles"].split(",") if code.strip()),
        order=int(meta["order"]),
        document=document,
    )


_loaded: dict[tuple[Path, tuple[tuple[str, int], ...]], dict[str, Guide]] = {}


def guides() -> dict[str, Guide]:
    """slug → guide, in reading order; parsed again only when a source file changes."""
    directory = CONTENT_DIR
    sources = sorted(directory.glob("*.md"))
    key = (directory, tuple((path.name, path.stat().st_mtime_ns) for path in sources))
    if key not in _loaded:
        parsed = sorted((_guide(path) for path in sources), key=lambda guide: (guide.order, guide.slug))
        _loaded.clear()
        _loaded[key] = {guide.slug: guide for guide in parsed}
    return _loaded[key]


def screenshot_path(screen: str) -> Path:
    """Where a screen's screenshot lives (a namespaced URL name's colon becomes ``--``)."""
    return SCREENS_DIR / f"{screen.replace(':', '--')}.png"
