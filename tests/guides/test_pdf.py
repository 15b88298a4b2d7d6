"""Every guide reads on the site with its table of contents and screenshots, and prints as a PDF whose text
(Vietnamese diacritics included) is the guide's: the same headings, the same commands, its screenshots, from
the web page or from ``khoso guide pdf``."""

from __future__ import annotations

import io
from pathlib import Path

import pikepdf
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse

from khoso.core.printing import pdf_plain_text
from khoso.guides import library
from khoso.guides.markup import Code, khoso_invocations

pytestmark = pytest.mark.django_db

GUIDES = list(library.guides())


def _words(text: str) -> str:
    return " ".join(text.split())


def _images(pdf: bytes) -> int:
    """How many distinct pictures the PDF embeds."""
    with pikepdf.open(io.BytesIO(pdf)) as document:
        return sum(
            1 for item in document.objects if isinstance(item, pikepdf.Stream) and item.get("/Subtype") == "/Image"
        )


@pytest.mark.parametrize("slug", GUIDES)
def test_the_pdf_holds_the_guide(slug: str, actors, placeholder_screens) -> None:  # type: ignore[no-untyped-def]
    guide = library.guides()[slug]
    response = Client()
    response.force_login(actors["staff"])
    answer = response.get(reverse("guides_pdf", args=[slug]))
    assert answer.status_code == 200 and answer["Content-Type"] == "application/pdf"
    assert f'filename="huong-dan-{slug}.pdf"' in answer["Content-Disposition"]
    text = pdf_plain_text(answer.content)
    assert _words(guide.title) in text and "Mục lục" in text
    for heading in guide.toc:
        assert text.count(_words(heading.text)) >= 2, heading.text  # in the table of contents and in the body
    for block in guide.document.blocks:
        if isinstance(block, Code):
            for arguments in khoso_invocations(block.text):
                assert f"khoso {arguments[0]}" in text
    assert _images(answer.content) == len({figure.screen for figure in guide.document.figures()})


def test_the_pdf_text_is_vietnamese_as_written(actors, placeholder_screens) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(actors["reader"])
    text = pdf_plain_text(client.get(reverse("guides_pdf", args=["doc-gia"])).content)
    for phrase in ("Đăng ký tài khoản độc giả", "Bản sao có xác thực", "06 ngày làm việc", "Đắk Lắk"):
        assert phrase in text, phrase


@pytest.mark.parametrize("slug", GUIDES)
def test_the_page_shows_contents_figures_and_the_pdf_link(slug: str, actors, placeholder_screens) -> None:  # type: ignore[no-untyped-def]
    guide = library.guides()[slug]
    client = Client()
    client.force_login(actors["staff"])
    page = client.get(reverse("guides_detail", args=[slug])).content.decode()
    for heading in guide.toc:
        assert f'href="#{heading.anchor}"' in page and f'id="{heading.anchor}"' in page
    for figure in guide.document.figures():
        assert f'src="{reverse("guides_screen", args=[figure.screen])}"' in page, figure.screen
    assert reverse("guides_pdf", args=[slug]) in page
    assert "<script" not in page.split("<main", 1)[1]  # the guide page runs no script at all


def test_links_to_screens_and_guides_lead_somewhere_real(actors, placeholder_screens) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(actors["staff"])
    page = client.get(reverse("guides_detail", args=["doc-gia"])).content.decode()
    assert f'<a href="{reverse("reader_register")}"><span class="screen-name">' in page
    staff = client.get(reverse("guides_detail", args=["bien-muc"])).content.decode()
    assert f'<a href="{reverse("guides_detail", args=["quan-tri-vien"])}">' in staff
    # a reader may follow the reader's guide, but a link to a staff guide is plain text for them
    reader = Client()
    reader.force_login(actors["reader"])
    assert (
        reverse("guides_detail", args=["bien-muc"])
        not in reader.get(reverse("guides_detail", args=["doc-gia"])).content.decode()
    )


def test_the_cli_builds_one_guide_or_all(tmp_path: Path, placeholder_screens, capsys) -> None:  # type: ignore[no-untyped-def]
    call_command("guide", "pdf", "doc-gia", "--out", str(tmp_path / "mot"))
    assert [path.name for path in (tmp_path / "mot").iterdir()] == ["huong-dan-doc-gia.pdf"]
    call_command("guide", "pdf", "all", "--out", str(tmp_path / "tat-ca"))
    written = sorted(path.name for path in (tmp_path / "tat-ca").iterdir())
    assert written == sorted(f"huong-dan-{slug}.pdf" for slug in GUIDES)
    for path in (tmp_path / "tat-ca").iterdir():
        assert path.read_bytes().startswith(b"%PDF")
    with pytest.raises(CommandError, match="khong-co"):
        call_command("guide", "pdf", "khong-co", "--out", str(tmp_path))
    capsys.readouterr()
    call_command("guide", "list")
    listing = capsys.readouterr().out
    assert all(slug in listing for slug in GUIDES) and "(công khai)" in listing
