"""Deploy checks (``khoso check --deploy``): what a production archive needs beyond Django's own.

Django's ``--deploy`` checks look at settings only; an archive can pass them and still lose
data or OCR nothing. These checks look at the machine (engineering.md C5 T13):

========== ===============================================================================
khoso.E101 tesseract or its language data (``KHOSO_OCR_LANGUAGE``, default ``vie``) missing
khoso.E102 the object store (``DATA_DIR/objects``) cannot be written
khoso.E103 the object store lies inside ``STATIC_ROOT`` (whitenoise would serve it to anyone)
khoso.W104 the object store can be read by every local user (mode o+r or o+x)
khoso.E105 ``SECRET_KEY`` is not from the environment (the key generated into DATA_DIR is for one
           machine only and travels with every copy of the data directory)
khoso.E106 SQLite not in WAL mode with ``synchronous=FULL`` (a committed row may be lost)
khoso.E107 PostgreSQL without data checksums (silent corruption goes unnoticed)
khoso.E108 a replica location (preservation ``StorageLocation``) is unreachable or not writable
khoso.E109 the RFC 3161 time-stamp authority ``KHOSO_TSA_URL`` does not answer
khoso.E110 the database is not migrated, or the cache table is missing (``khoso migrate``)
========== ===============================================================================

Registered with ``deploy=True`` so plain ``khoso check`` (and every test run) stays offline and
fast. Each network probe has a short timeout.
"""

from __future__ import annotations

import os
import stat
import tempfile
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning, register

from khoso.config.options import value

PROBE_TIMEOUT = 5.0


@register("khoso", deploy=True)
def ocr_engine(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    from khoso.core.errors import ArchiveError
    from khoso.ocr._exec import tesseract

    try:
        tesseract.check_language(settings.KHOSO_OCR_LANGUAGE)
    except ArchiveError as error:
        return [
            Error(
                f"Không dùng được tesseract để nhận dạng chữ: {error.message}",
                hint="apt install tesseract-ocr tesseract-ocr-vie",
                id="khoso.E101",
            )
        ]
    return []


def _nearest_existing(path: Path) -> Path:
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


@register("khoso", deploy=True)
def object_store(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    root = Path(settings.KHOSO_OBJECTS_DIR).resolve()
    problems: list[CheckMessage] = []
    static_root = Path(settings.STATIC_ROOT).resolve() if settings.STATIC_ROOT else None
    if static_root is not None and root.is_relative_to(static_root):
        problems.append(
            Error(
                f"Kho đối tượng {root} nằm trong thư mục tệp tĩnh {static_root}: ai cũng tải được tài liệu.",
                hint="Đặt KHOSO_DATA_DIR sao cho objects/ và static/ tách nhau.",
                id="khoso.E103",
            )
        )
    if root.is_dir():
        try:
            with tempfile.TemporaryFile(dir=root):
                pass
        except OSError as error:
            problems.append(Error(f"Không ghi được vào kho đối tượng {root}: {error}", id="khoso.E102"))
        mode = root.stat().st_mode
        if mode & (stat.S_IROTH | stat.S_IXOTH):
            problems.append(
                Warning(
                    f"Kho đối tượng {root} có quyền {stat.filemode(mode)}: mọi người dùng của máy đọc được tài liệu.",
                    hint=f"chmod o-rwx {root}",
                    id="khoso.W104",
                )
            )
    else:
        parent = _nearest_existing(root)
        if not os.access(parent, os.W_OK | os.X_OK):
            problems.append(Error(f"Không tạo được kho đối tượng {root}: không ghi được {parent}.", id="khoso.E102"))
    return problems


@register("khoso", deploy=True)
def secret_key_from_environment(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    if value("SECRET_KEY"):
        return []
    return [
        Error(
            "SECRET_KEY không lấy từ biến môi trường KHOSO_SECRET_KEY mà là khóa tự sinh trong thư mục dữ liệu.",
            hint="Đặt KHOSO_SECRET_KEY (ít nhất 50 ký tự ngẫu nhiên) trong môi trường của dịch vụ, giống nhau trên "
            "mọi máy chủ web và tiến trình xử lý.",
            id="khoso.E105",
        )
    ]


@register("khoso", deploy=True)
def database_durability(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    from django.db import DatabaseError, connection

    try:
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                cursor.execute("PRAGMA journal_mode")
                journal = str(cursor.fetchone()[0]).lower()
                cursor.execute("PRAGMA synchronous")
                synchronous = int(cursor.fetchone()[0])
                if journal != "wal" or synchronous != 2:
                    return [
                        Error(
                            f"SQLite đang ở journal_mode={journal}, synchronous={synchronous}; cần WAL và FULL (2).",
                            hint="Dùng cấu hình CSDL mặc định của settings.py (init_command).",
                            id="khoso.E106",
                        )
                    ]
            elif connection.vendor == "postgresql":
                cursor.execute("SHOW data_checksums")
                if str(cursor.fetchone()[0]).lower() != "on":
                    return [
                        Error(
                            "PostgreSQL chưa bật data checksums: dữ liệu hỏng trên đĩa sẽ không bị phát hiện.",
                            hint="pg_checksums --enable (khi máy chủ dừng) hoặc initdb --data-checksums.",
                            id="khoso.E107",
                        )
                    ]
    except DatabaseError as error:
        return [Error(f"Không kết nối được cơ sở dữ liệu: {error}", id="khoso.E110")]
    return []


@register("khoso", deploy=True)
def migrated(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    from django.db import DatabaseError, connection
    from django.db.migrations.executor import MigrationExecutor

    try:
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
        tables = set(connection.introspection.table_names())
    except DatabaseError as error:
        return [Error(f"Không đọc được cơ sở dữ liệu: {error}", id="khoso.E110")]
    missing = [
        str(cache["LOCATION"])
        for cache in settings.CACHES.values()
        if cache["BACKEND"].endswith("DatabaseCache") and cache["LOCATION"] not in tables
    ]
    if pending or missing:
        return [
            Error(
                f"Cơ sở dữ liệu chưa cập nhật: {len(pending)} migration chưa chạy"
                + (f", thiếu bảng bộ nhớ đệm {', '.join(missing)}" if missing else "")
                + ".",
                hint="khoso migrate",
                id="khoso.E110",
            )
        ]
    return []


def _location_problem(location: Any) -> str | None:
    if location.kind == "local":
        path = Path(location.path)
        if not path.is_dir():
            return f"thư mục {path} không tồn tại"
        if not os.access(path, os.W_OK | os.X_OK):
            return f"không ghi được vào {path}"
        return None
    missing = [name for name in (location.access_key_env, location.secret_key_env) if not os.environ.get(name)]
    if missing:
        return f"thiếu biến môi trường chứa khóa: {', '.join(missing)}"
    import boto3
    from botocore.config import Config
    from botocore.exceptions import BotoCoreError, ClientError

    client = boto3.client(
        "s3",
        endpoint_url=location.endpoint_url or None,
        aws_access_key_id=os.environ[location.access_key_env],
        aws_secret_access_key=os.environ[location.secret_key_env],
        region_name=location.region or "us-east-1",
        config=Config(
            s3={"addressing_style": "path"},
            connect_timeout=PROBE_TIMEOUT,
            read_timeout=PROBE_TIMEOUT,
            retries={"max_attempts": 1},
        ),
    )
    try:
        client.head_bucket(Bucket=location.bucket)
    except (BotoCoreError, ClientError) as error:
        return f"không truy cập được bucket {location.bucket} tại {location.endpoint_url or 'AWS'}: {error}"
    return None


@register("khoso", deploy=True)
def replica_locations(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    from django.db import DatabaseError

    from khoso.preservation.models import StorageLocation

    try:
        locations = list(StorageLocation.objects.filter(active=True, is_primary=False))
    except DatabaseError:
        return []  # reported by khoso.E110
    problems: list[CheckMessage] = []
    for location in locations:
        problem = _location_problem(location)
        if problem:
            problems.append(Error(f"Nơi lưu bản sao «{location.name}»: {problem}.", obj=location.name, id="khoso.E108"))
    return problems


@register("khoso", deploy=True)
def time_stamp_authority(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    url = settings.KHOSO_TSA_URL
    if not url:
        return []
    request = urllib.request.Request(url, method="GET", headers={"User-Agent": "khoso-check"})
    try:
        with urllib.request.urlopen(request, timeout=PROBE_TIMEOUT):  # noqa: S310 - an operator-set http(s) URL
            pass
    except urllib.error.HTTPError:
        return []  # it answered (a TSA refuses GET with 4xx/5xx): reachable
    except (urllib.error.URLError, OSError, ValueError) as error:
        return [
            Error(
                f"Không kết nối được máy chủ dấu thời gian KHOSO_TSA_URL={url}: {error}",
                hint="Chữ ký số sẽ không có dấu thời gian (PAdES B-T) khi máy chủ này không trả lời.",
                id="khoso.E109",
            )
        ]
    return []
