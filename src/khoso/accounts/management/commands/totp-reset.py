"""``khoso totp-reset USERNAME``: remove a user's TOTP device and recovery codes (lost phone).

An administrator's act on the server, not a web page: whoever can run ``khoso`` already holds the
database. The user enrols a new device at the next login.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from khoso.accounts import services
from khoso.core.errors import ArchiveError


class Command(BaseCommand):
    help = (
        "Xóa ứng dụng xác thực hai lớp (TOTP) và mã khôi phục của một tài khoản; lần đăng nhập sau "
        "người dùng đăng ký lại. / Remove a user's TOTP device and recovery codes."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            removed = services.device_reset(username=options["username"])
        except ArchiveError as error:
            raise CommandError(error.message, returncode=int(error.exit_code)) from error
        if removed:
            self.stdout.write(
                f"Đã xóa thiết bị xác thực hai lớp của «{options['username']}»; lần đăng nhập sau sẽ đăng ký lại."
            )
        else:
            self.stdout.write(f"Tài khoản «{options['username']}» chưa có thiết bị xác thực hai lớp.")
