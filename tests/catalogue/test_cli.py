"""``khoso catalogue export`` then ``khoso catalogue import`` (dry run, then --commit)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command

from khoso.archive.models import ArchiveFile

pytestmark = pytest.mark.django_db


def _run(*args: str) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("catalogue", *args, stdout=out, stderr=err)
    except SystemExit as exit_:
        return int(exit_.code or 0), out.getvalue() + err.getvalue()
    return 0, out.getvalue()


def test_export_edit_import_from_the_command_line(fonds, holdings, archivist, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "hs.csv"
    code, text = _run("export", "--fonds", fonds.code, "--csv", str(out), "--user", archivist.username)
    assert code == 0 and "Mục lục hồ sơ" in text
    content = out.read_text(encoding="utf-8-sig")
    assert holdings["secret_file"].file_code not in content  # no view_secret
    out.write_text(content.replace("Hồ sơ hội nghị tổng kết năm 1995", "Hồ sơ hội nghị (sửa từ dòng lệnh)"), "utf-8")

    code, text = _run("import", "--fonds", fonds.code, str(out), "--json")
    report = json.loads(text)
    assert code == 0 and report["counts"]["update"] == 1 and report["committed"] is False
    assert ArchiveFile.objects.get(pk=holdings["second"].pk).title == "Hồ sơ hội nghị tổng kết năm 1995"

    code, text = _run("import", "--fonds", fonds.code, str(out), "--commit", "--user", archivist.username)
    assert code == 0 and "cập nhật 1" in text and "đã ghi" in text
    assert ArchiveFile.objects.get(pk=holdings["second"].pk).title == "Hồ sơ hội nghị (sửa từ dòng lệnh)"


def test_import_with_errors_exits_non_zero_and_writes_nothing(fonds, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    sheet = tmp_path / "loi.csv"
    sheet.write_text("Mã hồ sơ,Tiêu đề hồ sơ\n000.00.00.H15.1996.01.TH,\n", encoding="utf-8")
    code, text = _run("import", "--fonds", fonds.code, str(sheet))
    assert code == 1 and "LỖI loi.csv, dòng 2, cột «Tiêu đề hồ sơ»" in text
    code, text = _run("import", "--fonds", fonds.code, str(sheet), "--commit")
    assert code == 4 and "Không ghi được mục lục" in text
    assert not ArchiveFile.objects.exists()
