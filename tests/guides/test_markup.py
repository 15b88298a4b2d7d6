"""The guides' markup: what a writer types becomes the blocks the page, the PDF and the checks read, and
nothing in a guide can become markup on the page (every character is escaped)."""

from __future__ import annotations

import pytest

from khoso.guides.markup import (
    Code,
    Figure,
    Heading,
    ItemList,
    Links,
    MarkupError,
    Note,
    Paragraph,
    khoso_invocations,
    parse,
    settings_named,
    to_html,
)

SOURCE = """---
title: Thử
---
## Tra cứu tài liệu
Gõ **có dấu** hoặc không dấu; mở [[man-hinh:portal_home|trang tra cứu]] hoặc
đọc [[huong-dan:bien-muc|hướng dẫn biên mục]] và `khoso search "dak lak"`.

1. Bước một
   còn tiếp
2. Bước hai

- Gạch đầu dòng

> Lưu ý <script>alert(1)</script>

[[man-hinh:reader_register|Đăng ký độc giả]]

### Tra cứu tài liệu
```bash
khoso backup --full   # toàn bộ
```
"""

LINKS = Links(
    screen_url=lambda name: {"portal_home": "/tra-cuu/", "reader_register": "/doc-gia/dang-ky/"}.get(name),
    screen_image=lambda name: f"/huong-dan/man-hinh/{name}.png",
    guide_url=lambda slug: f"/huong-dan/{slug}/",
    guide_title=lambda slug: "Hướng dẫn biên mục",
)


def test_the_source_becomes_blocks() -> None:
    document = parse(SOURCE)
    assert document.meta == {"title": "Thử"}
    kinds = [type(block) for block in document.blocks]
    assert kinds == [Heading, Paragraph, ItemList, ItemList, Note, Figure, Heading, Code]
    numbered = document.blocks[2]
    assert isinstance(numbered, ItemList) and numbered.ordered
    assert [item[0].text for item in numbered.items] == ["Bước một còn tiếp", "Bước hai"]
    assert document.figures() == [Figure("reader_register", "Đăng ký độc giả")]
    assert document.screens() == {"portal_home", "reader_register"}
    assert document.guide_links() == {"bien-muc"}


def test_headings_get_unique_anchors_without_diacritics() -> None:
    anchors = [heading.anchor for heading in parse(SOURCE).headings()]
    assert anchors == ["tra-cuu-tai-lieu", "tra-cuu-tai-lieu-2"]


def test_every_character_of_a_guide_is_escaped_on_the_page() -> None:
    page = to_html(parse(SOURCE + '\nDòng có <b>thẻ</b> & "ngoặc" [[man-hinh:x|<i>nhãn</i>]]\n'), LINKS)
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<b>thẻ</b>" not in page and "&lt;b&gt;thẻ&lt;/b&gt; &amp; &quot;ngoặc&quot;" in page
    assert "<i>" not in page and "&lt;i&gt;nhãn&lt;/i&gt;" in page


def test_references_become_links_and_figures() -> None:
    page = to_html(parse(SOURCE), LINKS)
    assert '<a href="/tra-cuu/"><span class="screen-name">trang tra cứu</span></a>' in page
    assert '<a href="/huong-dan/bien-muc/">hướng dẫn biên mục</a>' in page
    assert '<img src="/huong-dan/man-hinh/reader_register.png" alt="Màn hình «Đăng ký độc giả»">' in page
    assert '<h2 id="tra-cuu-tai-lieu">' in page and "<strong>có dấu</strong>" in page
    assert '<pre><code class="language-bash">khoso backup --full   # toàn bộ</code></pre>' in page


def test_a_screen_without_an_address_or_a_screenshot_stays_text() -> None:
    bare = Links(
        screen_url=lambda name: None,
        screen_image=lambda name: None,
        guide_url=lambda slug: None,
        guide_title=lambda slug: None,
    )
    page = to_html(parse(SOURCE), bare)
    assert "<img" not in page and "<a " not in page and "Màn hình «Đăng ký độc giả»" in page


@pytest.mark.parametrize(
    "source",
    [
        "## Không đóng\n```bash\nkhoso fsck\n",
        "# Tiêu đề cấp một\n",
        "---\ntitle: x\n",
        "---\nkhông có dấu hai chấm\n---\n",
    ],
)
def test_broken_sources_are_refused_with_the_line(source: str) -> None:
    with pytest.raises(MarkupError):
        parse(source)


def test_commands_are_found_as_the_shell_would_run_them() -> None:
    text = "\n".join(
        [
            "khoso backup --full --to /mnt/a   # ghi chú không phải tham số",
            "KHOSO_DATA_DIR=/srv/khoso khoso restore /mnt/sao-luu/ban --data-dir /srv/khoso",
            "sudo -u khoso .venv/bin/khoso fsck --deep && khoso replicate --sweep",
            "khoso package receive a.zip \\",
            "  b.zip --fonds UBND-DL",
            "pg_dump khoso | gzip > khoso.sql.gz",
            "khoso",
            'khoso search "quyết định đắk lắk"',
        ]
    )
    assert khoso_invocations(text) == [
        ["backup", "--full", "--to", "/mnt/a"],
        ["restore", "/mnt/sao-luu/ban", "--data-dir", "/srv/khoso"],
        ["fsck", "--deep"],
        ["replicate", "--sweep"],
        ["package", "receive", "a.zip", "b.zip", "--fonds", "UBND-DL"],
        ["search", "quyết định đắk lắk"],
    ]


def test_settings_are_found_anywhere_in_the_text() -> None:
    assert settings_named("đặt `KHOSO_MIN_COPIES` và KHOSO_BACKUP_DIR=/mnt; không phải KHOSOX") == {
        "KHOSO_MIN_COPIES",
        "KHOSO_BACKUP_DIR",
    }
