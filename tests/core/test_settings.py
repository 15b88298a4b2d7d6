"""Each KHOSO_* setting is declared once, with help in Vietnamese and English, and none is read undeclared."""

import re
from pathlib import Path

from django.core.management import call_command

from khoso.config.options import SETTINGS

SRC = Path(__file__).resolve().parents[2] / "src" / "khoso"
ROOT = SRC.parents[1]


def test_every_setting_has_help_in_both_languages() -> None:
    names = [s.name for s in SETTINGS]
    assert len(names) == len(set(names))
    assert all(s.help_vi and s.help_en for s in SETTINGS)


def test_no_undeclared_setting_is_read_or_documented() -> None:
    declared = {s.name for s in SETTINGS}
    used = set()
    for path in [*SRC.rglob("*.py"), ROOT / "README.md", ROOT / "install.sh", ROOT / "test.sh"]:
        text = path.read_text(encoding="utf-8")
        used |= set(re.findall(r'value\("([A-Z_]+)"\)', text))
        used |= {name for name in re.findall(r"KHOSO_([A-Z0-9_]+)", text) if not name.startswith("TEST_")}
    settings_only = {"OBJECTS_DIR"}  # derived from DATA_DIR in settings.py, not an environment variable
    assert used - declared - settings_only == set()


def test_settings_command_lists_them(capsys) -> None:  # type: ignore[no-untyped-def]
    call_command("settings")
    out = capsys.readouterr().out
    assert "KHOSO_DATA_DIR" in out and "Thư mục" in out


def test_system_check_names_a_missing_ocr_language(settings) -> None:  # type: ignore[no-untyped-def]
    from khoso.capture.checks import ocr_programs_present

    assert ocr_programs_present() == []
    settings.KHOSO_OCR_LANGUAGE = "xyz"
    (problem,) = ocr_programs_present()
    assert problem.id == "khoso.E001" and "xyz" in problem.msg


def test_backup_targets_are_a_comma_separated_list(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from khoso.config.options import value

    monkeypatch.setenv("KHOSO_BACKUP_DIR", "/mnt/luu-tru, /mnt/trung-tam-du-lieu")
    assert value("BACKUP_DIR") == ["/mnt/luu-tru", "/mnt/trung-tam-du-lieu"]
