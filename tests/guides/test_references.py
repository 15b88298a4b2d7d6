"""The guides cannot drift from the product: every screen, command, option, setting, screenshot and guide they
name exists, and every role a person plays has a guide.

The first two tests read the real guides; the others feed a guide written wrong on purpose to the same
checks, to show each kind of drift is caught.
"""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from khoso.access.roles import ROLES
from khoso.guides import library, references
from khoso.guides.library import Guide
from khoso.guides.markup import parse
from khoso.guides.selectors import route_names


def test_every_reference_in_every_guide_resolves() -> None:
    problems = references.problems()
    assert not problems, "\n".join(str(problem) for problem in problems)


def test_every_role_a_person_plays_has_a_guide_and_the_exceptions_say_why() -> None:
    covered = {code for guide in library.guides().values() for code in guide.roles}
    for role in ROLES:
        assert role.code in covered or references.ROLES_WITHOUT_GUIDE.get(role.code), role.code
    assert set(references.ROLES_WITHOUT_GUIDE) <= {role.code for role in ROLES}
    assert not covered & set(references.ROLES_WITHOUT_GUIDE)


def test_the_guides_are_the_ones_the_archive_asked_for() -> None:
    guides = library.guides()
    assert [guide.slug for guide in guides.values() if guide.public] == ["doc-gia"]
    assert {"doc-gia", "bien-muc", "van-hanh-may-quet", "kiem-tra-chat-luong", "luu-tru-vien-phe-duyet"} <= set(guides)
    assert {"quan-tri-vien", "cai-dat-van-hanh"} <= set(guides)
    operations = guides["cai-dat-van-hanh"].document
    text = operations.all_text()
    for subject in ("./install.sh", "KHOSO_DATABASE_URL", "KHOSO_BROKER_URL", "S3", "khoso worker --no-beat"):
        assert subject in text, subject
    commands = [" ".join(args) for chunk in operations.command_texts() for args in _invocations(chunk)]
    for verb in ("backup", "restore", "fixity", "replicate", "fsck"):
        assert any(command.startswith(verb) for command in commands), verb


def _invocations(text: str) -> list[list[str]]:
    from khoso.guides.markup import khoso_invocations

    return khoso_invocations(text)


WRONG = """---
title: Sai
summary_en: wrong on purpose
audience: staff
roles: bien_muc, thu_thu
order: 99
---
## Mọi thứ đều sai
Mở [[man-hinh:man_hinh_da_bi_xoa|màn hình cũ]], đọc [[huong-dan:khong-co|hướng dẫn cũ]], đặt `KHOSO_KHONG_CO`.

[[man-hinh:my_queue|Việc của tôi]]

```bash
khoso backup --toan-bo
khoso report nam --year 2026
khoso xoa-het
khoso fsck --deep
```
"""


@pytest.fixture
def wrong_guide() -> Guide:
    document = parse(WRONG)
    return Guide("sai", "Sai", "wrong", False, ("bien_muc", "thu_thu"), 99, document)


def test_each_kind_of_drift_is_caught(wrong_guide: Guide, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(library, "SCREENS_DIR", tmp_path)  # no screenshot anywhere
    found = references.guide_problems(wrong_guide, routes=route_names(), known_guides=library.guides())
    by_kind = {(problem.kind, problem.reference) for problem in found}
    assert by_kind == {
        ("man-hinh", "man_hinh_da_bi_xoa"),
        ("anh", "my_queue"),
        ("huong-dan", "khong-co"),
        ("bien", "KHOSO_KHONG_CO"),
        ("lenh", "khoso backup --toan-bo"),
        ("lenh", "khoso report nam --year 2026"),
        ("lenh", "khoso xoa-het"),
        ("vai-tro", "thu_thu"),
    }
    reasons = {problem.reference: problem.reason for problem in found}
    assert "--toan-bo" in reasons["khoso backup --toan-bo"]
    assert "nam" in reasons["khoso report nam --year 2026"]


def test_a_role_without_a_guide_is_named() -> None:
    only_reader = [guide for guide in library.guides().values() if guide.slug == "doc-gia"]
    missing = {problem.reference for problem in references.role_problems(only_reader)}
    assert missing == {role.code for role in ROLES} - {"doc_gia"} - set(references.ROLES_WITHOUT_GUIDE)


@pytest.mark.django_db
def test_the_check_command_lists_problems_and_fails(tmp_path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    call_command("guide", "check")
    assert "Mọi tham chiếu trong hướng dẫn đều đúng" in capsys.readouterr().out
    monkeypatch.setattr(library, "SCREENS_DIR", tmp_path)
    with pytest.raises(CommandError) as refused:
        call_command("guide", "check")
    assert refused.value.returncode == 4
    assert "[anh] portal_home" in capsys.readouterr().out
