"""The guides' markup: a small subset of Markdown, parsed once into blocks that the web page, the PDF and the
reference checks all read. No Django here.

Why our own parser and not a Markdown library: the guides use a dozen constructs, the PDF needs the parsed
structure anyway (reportlab draws blocks, not HTML), and the two references that keep a guide honest, a
screen and a command, must be found exactly. Every character of the source is escaped on output, so a guide
can never inject markup into the page or break the CSP.

The source, one file per guide::

    ---                                   front matter, ``key: value`` lines
    title: Hướng dẫn cho độc giả
    ---
    ## Heading            ### Sub-heading
    A paragraph, lines joined; **bold**, `code`, [[man-hinh:reader_register|Đăng ký độc giả]] (a link to
    the screen named by its Django URL name), [[huong-dan:bien-muc|Hướng dẫn biên mục]] (another guide).
    - an item             1. a numbered item     (a continuation line is indented)
    > a note
    [[man-hinh:reader_register|Đăng ký độc giả]]   alone on its line: a figure, the screen's screenshot
    ```bash
    khoso backup --full       a command block; every ``khoso …`` line is checked against the real commands
    ```
"""

from __future__ import annotations

import html
import re
import shlex
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from khoso.core.text import fold, nfc

SCREEN = "man-hinh"
GUIDE = "huong-dan"


@dataclass(frozen=True)
class Inline:
    """A run of text: ``kind`` is text, code, strong, screen (``target`` = URL name) or guide (``target`` = slug)."""

    kind: str
    text: str
    target: str = ""


@dataclass(frozen=True)
class Heading:
    level: int  # 2 or 3
    inlines: tuple[Inline, ...]
    anchor: str

    @property
    def text(self) -> str:
        return plain(self.inlines)


@dataclass(frozen=True)
class Paragraph:
    inlines: tuple[Inline, ...]


@dataclass(frozen=True)
class Note:
    inlines: tuple[Inline, ...]


@dataclass(frozen=True)
class ItemList:
    ordered: bool
    items: tuple[tuple[Inline, ...], ...]


@dataclass(frozen=True)
class Code:
    language: str
    text: str


@dataclass(frozen=True)
class Figure:
    """A screen shown by its screenshot: ``screen`` is the Django URL name, ``label`` what the guide calls it."""

    screen: str
    label: str


type Block = Heading | Paragraph | Note | ItemList | Code | Figure


@dataclass
class Document:
    meta: dict[str, str]
    blocks: list[Block] = field(default_factory=list)

    def headings(self, level: int | None = None) -> list[Heading]:
        return [b for b in self.blocks if isinstance(b, Heading) and (level is None or b.level == level)]

    def figures(self) -> list[Figure]:
        return [b for b in self.blocks if isinstance(b, Figure)]

    def inlines(self) -> Iterator[Inline]:
        for block in self.blocks:
            if isinstance(block, Heading | Paragraph | Note):
                yield from block.inlines
            elif isinstance(block, ItemList):
                for item in block.items:
                    yield from item

    def screens(self) -> set[str]:
        """URL names of every screen the guide names, as a figure or as a link."""
        named = {inline.target for inline in self.inlines() if inline.kind == "screen"}
        return named | {figure.screen for figure in self.figures()}

    def guide_links(self) -> set[str]:
        return {inline.target for inline in self.inlines() if inline.kind == "guide"}

    def command_texts(self) -> list[str]:
        """Every piece of text that may hold a ``khoso`` command: code blocks and inline code."""
        texts = [block.text for block in self.blocks if isinstance(block, Code)]
        return texts + [inline.text for inline in self.inlines() if inline.kind == "code"]

    def all_text(self) -> str:
        """The whole source text as written (for settings named anywhere, code included)."""
        parts = [inline.text for inline in self.inlines()]
        parts += [block.text for block in self.blocks if isinstance(block, Code)]
        parts += [figure.label for figure in self.figures()]
        return "\n".join([*self.meta.values(), *parts])


class MarkupError(ValueError):
    """The source breaks the subset (names the line)."""


# -- parsing -------------------------------------------------------------------------------------------

_REFERENCE = rf"\[\[({SCREEN}|{GUIDE}):([A-Za-z0-9_.:-]+)(?:\|([^\]]+))?\]\]"
_INLINE = re.compile(rf"`([^`]+)`|\*\*(.+?)\*\*|{_REFERENCE}")
_FIGURE = re.compile(rf"^\[\[{SCREEN}:([A-Za-z0-9_.:-]+)\|([^\]]+)\]\]$")
_ORDERED = re.compile(r"^\d+\.\s+")
_ANCHOR_JUNK = re.compile(r"[^a-z0-9]+")


def parse_inlines(text: str) -> tuple[Inline, ...]:
    found: list[Inline] = []
    position = 0
    for match in _INLINE.finditer(text):
        if match.start() > position:
            found.append(Inline("text", text[position : match.start()]))
        code, strong, kind, target, label = match.groups()
        if code is not None:
            found.append(Inline("code", code))
        elif strong is not None:
            found.append(Inline("strong", strong))
        else:
            found.append(Inline("screen" if kind == SCREEN else "guide", label or target, target))
        position = match.end()
    if position < len(text):
        found.append(Inline("text", text[position:]))
    return tuple(found)


def plain(inlines: tuple[Inline, ...]) -> str:
    return "".join(inline.text for inline in inlines)


def _anchor(text: str, taken: set[str]) -> str:
    base = _ANCHOR_JUNK.sub("-", fold(text)).strip("-") or "muc"
    anchor, number = base, 2
    while anchor in taken:
        anchor, number = f"{base}-{number}", number + 1
    taken.add(anchor)
    return anchor


def _front_matter(lines: list[str]) -> tuple[dict[str, str], int]:
    if not lines or lines[0].strip() != "---":
        return {}, 0
    meta: dict[str, str] = {}
    for number, line in enumerate(lines[1:], start=1):
        if line.strip() == "---":
            return meta, number + 1
        key, colon, value = line.partition(":")
        if not colon:
            raise MarkupError(f"dòng {number + 1}: phần đầu cần dạng «khóa: giá trị» / front matter needs key: value")
        meta[key.strip()] = value.strip()
    raise MarkupError("phần đầu không có dòng «---» kết thúc / front matter is not closed")


def parse(source: str) -> Document:
    """Parse a guide's source (NFC) into its front matter and blocks."""
    lines = nfc(source).replace("\r\n", "\n").split("\n")
    meta, start = _front_matter(lines)
    document = Document(meta)
    anchors: set[str] = set()
    paragraph: list[str] = []
    items: list[list[str]] = []
    ordered = False
    note: list[str] = []

    def flush() -> None:
        nonlocal paragraph, items, note
        if paragraph:
            document.blocks.append(Paragraph(parse_inlines(" ".join(paragraph))))
        if items:
            document.blocks.append(ItemList(ordered, tuple(parse_inlines(" ".join(item)) for item in items)))
        if note:
            document.blocks.append(Note(parse_inlines(" ".join(note))))
        paragraph, items, note = [], [], []

    number = start
    while number < len(lines):
        raw = lines[number]
        line = raw.strip()
        number += 1
        if line.startswith("```"):
            flush()
            language, body = line[3:].strip(), []
            while number < len(lines) and not lines[number].strip().startswith("```"):
                body.append(lines[number])
                number += 1
            if number >= len(lines):
                raise MarkupError(f"dòng {number}: khối lệnh không được đóng bằng ``` / unclosed code block")
            number += 1
            document.blocks.append(Code(language, "\n".join(body).strip("\n")))
        elif not line:
            flush()
        elif line.startswith("#"):
            flush()
            marks, _, text = line.partition(" ")
            if marks not in {"##", "###"} or not text.strip():
                raise MarkupError(f"dòng {number}: chỉ dùng tiêu đề ## và ### / only ## and ### headings")
            inlines = parse_inlines(text.strip())
            document.blocks.append(Heading(len(marks), inlines, _anchor(plain(inlines), anchors)))
        elif figure := _FIGURE.match(line):
            flush()
            document.blocks.append(Figure(figure.group(1), figure.group(2).strip()))
        elif line.startswith("> "):
            if paragraph or items:
                flush()
            note.append(line[2:].strip())
        elif line.startswith("- ") or _ORDERED.match(line):
            if paragraph or note or (items and ordered != (not line.startswith("- "))):
                flush()
            ordered = not line.startswith("- ")
            items.append([line[2:].strip() if not ordered else _ORDERED.sub("", line)])
        elif items and raw.startswith("  "):
            items[-1].append(line)
        else:
            if items or note:
                flush()
            paragraph.append(line)
    flush()
    return document


# -- commands named in the text --------------------------------------------------------------------

_SEPARATORS = {"&&", "||", ";", "|"}
_WRAPPERS = {"sudo", "env", "exec", "time", "nohup"}
_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")


def _segments(words: list[str]) -> Iterator[list[str]]:
    segment: list[str] = []
    for word in words:
        if word in _SEPARATORS:
            yield segment
            segment = []
        else:
            segment.append(word)
    yield segment


def _program_and_arguments(words: list[str]) -> list[str]:
    """Drop what runs the program (``VAR=x``, ``sudo -u khoso``, ``env``): the command as the shell sees it."""
    index = 0
    while index < len(words):
        word = words[index]
        if _ASSIGNMENT.match(word):
            index += 1
        elif word in _WRAPPERS:
            index += 1
            while index < len(words) and words[index].startswith("-"):
                index += 2 if words[index] in {"-u", "-g"} else 1
        else:
            break
    return words[index:]


def khoso_invocations(text: str) -> list[list[str]]:
    """The arguments of every ``khoso`` command in ``text`` (shell lines: comments, ``&&``, ``\\`` joins)."""
    found: list[list[str]] = []
    for line in text.replace("\\\n", " ").split("\n"):
        try:
            words = shlex.split(line, comments=True)
        except ValueError:
            words = line.split()
        for segment in _segments(words):
            command = _program_and_arguments(segment)
            if command and PurePosixPath(command[0]).name == "khoso" and len(command) > 1:
                found.append(command[1:])
    return found


_SETTING = re.compile(r"\bKHOSO_[A-Z0-9_]+\b")


def settings_named(text: str) -> set[str]:
    return set(_SETTING.findall(text))


# -- HTML ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Links:
    """How references become addresses on the site (the web layer fills these in)."""

    screen_url: Callable[[str], str | None]  # a screen's own address, when it takes no argument
    screen_image: Callable[[str], str | None]  # its screenshot, when one exists
    guide_url: Callable[[str], str | None]
    guide_title: Callable[[str], str | None]


def _escape(text: str) -> str:
    return html.escape(text, quote=True)


def inline_html(inlines: tuple[Inline, ...], links: Links) -> str:
    out: list[str] = []
    for inline in inlines:
        text = _escape(inline.text)
        if inline.kind == "code":
            out.append(f"<code>{text}</code>")
        elif inline.kind == "strong":
            out.append(f"<strong>{text}</strong>")
        elif inline.kind == "screen":
            address = links.screen_url(inline.target)
            label = f'<span class="screen-name">{text}</span>'
            out.append(f'<a href="{_escape(address)}">{label}</a>' if address else label)
        elif inline.kind == "guide":
            address = links.guide_url(inline.target)
            out.append(f'<a href="{_escape(address)}">{text}</a>' if address else text)
        else:
            out.append(text)
    return "".join(out)


def to_html(document: Document, links: Links, *, figure_caption: str = "Màn hình «{label}»") -> str:
    """The guide's body as HTML: every piece of text escaped, headings anchored for the table of contents."""
    out: list[str] = []
    for block in document.blocks:
        if isinstance(block, Heading):
            out.append(f'<h{block.level} id="{block.anchor}">{inline_html(block.inlines, links)}</h{block.level}>')
        elif isinstance(block, Paragraph):
            out.append(f"<p>{inline_html(block.inlines, links)}</p>")
        elif isinstance(block, Note):
            out.append(f'<aside class="guide-note"><p>{inline_html(block.inlines, links)}</p></aside>')
        elif isinstance(block, ItemList):
            tag = "ol" if block.ordered else "ul"
            items = "".join(f"<li>{inline_html(item, links)}</li>" for item in block.items)
            out.append(f"<{tag}>{items}</{tag}>")
        elif isinstance(block, Code):
            language = f' class="language-{_escape(block.language)}"' if block.language else ""
            out.append(f"<pre><code{language}>{_escape(block.text)}</code></pre>")
        elif isinstance(block, Figure):
            caption = _escape(figure_caption.format(label=block.label))
            address, image = links.screen_url(block.screen), links.screen_image(block.screen)
            if address:
                caption = f'<a href="{_escape(address)}">{caption}</a>'
            picture = f'<img src="{_escape(image)}" alt="{caption_alt(block, figure_caption)}">' if image else ""
            out.append(
                f'<figure class="guide-screen" id="{SCREEN}-{_escape(block.screen)}">'
                f"{picture}<figcaption>{caption}</figcaption></figure>"
            )
    return "\n".join(out)


def caption_alt(figure: Figure, template: str) -> str:
    return _escape(template.format(label=figure.label))
