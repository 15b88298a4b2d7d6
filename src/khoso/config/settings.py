"""Django settings: every value comes from :mod:`khoso.config.options`.

The embedded default keeps everything under ``KHOSO_DATA_DIR``: SQLite in WAL mode with
``synchronous=FULL`` (a committed catalogue row survives power loss, engineering.md C2), the
content-addressed object store, the search index and a file-based Celery queue. Setting
``KHOSO_DATABASE_URL`` and ``KHOSO_BROKER_URL`` moves the same code onto PostgreSQL and
Redis/RabbitMQ with workers on other machines.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab

from khoso.config.options import value

DATA_DIR = Path(value("DATA_DIR")).expanduser().resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    configured = value("SECRET_KEY")
    if configured:
        return configured
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = value("DEBUG")
ALLOWED_HOSTS = value("ALLOWED_HOSTS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "khoso.config",
    "khoso.storage",
    "khoso.archive",
    "khoso.access",
    "khoso.capture",
    "khoso.search",
    "khoso.workflow",
    "khoso.custody",
    "khoso.cataloguing",
    "khoso.scanning",
    "khoso.inspection",
    "khoso.handover",
    "khoso.readers",
    "khoso.portal",
    "khoso.packages",
    "khoso.preservation",
    "khoso.backup",
    "khoso.audit",
    "khoso.accounts",
    "khoso.signing",
    "khoso.oai",
    "khoso.reports",
    "khoso.catalogue",
    "khoso.qlvb",
    "khoso.deadlines",
    "khoso.guides",
    "khoso.api",
    "rest_framework",
    "drf_spectacular",
    "axes",
    "khoso.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "khoso.accounts.middleware.StaffTwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "khoso.audit.middleware.AuditMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "khoso.config.urls"
WSGI_APPLICATION = "khoso.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "khoso.web.context.site",
            ],
        },
    },
]

_database_url = value("DATABASE_URL")
if _database_url:
    DATABASES = {"default": dj_database_url.parse(_database_url, conn_max_age=60)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "khoso.sqlite3",  # type: ignore[typeddict-item]  # Django takes a Path; stubs say str
            "OPTIONS": {
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 30,
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = value("LOGIN_FAILURE_LIMIT")
AXES_COOLOFF_TIME = timedelta(minutes=value("LOGIN_COOLOFF_MINUTES"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_DISABLE_ACCESS_LOG = True  # successful logins are in the audit trail; axes keeps the failures

_cache_url = value("CACHE_URL")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _cache_url}
        if _cache_url
        else {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "khoso_cache"}
    )
}
# The API (khoso.api): deny by default, tokens for programs, the session for the browsable pages.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "khoso.api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_THROTTLE_CLASSES": ["khoso.accounts.ratelimit.Throttle"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Kho Số API",
    "DESCRIPTION": "API của Kho Số / the Kho Số REST API (TT 05/2025, NĐ 30/2020)",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # one name per choice set shared by several serializers (else drf-spectacular warns and invents names)
    "ENUM_NAME_OVERRIDES": {
        "ArchiveFileKindEnum": "khoso.archive.models.ArchiveFile.Kind",
        "ReaderRequestKindEnum": "khoso.readers.models.ReaderRequest.Kind",
        "FondsStatusEnum": "khoso.archive.models.Fonds.Status",
        "ReaderRequestStatusEnum": "khoso.readers.models.ReaderRequest.Status",
        "IngestResultEnum": "khoso.qlvb.models.IngestRecord.Result",
    },
}

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
LOCALE_PATHS = [Path(__file__).resolve().parent.parent / "locale"]
TIME_ZONE = value("TIME_ZONE")
USE_I18N = True
USE_TZ = True
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]
FORMAT_MODULE_PATH = ["khoso.config.formats"]

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

FILE_UPLOAD_MAX_MEMORY_SIZE = 8 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 8 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FILES = value("MAX_UPLOAD_FILES")
FILE_UPLOAD_TEMP_DIR = DATA_DIR / "tmp"
FILE_UPLOAD_TEMP_DIR.mkdir(exist_ok=True)

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
SECURE_CONTENT_TYPE_NOSNIFF = True

KHOSO_OBJECTS_DIR = DATA_DIR / "objects"
KHOSO_SEARCH_DIR = Path(value("SEARCH_DIR") or DATA_DIR / "search")
KHOSO_SEARCH_THREADS = value("SEARCH_THREADS")
KHOSO_WATCH_DIR = Path(value("WATCH_DIR") or DATA_DIR / "watch")
KHOSO_OCR_LANGUAGE = value("OCR_LANGUAGE")
KHOSO_OCR_BINARISE = value("OCR_BINARISE")
KHOSO_OCR_FULL_LAYOUT = value("OCR_FULL_LAYOUT")
KHOSO_RENDITION_JPEG_QUALITY = value("RENDITION_JPEG_QUALITY")
KHOSO_RENDITION_MODE = value("RENDITION_MODE")
KHOSO_MIN_DPI = value("MIN_DPI")
KHOSO_MIN_DPI_MAP = value("MIN_DPI_MAP")
KHOSO_MAX_UPLOAD_BYTES = value("MAX_UPLOAD_BYTES")
KHOSO_MAX_PAGE_PIXELS = value("MAX_PAGE_PIXELS")
KHOSO_MAX_PAGES = value("MAX_PAGES")
KHOSO_STAGE_LEASE_SECONDS = value("STAGE_LEASE_SECONDS")
KHOSO_INLINE_TASKS = value("INLINE_TASKS")
KHOSO_ARCHIVE_NAME = value("ARCHIVE_NAME")
KHOSO_INSTITUTION_CODE = value("INSTITUTION_CODE")
KHOSO_FAULT_INJECT = value("FAULT_INJECT")
KHOSO_COPY_ROOTS = value("COPY_ROOTS")
KHOSO_SIGNING_P12 = Path(value("SIGNING_P12") or DATA_DIR / "signing" / "archive.p12")
KHOSO_SIGNING_P12_PASSWORD = value("SIGNING_P12_PASSWORD")
KHOSO_READING_DAYS = min(value("READING_DAYS"), 15)
KHOSO_PURGE_DAYS = value("PURGE_DAYS")
KHOSO_REVIEW_WORKING_DAYS = value("REVIEW_WORKING_DAYS")
KHOSO_HOLIDAYS = value("HOLIDAYS")
KHOSO_STATUTORY_HOLIDAYS = value("STATUTORY_HOLIDAYS")
KHOSO_MAKEUP_WORKDAYS = value("MAKEUP_WORKDAYS")
KHOSO_PAYMENT_PROVIDER = value("PAYMENT_PROVIDER")
KHOSO_PUBLIC_URL = value("PUBLIC_URL").rstrip("/")
KHOSO_ARCHIVE_ROLE = value("ARCHIVE_ROLE")
if KHOSO_ARCHIVE_ROLE not in {"lich_su", "co_quan"}:
    raise ValueError("KHOSO_ARCHIVE_ROLE phải là 'lich_su' hoặc 'co_quan' / must be 'lich_su' or 'co_quan'")
KHOSO_MIN_COPIES = value("MIN_COPIES")
ADMINS = value("ADMINS")
SERVER_EMAIL = value("EMAIL_FROM")
KHOSO_FIXITY_FULL_PASS_DAYS = value("FIXITY_FULL_PASS_DAYS")
KHOSO_FIXITY_SAMPLE_PERCENT = value("FIXITY_SAMPLE_PERCENT")
KHOSO_DEADLINE_WARNING_DAYS = value("DEADLINE_WARNING_DAYS")
KHOSO_BACKUP_DIR = [Path(p) for p in value("BACKUP_DIR")] or [DATA_DIR / "backups"]
KHOSO_PACKAGE_MAX_BYTES = value("PACKAGE_MAX_BYTES")
KHOSO_TSA_URL = value("TSA_URL")
KHOSO_SIGNING_TRUST_ROOTS = value("SIGNING_TRUST_ROOTS")
KHOSO_SIGNING_PKCS11_MODULE = value("SIGNING_PKCS11_MODULE")
KHOSO_SIGNING_PKCS11_TOKEN = value("SIGNING_PKCS11_TOKEN")
KHOSO_SIGNING_PKCS11_KEY = value("SIGNING_PKCS11_KEY")
KHOSO_SIGNING_PKCS11_PIN = value("SIGNING_PKCS11_PIN")
KHOSO_SIGN_RENDITIONS = value("SIGN_RENDITIONS")
KHOSO_RETIMESTAMP_MARGIN_DAYS = value("RETIMESTAMP_MARGIN_DAYS")
KHOSO_ENCLAVE = value("ENCLAVE")
KHOSO_STAFF_TOTP = value("STAFF_TOTP")
KHOSO_RATE_LIMIT = value("RATE_LIMIT")
KHOSO_TRUSTED_PROXIES = value("TRUSTED_PROXIES")

EMAIL_HOST = value("EMAIL_HOST")
EMAIL_PORT = value("EMAIL_PORT")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST else "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = value("EMAIL_FROM")

_broker_url = value("BROKER_URL")
QUEUE_DIR = DATA_DIR / "queue"
CELERY_BROKER_URL = _broker_url or "filesystem://"
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {"visibility_timeout": 3600}
    if _broker_url
    else {
        "data_folder_in": str(QUEUE_DIR),
        "data_folder_out": str(QUEUE_DIR),
        "processed_folder": str(QUEUE_DIR / "processed"),
        "control_folder": str(QUEUE_DIR / "control"),
        "store_processed": False,
    }
)
if not _broker_url:
    (QUEUE_DIR / "processed").mkdir(parents=True, exist_ok=True)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ALWAYS_EAGER = KHOSO_INLINE_TASKS
CELERY_WORKER_CONCURRENCY = value("WORKER_CONCURRENCY")
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE = {
    "requeue-stalled-pages": {"task": "khoso.capture.tasks.requeue_stalled", "schedule": 60.0},
    "scan-watched-folder": {"task": "khoso.capture.tasks.scan_watch_dir", "schedule": 15.0},
    "scan-operator-folders": {"task": "khoso.scanning.tasks.scan_operator_folders", "schedule": 15.0},
    "reader-request-reminders": {"task": "khoso.readers.tasks.remind_due_requests", "schedule": 3600.0},
    "purge-expired-deliveries": {"task": "khoso.readers.tasks.purge_expired_deliveries", "schedule": 3600.0},
    "deliver-digitized-requests": {"task": "khoso.readers.tasks.deliver_digitized_requests", "schedule": 600.0},
    "signatures-retimestamp": {"task": "khoso.signing.tasks.retimestamp_due", "schedule": crontab(hour=3, minute=0)},
    "signatures-sign-pending": {"task": "khoso.signing.tasks.sign_pending", "schedule": 3600.0},
    "oai-sweep": {"task": "khoso.oai.tasks.sweep", "schedule": 900.0},
    "sweep-replica-staging": {"task": "khoso.preservation.tasks.sweep_staging", "schedule": crontab(hour=3, minute=15)},
    "replicate-pending-objects": {"task": "khoso.preservation.tasks.replicate_pending", "schedule": 300.0},
    "fixity-daily-slice": {"task": "khoso.preservation.tasks.fixity_daily", "schedule": crontab(hour=1, minute=30)},
    "fixity-monthly-sample": {
        "task": "khoso.preservation.tasks.fixity_monthly_sample",
        "schedule": crontab(day_of_month=15, hour=2, minute=0),
    },
    # TT 05: incremental every day, full on the first of the month, into every KHOSO_BACKUP_DIR target, each then pruned
    "backup-daily": {"task": "khoso.backup.tasks.backup_scheduled", "schedule": crontab(hour=0, minute=30)},
    # statutory deadlines: one digest per person of what newly became "sắp đến hạn" or "quá hạn"
    "deadline-reminders": {"task": "khoso.deadlines.tasks.send_reminders", "schedule": crontab(hour=7, minute=0)},
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {"PIL": {"level": "WARNING"}, "pikepdf": {"level": "WARNING"}, "axes": {"level": "WARNING"}},
}

from khoso.config.security import *  # noqa: E402, F403  (web hardening: CSP, cookies, HSTS; issue 6)
