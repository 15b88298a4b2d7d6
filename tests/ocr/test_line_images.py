"""Tesseract's text lines without the PNG round trip (``khoso.ocr._exec.line_images``): the same words,
on the engine the workers use, and a plain fallback when the library cannot be built.

Each recognition runs in a fresh interpreter: whether the library is in the process's symbol scope
before tesseract loads is exactly what is under test, and a test process may have loaded tesseract
already.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

from khoso.ocr._exec import line_images

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"
LINES = [
    "Đắk Lắk đề nghị dỡ bỏ đò đá đỏ, dì dạy dỗ đứa dế đủ đầy.",
    "Quyết định số 12/QĐ-UBND về việc lưu trữ hồ sơ, tài liệu.",
    "Người nghèo ngồi ngủ ngõ ngách, mỗi mùa mưa mười mẫu mạ.",
]

# ``engine``: the workers' way (``ocr_page``, whose engine loads the library first); ``plain``: the same
# call with the library kept out of the process.
PROBE = """
import json, sys
from PIL import Image
from khoso.ocr._exec import line_images
from khoso.ocr.engine import ocr_page
if sys.argv[1] == "plain":
    line_images.load = lambda: None
result = ocr_page(Image.open(sys.argv[2]), dpi=300)
words = [[w.left, w.top, w.width, w.height, w.text] for w in result.words]
print(json.dumps({"raw": line_images.lines_written_raw(), "words": words}))
"""


def _recognise(mode: str, page: Path) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, mode, str(page)], capture_output=True, text=True, timeout=300, check=True
    )
    return json.loads(done.stdout.splitlines()[-1])


@pytest.fixture(scope="module")
def printed_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    image = Image.new("L", (2000, 420), 255)
    draw = ImageDraw.Draw(image)
    for row, line in enumerate(LINES):
        draw.text((60, 60 + row * 110), line, font=ImageFont.truetype(FONT, 50), fill=0)
    path = tmp_path_factory.mktemp("lines") / "page.png"
    image.save(path)
    return path


def test_the_workers_tesseract_reads_the_same_words_without_the_png_round_trip(printed_page: Path) -> None:
    assert line_images.build() is not None  # this machine has a C compiler (install.sh installs gcc)
    engine, plain = _recognise("engine", printed_page), _recognise("plain", printed_page)
    assert plain["raw"] == 0 and engine["raw"] >= len(LINES)  # every line went raw in the workers' engine
    assert engine["words"] == plain["words"] and len(plain["words"]) >= 30  # same words, same boxes
    assert "Đắk" in {word[-1] for word in engine["words"]}


def test_without_a_compiler_nothing_is_built(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    source = tmp_path / "line_images.c"
    source.write_text(line_images.SOURCE.read_text())
    monkeypatch.setattr(line_images, "SOURCE", source)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(line_images.shutil, "which", lambda name: None)
    assert line_images.build() is None
    assert sorted(path.name for path in tmp_path.iterdir()) == ["line_images.c"]


def test_a_source_that_does_not_compile_leaves_nothing_behind(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    source = tmp_path / "line_images.c"
    source.write_text("this is not C\n")
    monkeypatch.setattr(line_images, "SOURCE", source)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert line_images.build() is None
    assert sorted(path.name for path in tmp_path.iterdir()) == ["line_images.c"]


def test_built_once_then_rebuilt_only_when_the_source_changes(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    source = tmp_path / "line_images.c"
    source.write_text(line_images.SOURCE.read_text())
    monkeypatch.setattr(line_images, "SOURCE", source)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    library = line_images.build()
    assert library == tmp_path / line_images.LIBRARY_NAME
    built = library.stat().st_mtime_ns
    assert line_images.build() == library and library.stat().st_mtime_ns == built
    source.write_text(source.read_text() + "\n/* changed */\n")
    later = library.stat().st_mtime + 10
    os.utime(source, (later, later))
    assert line_images.build() == library and library.stat().st_mtime_ns != built


def test_a_source_folder_that_is_not_writable_builds_in_the_cache(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    folder = tmp_path / "package"
    folder.mkdir()
    source = folder / "line_images.c"
    source.write_text(line_images.SOURCE.read_text())
    monkeypatch.setattr(line_images, "SOURCE", source)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    make_temporary = tempfile.mkstemp

    def read_only_package(*, dir: Path, **kwargs: str) -> tuple[int, str]:  # noqa: A002 - mkstemp's own name
        if Path(dir) == folder:
            raise PermissionError(13, "Permission denied", str(dir))
        return make_temporary(dir=dir, **kwargs)

    monkeypatch.setattr(line_images.tempfile, "mkstemp", read_only_package)
    assert line_images.build() == tmp_path / "cache" / "khoso" / line_images.LIBRARY_NAME
    assert sorted(path.name for path in folder.iterdir()) == ["line_images.c"]
