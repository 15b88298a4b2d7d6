"""English is the UI's second language (issues 6, 7, 9): every app ships a complete English catalogue.

The catalogues are filled by hand after ``makemessages``; these tests catch the ways that goes wrong
quietly: an empty or fuzzy ``msgstr`` (Django shows the Vietnamese source), a ``.mo`` compiled from an
older ``.po`` (the fix never reaches the page), and a new ``{% translate "…" %}`` literal nobody added
to its app's catalogue.
"""

from __future__ import annotations

import gettext
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

SOURCE_ROOT = Path(__file__).resolve().parents[2] / "src" / "khoso"
CATALOGUE = Path("locale") / "en" / "LC_MESSAGES" / "django.po"
PO_FILES = sorted(SOURCE_ROOT.glob(f"*/{CATALOGUE}"))
TRANSLATE_LITERAL = re.compile(r"""\{%\s*(?:translate|trans)\s+(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')""")
PO_LINE = re.compile(r'^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?) "(.*)"$')


ESCAPES = {"n": "\n", "t": "\t", '"': '"', "'": "'", "\\": "\\"}


def _unquote(text: str) -> str:
    return re.sub(r"\\(.)", lambda match: ESCAPES.get(match.group(1), match.group(0)), text)


def _po_entries(path: Path) -> list[dict[str, object]]:
    """Entries of a PO file as {field: text, "flags": set}; obsolete (#~) entries are left out."""
    entries: list[dict[str, object]] = []
    for block in re.split(r"\n\s*\n", path.read_text(encoding="utf-8")):
        entry: dict[str, object] = {"flags": set()}
        field = None
        for line in block.splitlines():
            if line.startswith("#,"):
                entry["flags"] = {flag.strip() for flag in line[2:].split(",")}
            elif line.startswith("#"):
                continue
            elif match := PO_LINE.match(line):
                field = match.group(1)
                entry[field] = _unquote(match.group(2))
            elif line.startswith('"') and field:
                entry[field] = str(entry[field]) + _unquote(line[1:-1])
        if "msgid" in entry:
            entries.append(entry)
    return entries


def _translations(entry: dict[str, object]) -> list[str]:
    return [str(value) for key, value in entry.items() if key.startswith("msgstr")]


def _app_of(path: Path) -> str:
    return path.relative_to(SOURCE_ROOT).parts[0]


def test_every_app_with_translatable_templates_has_an_english_catalogue() -> None:
    apps_with_strings = {
        _app_of(template)
        for template in SOURCE_ROOT.glob("*/templates/**/*.html")
        if TRANSLATE_LITERAL.search(template.read_text(encoding="utf-8"))
    }
    assert apps_with_strings, "no template with {% translate %} found: wrong source root?"
    assert apps_with_strings <= {_app_of(path) for path in PO_FILES}


@pytest.mark.parametrize("po_path", PO_FILES, ids=_app_of)
def test_catalogue_has_no_empty_or_fuzzy_entry(po_path: Path) -> None:
    entries = [entry for entry in _po_entries(po_path) if entry["msgid"]]
    assert entries, f"{po_path} has no messages"
    untranslated = [entry["msgid"] for entry in entries if not all(_translations(entry))]
    fuzzy = [entry["msgid"] for entry in entries if "fuzzy" in entry["flags"]]  # type: ignore[operator]
    assert untranslated == [], f"{po_path}: empty msgstr"
    assert fuzzy == [], f"{po_path}: fuzzy entries"
    header = next(entry for entry in _po_entries(po_path) if entry["msgid"] == "")
    assert "fuzzy" not in header["flags"] and "charset=UTF-8" in str(header["msgstr"])  # type: ignore[operator]


def _catalog(mo_path: Path) -> dict[object, str]:
    with mo_path.open("rb") as handle:
        catalog = gettext.GNUTranslations(handle)._catalog  # type: ignore[attr-defined]
    return {key: value for key, value in catalog.items() if key != ""}


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="msgfmt (gettext) is not installed")
@pytest.mark.parametrize("po_path", PO_FILES, ids=_app_of)
def test_compiled_catalogue_matches_its_source(po_path: Path, tmp_path: Path) -> None:
    committed = po_path.with_suffix(".mo")
    assert committed.exists(), f"{committed} is missing: run compilemessages"
    fresh = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "--check-format", "-o", str(fresh), str(po_path)], check=True)
    assert _catalog(committed) == _catalog(fresh), f"{committed} is stale: run compilemessages"


def test_every_template_literal_has_an_english_entry_in_its_app() -> None:
    missing: list[str] = []
    checked = 0
    for po_path in PO_FILES:
        app_dir = po_path.parents[3]
        msgids = {entry["msgid"] for entry in _po_entries(po_path)}
        for template in sorted(app_dir.glob("templates/**/*.html")):
            for match in TRANSLATE_LITERAL.finditer(template.read_text(encoding="utf-8")):
                checked += 1
                literal = _unquote(match.group(1) if match.group(1) is not None else match.group(2))
                # makemessages doubles "%" in template strings, so the catalogue holds "%%".
                if literal.replace("%", "%%") not in msgids and literal not in msgids:
                    missing.append(f"{template.relative_to(SOURCE_ROOT)}: {literal}")
    assert checked > 500, "the template scan found too few {% translate %} literals"
    assert missing == [], "template strings without an English entry (run makemessages -l en in the app):"


STAFF_PAGES = [
    # (url, English heading, Vietnamese heading it replaces)
    ("/bao-cao/", "Management dashboard", "Bảng điều khiển của lãnh đạo"),
    ("/muc-luc/", "Import and export file inventories and document inventories", "Nhập, xuất mục lục hồ sơ"),
    ("/quyen-truy-cap/", "Access change proposals", "Đề nghị thay đổi quyền truy cập"),
    ("/nhat-ky/", "<h1>Audit trail</h1>", "Nhật ký kiểm tra"),
    ("/doc-gia/duyet/", "Access requests", "Yêu cầu khai thác"),
    ("/sao-luu/", "Backup log", "Nhật ký sao lưu"),
]


@pytest.mark.django_db
def test_staff_pages_of_each_app_turn_english(client: Client) -> None:
    client.force_login(User.objects.create_superuser("quantri", "qt@example.vn", "mat-khau-thu-nghiem-123"))
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    for url, english, vietnamese in STAFF_PAGES:
        response = client.get(url)
        assert response.status_code == 200, url
        page = response.content.decode()
        assert english in page, url
        assert vietnamese not in page, url
    client.post(reverse("set_language"), {"language": "vi", "next": "/"})
    assert "Bảng điều khiển của lãnh đạo" in client.get("/bao-cao/").content.decode()
