"""``khoso api-token create|list|revoke --user U --name N``: tokens for programs using the REST API.

An administrator's act on the server (like ``khoso totp-reset``): whoever runs ``khoso`` holds the
database already. ``create`` prints the token once; only its SHA-256 digest is kept.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from khoso.api import selectors, services
from khoso.core.errors import ArchiveError


def _when(value: Any) -> str:
    return timezone.localtime(value).strftime("%d/%m/%Y %H:%M") if value else "—"


class Command(BaseCommand):
    help = "Khóa API: tạo, liệt kê, thu hồi / API tokens: create, list, revoke."

    def add_arguments(self, parser: CommandParser) -> None:
        verbs = parser.add_subparsers(dest="verb", required=True)
        create = verbs.add_parser("create", help="Tạo khóa (in ra một lần) / make a token (printed once)")
        create.add_argument("--user", required=True, help="Tên đăng nhập / username")
        create.add_argument("--name", required=True, help="Tên khóa, vd. «QLVB tỉnh» / token name")
        create.add_argument("--days", type=int, default=None, help="Hết hạn sau N ngày / expires after N days")
        create.add_argument("--json", action="store_true")
        listing = verbs.add_parser("list", help="Liệt kê khóa của một tài khoản / list a user's tokens")
        listing.add_argument("--user", required=True)
        listing.add_argument("--json", action="store_true")
        revoke = verbs.add_parser("revoke", help="Thu hồi một khóa / revoke a token")
        revoke.add_argument("--user", required=True)
        revoke.add_argument("--name", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, f"_{options['verb']}")(options)
        except ArchiveError as error:
            raise CommandError(str(error), returncode=int(error.exit_code)) from error

    def _create(self, options: dict[str, Any]) -> None:
        token, key = services.token_create(username=options["user"], name=options["name"], days=options["days"])
        if options["json"]:
            payload = {"user": options["user"], "name": token.name, "token": key, "expires_at": token.expires_at}
            self.stdout.write(json.dumps(payload, ensure_ascii=False, default=str))
            return
        self.stdout.write(key)
        self.stderr.write(
            f"Khóa «{token.name}» của «{options['user']}» (hết hạn: {_when(token.expires_at)}). Hãy cất ngay: "
            "khóa không được hiển thị lại. / Store it now: the token is not shown again."
        )

    def _list(self, options: dict[str, Any]) -> None:
        rows = [
            {
                "name": token.name,
                "prefix": token.prefix,
                "created_at": token.created_at,
                "last_used_at": token.last_used_at,
                "expires_at": token.expires_at,
                "revoked_at": token.revoked_at,
            }
            for token in selectors.tokens_of(options["user"])
        ]
        if options["json"]:
            self.stdout.write(json.dumps(rows, ensure_ascii=False, default=str))
            return
        for row in rows:
            state = "đã thu hồi" if row["revoked_at"] else "còn hiệu lực"
            self.stdout.write(
                f"{row['name']}\t{row['prefix']}…\ttạo {_when(row['created_at'])}\tdùng {_when(row['last_used_at'])}"
                f"\thết hạn {_when(row['expires_at'])}\t{state}"
            )

    def _revoke(self, options: dict[str, Any]) -> None:
        token = services.token_revoke(username=options["user"], name=options["name"])
        self.stdout.write(f"Đã thu hồi khóa «{token.name}» của «{options['user']}». / Token revoked.")
