"""Writes of the accounts area: enrol a TOTP device, check a code or a recovery code, reset.

Every check runs in one transaction with the device row locked, so two requests carrying the
same code cannot both pass (the second finds ``last_step`` already moved), and a recovery code
is marked used in the same transaction that accepts it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from khoso.accounts import totp
from khoso.accounts.models import RecoveryCode, TOTPDevice
from khoso.accounts.selectors import SESSION_KEY
from khoso.core.errors import ArchiveError, NotFoundError


class TwoFactorError(ArchiveError):
    code = "xac_thuc_hai_lop"
    message_vi = "Xác thực hai lớp không thành công."
    message_en = "Two-factor authentication failed."


class WrongCodeError(TwoFactorError):
    code = "ma_xac_thuc_sai"
    message_vi = (
        "Mã xác thực không đúng hoặc đã hết hạn: nhập mã 6 chữ số đang hiện trong ứng dụng xác thực "
        "(mã đổi sau mỗi 30 giây; đồng hồ của điện thoại phải đúng giờ)."
    )
    message_en = "Wrong or expired code: enter the 6-digit code your authenticator app shows now."


class ReplayedCodeError(TwoFactorError):
    code = "ma_xac_thuc_da_dung"
    message_vi = "Mã xác thực này đã được dùng; mỗi mã chỉ dùng được một lần, hãy chờ mã mới."
    message_en = "This code has already been used; each code works once, wait for the next one."


class WrongRecoveryCodeError(TwoFactorError):
    code = "ma_khoi_phuc_sai"
    message_vi = "Mã khôi phục không đúng hoặc đã được dùng (mỗi mã khôi phục chỉ dùng được một lần)."
    message_en = "Wrong or already used recovery code (each recovery code works once)."


class DeviceLockedError(TwoFactorError):
    code = "xac_thuc_hai_lop_tam_khoa"
    message_vi = "Nhập sai mã xác thực quá {limit} lần liên tiếp; hãy thử lại sau {until}."
    message_en = "Too many wrong codes ({limit}); try again after {until}."
    http_status = 429


class NotEnrolledError(TwoFactorError):
    code = "chua_dang_ky_xac_thuc_hai_lop"
    message_vi = "Tài khoản chưa đăng ký ứng dụng xác thực hai lớp."
    message_en = "This account has no two-factor device."


def _key() -> str:
    return str(settings.SECRET_KEY)


def device_begin(*, user: Any) -> tuple[TOTPDevice, str]:
    """A new unconfirmed device for ``user`` (replacing an unconfirmed one) and its secret.

    A confirmed device is never replaced here: only :func:`device_reset` (an administrator) removes it.
    """
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(user_id=user.pk).first()
        if device is not None and device.confirmed:
            raise TwoFactorError(
                "Tài khoản đã có ứng dụng xác thực; để đổi, quản trị viên đặt lại bằng lệnh «khoso totp-reset»."
            )
        secret = totp.new_secret()
        if device is None:
            device = TOTPDevice.objects.create(user=user, secret_sealed=totp.seal(secret, _key()))
        else:
            device.secret_sealed = totp.seal(secret, _key())
            device.failed_attempts = 0
            device.locked_until = None
            device.last_step = None
            device.save()
    return device, secret


def device_secret(device: TOTPDevice) -> str | None:
    """The secret of an *unconfirmed* device (shown again while enrolling); never of a confirmed one."""
    if device.confirmed:
        return None
    return totp.unseal(device.secret_sealed, _key())


def _locked_device(user: Any) -> TOTPDevice:
    device = TOTPDevice.objects.select_for_update().filter(user_id=user.pk).first()
    if device is None:
        raise NotEnrolledError()
    now = timezone.now()
    if device.locked_until and device.locked_until > now:
        raise DeviceLockedError(
            limit=settings.AXES_FAILURE_LIMIT,
            until=timezone.localtime(device.locked_until).strftime("%H:%M %d/%m/%Y"),
        )
    return device


def _failed(device: TOTPDevice) -> None:
    """Count a miss (committed even though the caller then raises)."""
    device.failed_attempts += 1
    if device.failed_attempts >= settings.AXES_FAILURE_LIMIT:
        device.locked_until = timezone.now() + settings.AXES_COOLOFF_TIME
        device.failed_attempts = 0
    device.save(update_fields=["failed_attempts", "locked_until"])


def _check_code(device: TOTPDevice, code: str, now: datetime | None) -> None:
    secret = totp.unseal(device.secret_sealed, _key())
    if secret is None:  # SECRET_KEY changed since enrolment
        raise WrongCodeError("Khóa của thiết bị không đọc được; quản trị viên cần đặt lại (khoso totp-reset).")
    step = totp.matching_step(secret, code, last_step=device.last_step, now=now)
    if step is None:
        replay = totp.replayed(secret, code, last_step=device.last_step, now=now)
        _failed(device)
        raise ReplayedCodeError() if replay else WrongCodeError()
    device.last_step = step
    device.last_used_at = timezone.now()
    device.failed_attempts = 0
    device.locked_until = None


def device_confirm(*, user: Any, code: str, now: datetime | None = None) -> list[str]:
    """Confirm the enrolment with a first code; return the recovery codes (shown once, stored hashed)."""
    codes = totp.new_recovery_codes()
    error: TwoFactorError | None = None
    with transaction.atomic():
        device = _locked_device(user)
        if device.confirmed:
            raise TwoFactorError("Ứng dụng xác thực đã được xác nhận trước đó.")
        try:
            _check_code(device, code, now)
        except TwoFactorError as refused:
            error = refused  # the miss is counted: commit, then raise
        else:
            device.confirmed = True
            device.confirmed_at = timezone.now()
            device.save()
            device.recovery_codes.all().delete()
            RecoveryCode.objects.bulk_create(
                RecoveryCode(device=device, digest=totp.recovery_digest(c, _key())) for c in codes
            )
    if error is not None:
        raise error
    return codes


def verify_code(*, user: Any, code: str, now: datetime | None = None) -> None:
    """Accept a current, unused TOTP code of ``user``'s confirmed device, or raise."""
    error: TwoFactorError | None = None
    with transaction.atomic():
        device = _locked_device(user)
        if not device.confirmed:
            raise NotEnrolledError()
        try:
            _check_code(device, code, now)
        except TwoFactorError as refused:
            error = refused
        else:
            device.save()
    if error is not None:
        raise error


def use_recovery_code(*, user: Any, code: str) -> int:
    """Spend one recovery code; return how many unused codes remain."""
    error: TwoFactorError | None = None
    remaining = 0
    with transaction.atomic():
        device = _locked_device(user)
        if not device.confirmed:
            raise NotEnrolledError()
        digest = totp.recovery_digest(code, _key())
        spent = RecoveryCode.objects.filter(device=device, digest=digest, used_at__isnull=True).update(
            used_at=timezone.now()
        )
        if spent != 1:
            _failed(device)
            error = WrongRecoveryCodeError()
        else:
            device.failed_attempts = 0
            device.locked_until = None
            device.last_used_at = timezone.now()
            device.save()
            remaining = device.recovery_codes.filter(used_at__isnull=True).count()
    if error is not None:
        raise error
    return remaining


def mark_session_verified(request: Any) -> None:
    """The session has passed the second factor (cycled key: a new session id after the step-up)."""
    request.session.cycle_key()
    request.session[SESSION_KEY] = request.user.pk


def device_reset(*, username: str) -> bool:
    """Remove ``username``'s device and recovery codes (administrator action); True if there was one."""
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise NotFoundError(what="tài khoản", key=username)
    deleted, _ = TOTPDevice.objects.filter(user=user).delete()
    return deleted > 0
