"""The guides' references, checked against the product: a guide cannot name what no longer exists.

A screen is named by its Django URL name and must resolve; a figure's screenshot must exist; a ``khoso``
command, with its sub-command and options, must parse with the real management command's parser; a
``KHOSO_*`` setting must be declared in ``khoso.config.options``; a link to another guide must find it; and
every role of ``khoso.access.roles.ROLES`` a person plays must have a guide. ``tests/guides`` fails on any
problem, and ``khoso guide check`` lists them for whoever edits a guide.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.management import get_commands, load_command_class
from django.core.management.base import BaseCommand, CommandError

from khoso.access.roles import ROLES
from khoso.config.options import SETTINGS
from khoso.guides import library
from khoso.guides.library import Guide
from khoso.guides.markup import khoso_invocations, settings_named
from khoso.guides.selectors import route_names

#: roles of ``ROLES`` nobody reads a guide for, and why
ROLES_WITHOUT_GUIDE: dict[str, str] = {
    "he_thong_qlvb": "tài khoản dịch vụ: hệ thống QLVB của tỉnh đẩy văn bản qua API, không người nào đăng nhập bằng nó",
}


@dataclass(frozen=True)
class Problem:
    guide: str
    kind: str  # man-hinh, anh, lenh, bien, huong-dan, vai-tro
    reference: str
    reason: str

    def __str__(self) -> str:
        return f"{self.guide}: [{self.kind}] {self.reference} — {self.reason}"


def command_problem(arguments: list[str]) -> str | None:
    """Why ``khoso <arguments>`` would not run as written (unknown command, sub-command or option), or None."""
    name, *rest = arguments
    commands = get_commands()
    if name not in commands:
        return "không có lệnh này / no such command"
    app = commands[name]
    command = app if isinstance(app, BaseCommand) else load_command_class(app, name)
    parser = command.create_parser("khoso", name)
    errors = io.StringIO()
    try:
        with contextlib.redirect_stderr(errors), contextlib.redirect_stdout(io.StringIO()):
            parser.parse_args(rest)
    except CommandError as error:
        return str(error)
    except SystemExit:
        return errors.getvalue().strip().splitlines()[-1] if errors.getvalue().strip() else "sai cú pháp / bad usage"
    return None


def guide_problems(guide: Guide, *, routes: set[str], known_guides: Iterable[str]) -> list[Problem]:
    document, found = guide.document, []
    declared = {setting.env for setting in SETTINGS}
    for screen in sorted(document.screens() - routes):
        found.append(Problem(guide.slug, "man-hinh", screen, "không có màn hình (URL name) này / no such route"))
    for figure in document.figures():
        if figure.screen in routes and not library.screenshot_path(figure.screen).is_file():
            found.append(
                Problem(
                    guide.slug, "anh", figure.screen, "chưa có ảnh màn hình / screenshot missing: run the browser test"
                )
            )
    for slug in sorted(document.guide_links() - set(known_guides)):
        found.append(Problem(guide.slug, "huong-dan", slug, "không có hướng dẫn này / no such guide"))
    for text in document.command_texts():
        for arguments in khoso_invocations(text):
            reason = command_problem(arguments)
            if reason:
                found.append(Problem(guide.slug, "lenh", "khoso " + " ".join(arguments), reason))
    for name in sorted(settings_named(document.all_text()) - declared):
        found.append(Problem(guide.slug, "bien", name, "không có biến cấu hình này / not in config/options.py"))
    for role in sorted(set(guide.roles) - {role.code for role in ROLES}):
        found.append(Problem(guide.slug, "vai-tro", role, "không có vai trò này trong access/roles.py / no such role"))
    return found


def role_problems(guides: Iterable[Guide]) -> list[Problem]:
    covered = {code for guide in guides for code in guide.roles}
    return [
        Problem("—", "vai-tro", role.code, f"vai trò «{role.name}» chưa có hướng dẫn / role has no guide")
        for role in ROLES
        if role.code not in covered and role.code not in ROLES_WITHOUT_GUIDE
    ]


def problems() -> list[Problem]:
    """Every broken reference of every guide, and every role left without a guide."""
    guides = library.guides()
    routes = route_names()
    found: list[Problem] = []
    for guide in guides.values():
        found += guide_problems(guide, routes=routes, known_guides=guides)
    return found + role_problems(guides.values())
