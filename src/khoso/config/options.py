"""Every ``KHOSO_*`` setting, declared once with its type, default and help text.

Datasette's lesson: a table of settings is documentation that cannot drift. ``settings.py`` reads
values only through :func:`value`, ``khoso settings`` prints this table, and a test fails when
the code reads a ``KHOSO_*`` variable that is not declared here.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any


def _bool(raw: str) -> bool:
    return raw.strip().lower() in {"1", "true", "yes", "on", "có"}


def _list(raw: str) -> list[str]:
    return [item.strip() for item in raw.split(",") if item.strip()]


def _choice(*allowed: str) -> Callable[[str], str]:
    def parse(raw: str) -> str:
        chosen = raw.strip().lower()
        if chosen not in allowed:
            raise ValueError(f"phải là một trong / must be one of: {', '.join(allowed)}")
        return chosen

    return parse


def _networks(raw: str) -> list[str]:
    networks = _list(raw)
    for network in networks:
        ipaddress.ip_network(network, strict=False)  # ValueError names the bad entry
    return networks


@dataclass(frozen=True)
class Setting:
    """One environment setting."""

    name: str
    default: Any
    help_vi: str
    help_en: str
    parse: Callable[[str], Any] = str

    @property
    def env(self) -> str:
        return f"KHOSO_{self.name}"


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "DATA_DIR",
        str(Path.home() / ".local" / "share" / "khoso"),
        "Thư mục chứa mọi dữ liệu của cấu hình nhúng: CSDL SQLite, kho đối tượng, chỉ mục, hàng đợi.",
        "Directory holding everything of the embedded default: SQLite, object store, index, queue.",
    ),
    Setting(
        "DATABASE_URL",
        "",
        "URL cơ sở dữ liệu (vd. postgres://user@host/db); để trống dùng SQLite trong DATA_DIR.",
        "Database URL (e.g. postgres://user@host/db); empty means SQLite in DATA_DIR.",
    ),
    Setting(
        "BROKER_URL",
        "",
        "URL hàng đợi Celery (redis://…, amqp://…); để trống dùng hàng đợi tệp trong DATA_DIR.",
        "Celery broker URL (redis://…, amqp://…); empty means a file queue in DATA_DIR.",
    ),
    Setting(
        "SECRET_KEY",
        "",
        "Khóa bí mật Django; để trống thì sinh một lần và lưu trong DATA_DIR.",
        "Django secret key; empty means generated once and kept in DATA_DIR.",
    ),
    Setting("DEBUG", False, "Chế độ gỡ lỗi (chỉ dùng khi phát triển).", "Debug mode (development only).", _bool),
    Setting(
        "ALLOWED_HOSTS",
        ["localhost", "127.0.0.1", "[::1]"],
        "Tên máy chủ được phép, ngăn cách bởi dấu phẩy.",
        "Allowed host names, comma-separated.",
        _list,
    ),
    Setting("TIME_ZONE", "Asia/Ho_Chi_Minh", "Múi giờ.", "Time zone."),
    Setting("OCR_LANGUAGE", "vie", "Ngôn ngữ nhận dạng Tesseract.", "Tesseract OCR language."),
    Setting(
        "OCR_BINARISE",
        False,
        "Đưa cho Tesseract ảnh đen trắng 1 bit thay vì ảnh xám đã làm trắng nền (mặc định): không nhanh hơn, "
        "sai số ký tự cao hơn (0,18 % so với 0,11 % trên bộ mẫu); chỉ giữ để so sánh.",
        "Give tesseract the 1-bit page instead of the grey page with white paper (the default): no faster, "
        "more character errors (0.18 % against 0.11 % on the corpus); kept for comparison.",
        _bool,
    ),
    Setting(
        "OCR_FULL_LAYOUT",
        False,
        "Luôn chạy phân tích bố cục đầy đủ của Tesseract. Mặc định, trang chỉ có một cột chữ (không bảng, "
        "không đường kẻ, không ảnh) được đọc như một khối: Tesseract tốn ít hơn 13-15 % CPU, cùng sai số ký tự.",
        "Always run tesseract's full layout analysis. By default a page of one column of text (no table, "
        "rule line or picture) is read as one block: 13-15 % less tesseract CPU, the same character error rate.",
        _bool,
    ),
    Setting(
        "RENDITION_JPEG_QUALITY",
        70,
        "Chất lượng JPEG của bản PDF/A (bản gốc luôn giữ nguyên từng byte).",
        "JPEG quality of the PDF/A rendition (originals are always kept byte-identical).",
        int,
    ),
    Setting(
        "RENDITION_MODE",
        "mrc",
        "Cách nén ảnh trong bản PDF/A: mrc (lớp chữ đen trắng CCITT G4 trên nền màu giảm độ phân giải, "
        "giữ màu cho con dấu, ảnh, bản đồ) hoặc jpeg (cả trang một ảnh JPEG).",
        "How the PDF/A rendition compresses the scan: mrc (bitonal CCITT G4 text mask over a downsampled "
        "colour background; seals, photos and maps keep colour) or jpeg (the whole page as one JPEG).",
        _choice("mrc", "jpeg"),
    ),
    Setting(
        "MIN_DPI",
        200,
        "Độ phân giải tối thiểu (dpi) cho tài liệu hành chính.",
        "Minimum dpi for administrative documents.",
        int,
    ),
    Setting(
        "MIN_DPI_MAP",
        300,
        "Độ phân giải tối thiểu (dpi) cho bản đồ, bản vẽ kỹ thuật.",
        "Minimum dpi for maps and technical drawings.",
        int,
    ),
    Setting(
        "MAX_UPLOAD_BYTES",
        2 * 1024**3,
        "Dung lượng tối đa một tệp nộp vào.",
        "Largest accepted input file in bytes.",
        int,
    ),
    Setting(
        "MAX_PAGE_PIXELS",
        150_000_000,
        "Số điểm ảnh tối đa một trang (A0 ở 400 dpi ≈ 190 triệu).",
        "Largest number of pixels per page.",
        int,
    ),
    Setting("MAX_PAGES", 5000, "Số trang tối đa một lần nộp.", "Most pages in one delivery.", int),
    Setting(
        "COPY_ROOTS",
        [],
        "Các thư mục được phép khai báo làm nơi sao chép sản phẩm số hóa, ngăn cách bởi dấu phẩy "
        "(mặc định: <DATA_DIR>/sao-chep, /media, /mnt).",
        "Folders under which product copy targets may be declared, comma-separated "
        "(default: <DATA_DIR>/sao-chep, /media, /mnt).",
        _list,
    ),
    Setting(
        "MAX_UPLOAD_FILES",
        2000,
        "Số tệp tối đa trong một lần tải lên qua trình duyệt (một hồ sơ 1.000 trang là 1.000 tệp ảnh).",
        "Most files in one browser upload (a 1,000-page file is 1,000 image files).",
        int,
    ),
    Setting(
        "STAGE_LEASE_SECONDS",
        600,
        "Thời hạn giữ việc của một tiến trình xử lý trang; quá hạn thì việc được giao lại. Cũng là giới hạn "
        "thời gian xử lý một trang: tiến trình con bị dừng trước khi hết hạn (sớm hơn 5%, ít nhất 2 giây); "
        "trang làm dừng bộ xử lý đến lần thử thứ 3 thì bị đánh dấu lỗi.",
        "How long a worker holds a page; an expired lease is handed to another worker. It also bounds a page's "
        "task: the worker's child is killed before the lease ends (5% earlier, at least 2 s); a page that still "
        "stops its worker on the 3rd attempt is marked failed.",
        int,
    ),
    Setting("WORKER_CONCURRENCY", 2, "Số tiến trình xử lý song song của worker.", "Worker processes.", int),
    Setting(
        "INLINE_TASKS",
        False,
        "Chạy các bước xử lý ngay trong tiến trình gọi (không qua hàng đợi).",
        "Run pipeline stages in the calling process instead of the queue.",
        _bool,
    ),
    Setting(
        "SEARCH_DIR",
        "",
        "Thư mục chỉ mục tìm kiếm của máy này; để trống dùng DATA_DIR/search.",
        "This machine's search index directory; empty means DATA_DIR/search.",
    ),
    Setting(
        "SEARCH_THREADS",
        0,
        "Số luồng cho một truy vấn nhiều từ trên chỉ mục lớn (cụm từ, tiền tố); 0: theo số nhân, tối đa 4.",
        "Threads one multi-word query (phrase, prefix) uses on a large index; 0: one per core, at most 4.",
        int,
    ),
    Setting(
        "WATCH_DIR",
        "",
        "Thư mục theo dõi: mỗi thư mục con mang mã hồ sơ; để trống dùng DATA_DIR/watch.",
        "Watched folder, one sub-folder per file code; empty means DATA_DIR/watch.",
    ),
    Setting(
        "INSTITUTION_CODE",
        "LTLS",
        "Mã cơ quan lưu trữ mặc định, dùng khi tạo hồ sơ từ dòng lệnh.",
        "Default archive institution code, used when the CLI creates a file.",
    ),
    Setting(
        "FAULT_INJECT",
        "",
        "Chỉ dùng khi kiểm thử: gây lỗi ở một bước, vd. «ocr=hang» hoặc «render=crash».",
        "Tests only: inject a fault into a stage, e.g. 'ocr=hang' or 'render=crash'.",
    ),
    Setting(
        "ARCHIVE_NAME",
        "Trung tâm Lưu trữ lịch sử",
        "Tên cơ quan lưu trữ hiển thị trên giao diện và bản sao.",
        "Archive name shown in the UI and on copies.",
    ),
    Setting(
        "SIGNING_P12",
        "",
        "Tệp PKCS#12 chứa khóa và chứng thư số của cơ quan lưu trữ để ký bản sao có xác thực; để trống "
        "thì tạo một CA thử nghiệm trong DATA_DIR/signing (chỉ dùng để trình diễn và kiểm thử).",
        "PKCS#12 file with the archive's key and certificate for certified copies; empty creates a test "
        "CA under DATA_DIR/signing (demo and tests only).",
    ),
    Setting(
        "SIGNING_P12_PASSWORD",
        "",
        "Mật khẩu của tệp PKCS#12.",
        "Password of the PKCS#12 file.",
    ),
    Setting(
        "READING_DAYS",
        15,
        "Số ngày độc giả được đọc bản đọc hoặc tải bản sao (TT05: tối đa 15 ngày).",
        "Days a reading copy can be read or a copy downloaded (TT05: at most 15).",
        int,
    ),
    Setting(
        "PURGE_DAYS",
        5,
        "Số ngày sau khi bản đọc hết hạn thì xóa hẳn (TT05: 5 ngày).",
        "Days after a reading copy expires before it is deleted (TT05: 5).",
        int,
    ),
    Setting(
        "REVIEW_WORKING_DAYS",
        6,
        "Số ngày làm việc để xem xét yêu cầu khai thác (TT05: 06 ngày làm việc).",
        "Working days to review a reader's request (TT05: 6).",
        int,
    ),
    Setting(
        "HOLIDAYS",
        [],
        "Ngày nghỉ thêm theo quyết định hằng năm (dd/mm/yyyy, cách nhau bằng dấu phẩy), ngoài các ngày lễ "
        "theo Bộ luật Lao động tự tính.",
        "Extra days off by the year's decisions (dd/mm/yyyy, comma-separated), besides the statutory holidays "
        "computed by the system.",
        _list,
    ),
    Setting(
        "PAYMENT_PROVIDER",
        "counter",
        "Cách độc giả nộp phí: counter (nộp tại quầy, cán bộ xác nhận) hoặc đường dẫn tới lớp cổng thanh toán.",
        "How readers pay: counter (at the reading room, confirmed by staff) or the dotted path of a payment class.",
    ),
    Setting(
        "STATUTORY_HOLIDAYS",
        True,
        "Tự tính ngày nghỉ lễ theo Bộ luật Lao động 2019 Đ112 (Tết Dương lịch, 5 ngày Tết Nguyên đán theo âm lịch, "
        "Giỗ Tổ Hùng Vương, 30/4, 1/5, 1–2/9) và ngày nghỉ bù.",
        "Compute the statutory holidays of the Labour Code 2019 Art. 112 (New Year, five days of Tết by the "
        "lunar calendar, Hùng Kings' day, 30/4, 1/5, 1–2/9) and their compensating days.",
        _bool,
    ),
    Setting(
        "MAKEUP_WORKDAYS",
        [],
        "Ngày làm bù (dd/mm/yyyy): ngày cuối tuần hoặc ngày nghỉ vẫn tính là ngày làm việc theo quyết định.",
        "Make-up working days (dd/mm/yyyy): weekend days or holidays worked by decision.",
        _list,
    ),
    Setting(
        "EMAIL_HOST",
        "",
        "Máy chủ SMTP gửi thư thông báo; để trống thì in thư ra nhật ký (console).",
        "SMTP server for notification e-mail; empty prints messages to the log (console).",
    ),
    Setting("EMAIL_PORT", 25, "Cổng SMTP.", "SMTP port.", int),
    Setting(
        "EMAIL_FROM",
        "khoso@localhost",
        "Địa chỉ người gửi của thư thông báo.",
        "Sender address of notification e-mail.",
    ),
    Setting(
        "ARCHIVE_ROLE",
        "lich_su",
        "Loại lưu trữ của cài đặt này: 'lich_su' (lưu trữ lịch sử, chỉ nhận hồ sơ bảo quản vĩnh viễn) "
        "hoặc 'co_quan' (lưu trữ cơ quan).",
        "What this installation is: 'lich_su' (historical archive, accepts permanent files only) or "
        "'co_quan' (agency archive).",
    ),
    Setting(
        "ADMINS",
        [],
        "Địa chỉ thư của quản trị viên nhận cảnh báo (đối tượng hỏng không phục hồi được, lỗi hệ thống), "
        "cách nhau bằng dấu phẩy.",
        "E-mail addresses of the administrators who receive alerts (unrecoverable objects, server errors), "
        "comma-separated.",
        _list,
    ),
    Setting(
        "MIN_COPIES",
        2,
        "Số bản tối thiểu của mỗi đối tượng số, mỗi bản ở một nơi lưu trữ độc lập (TT 05 Đ27: ít nhất 2).",
        "Minimum number of verified copies of each object, each in an independent location (TT 05 Art. 27: 2).",
        int,
    ),
    Setting(
        "FIXITY_FULL_PASS_DAYS",
        1095,
        "Mọi đối tượng được kiểm tra toàn vẹn ít nhất một lần trong số ngày này (TT 05: trong 3 năm).",
        "Every object gets a fixity check at least once in this many days (TT 05: within 3 years).",
        int,
    ),
    Setting(
        "FIXITY_SAMPLE_PERCENT",
        1.0,
        "Tỷ lệ phần trăm đối tượng được kiểm tra ngẫu nhiên mỗi tháng, ngoài lượt kiểm tra toàn bộ.",
        "Percentage of objects checked at random every month, besides the full pass.",
        float,
    ),
    Setting(
        "DEADLINE_WARNING_DAYS",
        [],
        "Số ngày báo trước «sắp đến hạn» theo từng loại thời hạn, dạng loai=so_ngay, cách nhau bằng dấu phẩy "
        "(chuyen_lich_su, bao_cao_nam, yeu_cau_doc_gia, ban_sao, kiem_tra_toan_ven, chuyen_doi_vat_mang, sao_luu). "
        "Trống: mặc định (180, 30, 1 ngày làm việc, 0, 0, 180, 0).",
        "Warning window per kind of deadline before it counts as “due soon”, as kind=days, comma-separated "
        "(same kinds). Empty: the defaults (180, 30, 1 working day, 0, 0, 180, 0).",
        _list,
    ),
    Setting(
        "BACKUP_DIR",
        [],
        "Thư mục (ổ đĩa, thiết bị) nhận bản sao lưu; nhiều thư mục cách nhau bằng dấu phẩy, mỗi thư mục nhận một "
        "bộ hoàn chỉnh (TT 05 Đ27: ít nhất 2 bộ trên phương tiện độc lập). Trống: DATA_DIR/backups.",
        "Directories (disks, devices) receiving backups, comma-separated; each gets a complete set "
        "(TT 05 Art. 27: at least 2 sets on independent media). Empty: DATA_DIR/backups.",
        _list,
    ),
    Setting(
        "PACKAGE_MAX_BYTES",
        20_000_000_000,
        "Dung lượng tối đa của một gói tin khi giải nén (chống gói tin độc hại, 'zip bomb').",
        "Largest total unpacked size of one package (guards against zip bombs).",
        int,
    ),
    Setting(
        "SIGNING_TRUST_ROOTS",
        "",
        "Chứng thư gốc tin cậy để kiểm tra chữ ký số trên tệp PDF nhận vào (tệp PEM/DER hoặc thư mục, cách nhau "
        "bằng dấu phẩy); CA cấp khóa ký của chính cơ quan luôn được tin cậy.",
        "Trusted root certificates for checking signatures on received PDFs (PEM/DER files or folders, "
        "comma-separated); the CA of the archive's own signing key is always trusted.",
    ),
    Setting(
        "TSA_URL",
        "",
        "Địa chỉ máy chủ cấp dấu thời gian RFC 3161 (TSA) dùng khi ký số; "
        "trống: chữ ký không có dấu thời gian (PAdES B-B).",
        "RFC 3161 time-stamp authority used when signing; empty: signatures carry no time stamp (PAdES B-B).",
    ),
    Setting(
        "SIGNING_PKCS11_MODULE",
        "",
        "Thư viện PKCS#11 của thiết bị ký số (USB token, HSM); trống: dùng tệp PKCS#12 SIGNING_P12.",
        "PKCS#11 library of the signing token or HSM; empty: use the PKCS#12 file SIGNING_P12.",
    ),
    Setting(
        "SIGNING_PKCS11_TOKEN",
        "",
        "Nhãn (label) của thiết bị PKCS#11 chứa khóa ký của cơ quan.",
        "Label of the PKCS#11 token holding the archive's signing key.",
    ),
    Setting(
        "SIGNING_PKCS11_KEY",
        "",
        "Nhãn của khóa và chứng thư ký trên thiết bị PKCS#11.",
        "Label of the signing key and certificate on the PKCS#11 token.",
    ),
    Setting(
        "SIGNING_PKCS11_PIN",
        "",
        "Mã PIN của thiết bị PKCS#11.",
        "PIN of the PKCS#11 token.",
    ),
    Setting(
        "SIGN_RENDITIONS",
        True,
        "Ký số bản PDF/A của hồ sơ ngay sau khi lập (PAdES, cập nhật gia tăng).",
        "Sign each file's PDF/A right after it is assembled (PAdES, incremental update).",
        _bool,
    ),
    Setting(
        "RETIMESTAMP_MARGIN_DAYS",
        365,
        "Đóng dấu thời gian lại (PAdES B-LTA) cho chữ ký khi chứng thư của dấu thời gian mới nhất "
        "còn hạn ít hơn số ngày này.",
        "Add a new document time stamp (PAdES B-LTA) when the newest time stamp's certificate "
        "expires within this many days.",
        int,
    ),
    Setting(
        "ENCLAVE",
        False,
        "Chế độ khu biệt lập cho tài liệu mật: không kết nối ra ngoài, "
        "không có cổng tra cứu công khai và dịch vụ độc giả.",
        "Offline enclave for secret material: no outbound connections, no public portal or reader services.",
        _bool,
    ),
    Setting(
        "LOGIN_FAILURE_LIMIT",
        5,
        "Số lần đăng nhập sai liên tiếp trước khi tài khoản và địa chỉ bị khóa tạm thời.",
        "Consecutive failed logins before the account and address are locked out.",
        int,
    ),
    Setting(
        "LOGIN_COOLOFF_MINUTES",
        30,
        "Thời gian khóa sau khi đăng nhập sai quá số lần cho phép (phút).",
        "Lockout period after too many failed logins (minutes).",
        int,
    ),
    Setting(
        "STAFF_TOTP",
        True,
        "Bắt buộc xác thực hai lớp (mã TOTP) với tài khoản cán bộ.",
        "Require two-factor authentication (TOTP codes) for staff accounts.",
        _bool,
    ),
    Setting(
        "RATE_LIMIT",
        "120/minute",
        "Giới hạn số yêu cầu tra cứu và API của một địa chỉ hoặc một khóa API (số/second|minute|hour).",
        "Request limit for search and API calls per address or API token (count/second|minute|hour).",
    ),
    Setting(
        "TRUSTED_PROXIES",
        [],
        "Địa chỉ hoặc mạng của các reverse proxy tin cậy (vd. 127.0.0.1,10.0.0.0/8). Chỉ với yêu cầu đến từ "
        "chúng mới đọc địa chỉ người dùng trong X-Forwarded-For (cho khóa đăng nhập, giới hạn yêu cầu, nhật ký).",
        "Addresses or networks of trusted reverse proxies (e.g. 127.0.0.1,10.0.0.0/8). Only for requests "
        "from them is the client's address read from X-Forwarded-For (for lockout, rate limits, the audit trail).",
        _networks,
    ),
    Setting(
        "CACHE_URL",
        "",
        "Bộ nhớ đệm dùng chung giữa các máy (vd. redis://127.0.0.1:6379/1); trống: bảng trong CSDL.",
        "Cache shared between machines (e.g. redis://127.0.0.1:6379/1); empty: a table in the database.",
    ),
    Setting(
        "PUBLIC_URL",
        "http://127.0.0.1:8000",
        "Địa chỉ công khai của trang, dùng trong thư thông báo và sơ đồ trang (sitemap).",
        "Public address of the site, used in notification e-mail and sitemaps.",
    ),
)

_BY_NAME = {setting.name: setting for setting in SETTINGS}


def value(name: str) -> Any:
    """The value of setting ``name`` from the environment, or its default."""
    setting = _BY_NAME[name]
    raw = os.environ.get(setting.env)
    if raw is None or raw == "":
        return setting.default
    return setting.parse(raw)
