"""The API's refusals, in the house style (stable code, Vietnamese first, English second)."""

from __future__ import annotations

from khoso.core.errors import ArchiveError, ExitCode


class TokenUserUnknown(ArchiveError):
    code = "api_nguoi_dung_khong_ton_tai"
    message_vi = "Không có tài khoản «{username}»: khóa API phải thuộc về một tài khoản đang hoạt động."
    message_en = "No active account {username!r}: an API token must belong to an active account."
    http_status = 404
    exit_code = ExitCode.not_found


class TokenNameTaken(ArchiveError):
    code = "api_ten_khoa_trung"
    message_vi = "Tài khoản «{username}» đã có khóa API tên «{name}»: mỗi khóa của một tài khoản phải có tên riêng."
    message_en = "Account {username!r} already has an API token named {name!r}: names must be unique per account."
    exit_code = ExitCode.bad_args


class TokenNameMissing(ArchiveError):
    code = "api_ten_khoa_trong"
    message_vi = "Khóa API phải có tên (1–100 ký tự) để biết chương trình nào dùng nó."
    message_en = "An API token needs a name (1–100 characters) saying which program uses it."
    exit_code = ExitCode.bad_args


class TokenNotFound(ArchiveError):
    code = "api_khoa_khong_ton_tai"
    message_vi = "Tài khoản «{username}» không có khóa API còn hiệu lực tên «{name}»."
    message_en = "Account {username!r} has no live API token named {name!r}."
    http_status = 404
    exit_code = ExitCode.not_found


class TokenExpiryInPast(ArchiveError):
    code = "api_han_khoa_da_qua"
    message_vi = "Hạn của khóa API phải ở tương lai (số ngày ≥ 1)."
    message_en = "An API token's expiry must lie in the future (days ≥ 1)."
    exit_code = ExitCode.bad_args
