"""The dry run: every row of an uploaded catalogue checked against TT 05/2025 and the archive as it is.

Nothing is written here. ``preview`` reads the sheet, finds each table's heading row, reads every row
against its columns and says, per row, what a commit would do (create, update, unchanged, a proposal
to change an access mode) or every rule the row breaks: a required field empty, a value too long, a
bad date, a code outside its vocabulary, a code twice in the sheet, a file code of another fonds, a
locked file, secret material the importer may not see. The same function runs again at commit time
inside the transaction, so the commit writes exactly what was checked, or nothing.

Records are matched by their stable identifiers, the file code (mã hồ sơ) and the document's docId
(or docCode, or file code + ordinal): an export edited in Excel and read back updates the same rows.

The fonds' institution decides the columns and rules (``khoso.archive.profiles``): a Party archive's
document list has the Party columns, and a new document of it needs its loại bản.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.core.validators import MaxValueValidator
from django.db import models

from khoso.access.models import AccessChange
from khoso.access.selectors import SECRET, active_locks, is_secret, lock_covering
from khoso.archive import profiles
from khoso.archive.models import ArchiveFile, Document, Fonds, Inventory, Vocabulary, VocabularyKind
from khoso.archive.services import file_rules
from khoso.catalogue import sheets
from khoso.catalogue.columns import (
    IGNORED,
    Column,
    Kind,
    Level,
    columns_for,
    guess_level,
    heading_key,
    match_heading,
)
from khoso.core import codes
from khoso.core.errors import ArchiveError
from khoso.core.modelfields import concrete_field
from khoso.core.text import fold, nfc

CREATE, UPDATE, UNCHANGED = "create", "update", "unchanged"
VERB_LABELS = {CREATE: "Tạo mới", UPDATE: "Cập nhật", UNCHANGED: "Không đổi"}

FILE_REQUIRED = ("title", "maintenance", "mode", "language", "start_date", "end_date", "description")
#: a new file whose sheet has no such column gets the archive services' default
FILE_DEFAULTS = {"maintenance": "01", "language": "01"}
DOCUMENT_REQUIRED = ("type_name", "issued_date", "organ_name", "subject", "number_of_page")
#: a new document with these empty takes its file's value (TT 05: maintenance "defaults to the file's value")
DOCUMENT_INHERITED = ("maintenance", "mode", "language", "risk_recovery", "risk_recovery_status")
REQUIRED_RULE = "bắt buộc (TT 05/2025), không được để trống"
SEVEN_DIGITS = re.compile(r"^\d{7}$")
DATE_FORMATS = ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d")
TRUE = {"1", "co", "x", "true", "yes", "dung"}
FALSE = {"0", "khong", "false", "no", ""}
BATCH = 500


@dataclass(frozen=True)
class Problem:
    """One broken rule: where (sheet, row, column), what was written, and the rule in Vietnamese."""

    sheet: str
    row: int
    column: str
    value: str
    rule: str
    rule_en: str = ""

    def __str__(self) -> str:
        where = f"{self.sheet}, dòng {self.row}"
        if self.column:
            where += f", cột «{self.column}»"
        if self.value:
            where += f", giá trị «{self.value}»"
        return f"{where}: {self.rule}" + (f" / {self.rule_en}" if self.rule_en else "")

    def as_dict(self) -> dict[str, Any]:
        return {
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "rule": self.rule,
            "rule_en": self.rule_en,
        }


@dataclass
class Action:
    """What a commit does with one row."""

    level: Level
    sheet: str
    row: int
    key: str
    verb: str
    changes: dict[str, tuple[str, str]] = field(default_factory=dict)
    proposal: str = ""  # the access mode a four-eyes proposal asks for ("" = none)
    #: the target already has a pending proposal: the commit keeps that one and proposes nothing
    proposal_pending: bool = False
    #: the typed values to write (every field on creation, the changed ones on update)
    values: dict[str, Any] = field(default_factory=dict)
    target: models.Model | None = None
    file_code: str = ""
    ordinal: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "level": str(self.level),
            "sheet": self.sheet,
            "row": self.row,
            "key": self.key,
            "action": self.verb,
            "changes": {name: list(pair) for name, pair in self.changes.items()},
            "proposal": self.proposal,
            "proposal_pending": self.proposal_pending,
        }


@dataclass
class Preview:
    name: str
    sha256: str
    tables: list[dict[str, Any]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not self.problems and bool(self.actions)

    def counts(self) -> dict[str, int]:
        found = {CREATE: 0, UPDATE: 0, UNCHANGED: 0, "proposals": 0, "errors": len(self.problems)}
        for action in self.actions:
            found[action.verb] += 1
            found["proposals"] += bool(action.proposal)
        return found

    def plan_digest(self) -> str:
        """A digest of what the commit would do: shown with the preview and required back at commit time,
        so a commit never writes a plan the archivist did not see."""
        plan = [
            [str(a.level), a.key, a.verb, sorted([k, *v] for k, v in a.changes.items()), a.proposal]
            for a in self.actions
        ]
        return hashlib.sha256(json.dumps([self.sha256, plan], ensure_ascii=False).encode()).hexdigest()

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "sha256": self.sha256,
            "valid": self.valid,
            "counts": self.counts(),
            "plan": self.plan_digest(),
            "tables": self.tables,
            "warnings": self.warnings,
            "errors": [problem.as_dict() for problem in self.problems],
            "actions": [action.as_dict() for action in self.actions],
        }


@dataclass
class _Row:
    sheet: str
    number: int
    cells: dict[str, tuple[str, Any]]  # field → (heading as written, raw value)

    def has(self, name: str) -> bool:
        return name in self.cells

    def text(self, name: str) -> str:
        return as_text(self.cells[name][1]) if name in self.cells else ""

    def heading(self, name: str) -> str:
        return self.cells[name][0] if name in self.cells else ""


def as_text(value: Any) -> str:
    """A cell as the text it shows: numbers without a trailing ".0", dates as dd/mm/yyyy."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, datetime | date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return nfc(str(value)).strip()


def _shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Inventory):
        return str(value.number)
    return as_text(value)


class _Vocabularies:
    """Codes and labels of each vocabulary, read once: "1" → "01" (Excel drops leading zeros) and a
    label such as "Vĩnh viễn" or "Quyết định" (TT 02 lists wrote names) → its code."""

    def __init__(self) -> None:
        self.codes: dict[str, set[str]] = defaultdict(set)
        self.labels: dict[str, dict[str, str]] = defaultdict(dict)
        for kind, code, label in Vocabulary.objects.filter(active=True).values_list("kind", "code", "label_vi"):
            self.codes[kind].add(code)
            self.labels[kind][fold(label)] = code

    def resolve(self, kind: str, text: str) -> str | None:
        if text in self.codes[kind]:
            return text
        if text.isdigit() and text.zfill(2) in self.codes[kind]:
            return text.zfill(2)
        return self.labels[kind].get(fold(text))

    def allowed(self, kind: str) -> str:
        return ", ".join(sorted(self.codes[kind]))


class _ActiveLocks:
    """The active locks, read once: most rows are of unlocked files, and asking ``lock_covering`` (a join
    over the lock tables) for each of ten thousand rows costs more than the rest of the check."""

    def __init__(self) -> None:
        from khoso.access.models import FileLock

        locks = active_locks()
        self.fonds = set(locks.filter(scope=FileLock.Scope.FONDS).values_list("fonds_id", flat=True))
        self.inventories = set(locks.filter(scope=FileLock.Scope.INVENTORY).values_list("inventory_id", flat=True))
        self.boxes = set(locks.filter(scope=FileLock.Scope.BOX).values_list("box_id", flat=True))
        self.files = set(locks.filter(scope=FileLock.Scope.FILES).values_list("files", flat=True))

    def may_hold(self, archive_file: ArchiveFile, inventory_id: int | None) -> bool:
        return (
            archive_file.fonds_id in self.fonds
            or bool({archive_file.inventory_id, inventory_id} & self.inventories)
            or archive_file.box_id in self.boxes
            or archive_file.pk in self.files
        )


class _Checker:
    """One dry run over one upload; collects problems and actions."""

    def __init__(self, *, fonds: Fonds, inventory: Inventory | None, user: Any, include_secret: bool) -> None:
        self.fonds = fonds
        self.profile = profiles.of_fonds(fonds)
        self.document_required = DOCUMENT_REQUIRED + tuple(
            field.name for field in profiles.document_fields(self.profile) if field.required
        )
        self.inventory = inventory
        self.user = user
        self.include_secret = include_secret
        self.vocabularies = _Vocabularies()
        self.inventories = {inv.number: inv for inv in Inventory.objects.filter(fonds=fonds)}
        self.problems: list[Problem] = []
        self.actions: list[Action] = []
        self.files: dict[str, ArchiveFile] = {}
        self.documents: dict[str, Document] = {}
        self.documents_at: dict[tuple[int, int], Document] = {}
        self.planned_files: dict[str, int] = {}  # file code → row that creates or updates it
        self.next_ordinal: dict[str, int] = {}
        self.pending = set(
            AccessChange.objects.filter(status=AccessChange.Status.PENDING).values_list("target_key", flat=True)
        )
        self.locks = _ActiveLocks()

    # -- problems -------------------------------------------------------------------------------------

    def problem(self, row: _Row, name: str, rule: str, en: str, *, value: str | None = None) -> None:
        heading = row.heading(name)
        shown = row.text(name) if value is None else value
        self.problems.append(Problem(row.sheet, row.number, heading, shown[:200], rule, en))

    # -- cells ----------------------------------------------------------------------------------------

    def value(self, row: _Row, column: Column, model: type[models.Model]) -> tuple[bool, Any]:
        """(ok, typed value) of one cell; a broken rule is recorded and (False, None) returned."""
        raw = row.cells[column.field][1]
        text = as_text(raw)
        kind = column.kind
        if kind is Kind.TEXT:
            limit = concrete_field(model, column.field).max_length
            if limit and len(text) > limit:
                self.problem(
                    row,
                    column.field,
                    f"dài {len(text)} ký tự, tối đa {limit} ký tự (TT 05/2025).",
                    f"{len(text)} characters, at most {limit} (TT 05/2025).",
                )
                return False, None
            return True, text
        if kind is Kind.INT:
            return self._integer(row, column, model, raw, text)
        if kind is Kind.DATE:
            return self._date(row, column, raw, text)
        if kind is Kind.BOOL:
            folded = fold(text)
            if folded in TRUE:
                return True, True
            if folded in FALSE:
                nullable = concrete_field(model, column.field).null
                return True, (None if nullable and not text else False)
            self.problem(row, column.field, "phải là 1 (có) hoặc 0 (không).", "must be 1 (yes) or 0 (no).")
            return False, None
        if kind is Kind.CODE:
            if not text:
                return True, ""
            code = self.vocabularies.resolve(column.vocabulary, text)
            if code is None:
                allowed = self.vocabularies.allowed(column.vocabulary)
                self.problem(
                    row,
                    column.field,
                    f"mã không có trong danh mục {column.vocabulary} (các mã hợp lệ: {allowed}).",
                    f"code not in vocabulary {column.vocabulary} (valid: {allowed}).",
                )
                return False, None
            return True, code
        if kind is Kind.LANGUAGES:
            if not text:
                return True, ""
            found = []
            for part in (p.strip() for p in re.split(r"[,;]", text)):
                code = self.vocabularies.resolve(VocabularyKind.LANGUAGE, part) if part else None
                if code is None:
                    allowed = self.vocabularies.allowed(VocabularyKind.LANGUAGE)
                    self.problem(
                        row,
                        column.field,
                        f"mã ngôn ngữ «{part}» không có trong danh mục ({allowed}).",
                        f"language code «{part}» is not in the vocabulary ({allowed}).",
                    )
                    return False, None
                found.append(code)
            return True, ",".join(found)
        return True, text

    def _integer(self, row: _Row, column: Column, model: type[models.Model], raw: Any, text: str) -> tuple[bool, Any]:
        if not text:
            return True, None
        number: int | None = None
        if isinstance(raw, int | float) and not isinstance(raw, bool) and float(raw).is_integer():
            number = int(raw)
        elif text.isdigit():
            number = int(text)
        if number is None or number < 0:
            self.problem(row, column.field, "phải là số nguyên không âm.", "must be a whole number ≥ 0.")
            return False, None
        if column.field != "inventory":
            for validator in concrete_field(model, column.field).validators:
                if isinstance(validator, MaxValueValidator) and number > validator.limit_value:  # type: ignore[operator]
                    self.problem(
                        row, column.field, f"tối đa {validator.limit_value}.", f"at most {validator.limit_value}."
                    )
                    return False, None
        return True, number

    def _date(self, row: _Row, column: Column, raw: Any, text: str) -> tuple[bool, Any]:
        if isinstance(raw, datetime):
            return True, raw.date()
        if isinstance(raw, date):
            return True, raw
        if not text:
            return True, None
        for pattern in DATE_FORMATS:
            try:
                return True, datetime.strptime(text, pattern).date()
            except ValueError:
                continue
        self.problem(
            row,
            column.field,
            "ngày không hợp lệ; ghi theo dạng dd/mm/yyyy, ví dụ 25/12/2001 (TT 05/2025).",
            "not a valid date; write dd/mm/yyyy, e.g. 25/12/2001 (TT 05/2025).",
        )
        return False, None

    def values(self, row: _Row, level: Level, model: type[models.Model]) -> dict[str, Any] | None:
        """Every descriptive cell of the row, typed; None when one of them breaks a rule."""
        typed: dict[str, Any] = {}
        ok = True
        for column in columns_for(level, self.profile):
            if column.kind in (Kind.KEY, Kind.DERIVED) or not row.has(column.field):
                continue
            good, value = self.value(row, column, model)
            ok = ok and good
            if good:
                typed[column.field] = value
        if "inventory" in typed:
            number = typed.pop("inventory")
            if number is not None:
                if number not in self.inventories:
                    self.problem(
                        row,
                        "inventory",
                        f"phông {self.fonds.code} chưa có mục lục số {number}.",
                        f"fonds {self.fonds.code} has no inventory number {number}.",
                    )
                    return None
                typed["inventory"] = self.inventories[number]
        return typed if ok else None

    def file_code_of(self, row: _Row) -> str | None:
        """The row's file code ('' when it names none); None when it breaks a rule (recorded)."""
        code, column, rule, english = file_code_from(row, self.fonds)
        if rule:
            self.problem(row, column, rule, english)
            return None
        return code

    # -- what the archive holds -----------------------------------------------------------------------

    def load(self, file_codes: set[str], doc_ids: set[str]) -> None:
        file_list = sorted(file_codes)
        for start in range(0, len(file_list), BATCH):
            for archive_file in ArchiveFile.objects.filter(file_code__in=file_list[start : start + BATCH]):
                self.files[archive_file.file_code] = archive_file
        own = [f.pk for f in self.files.values() if f.fonds_id == self.fonds.pk]
        found = Document.objects.select_related("file")
        for start in range(0, len(own), BATCH):
            for document in found.filter(file_id__in=own[start : start + BATCH]):
                self.documents[document.doc_id] = document
                self.documents_at[(document.file_id, document.ordinal)] = document
        id_list = sorted(doc_ids - set(self.documents))
        for start in range(0, len(id_list), BATCH):
            for document in found.filter(doc_id__in=id_list[start : start + BATCH]):
                self.documents[document.doc_id] = document

    def out_of_reach(self, archive_file: ArchiveFile) -> str:
        """Why this existing file may not be written from this import ('' when it may)."""
        if archive_file.fonds_id != self.fonds.pk:
            return (
                f"mã hồ sơ «{archive_file.file_code}» đã thuộc một phông khác; mỗi mã hồ sơ là duy nhất trong kho, "
                "không nhập vào phông này được."
            )
        if archive_file.deleted_at is not None:
            return f"mã hồ sơ «{archive_file.file_code}» đã dùng cho một hồ sơ đã xóa."
        if archive_file.mode == SECRET and not self.include_secret:
            return f"mã hồ sơ «{archive_file.file_code}» đã dùng cho một hồ sơ bạn không được xem (chế độ sử dụng 03)."
        return ""

    def locked(self, row: _Row, archive_file: ArchiveFile, inventory: Inventory | None = None) -> bool:
        inventory_id = inventory.pk if inventory else None
        if not self.locks.may_hold(archive_file, inventory_id):
            return False
        lock = lock_covering(archive_file, inventory_id=inventory_id)
        if lock is None:
            return False
        self.problem(
            row,
            "file_code" if row.has("file_code") else "",
            f"hồ sơ {archive_file.file_code} đang bị khóa ({lock.describe()}, lý do: {lock.reason}): không được sửa "
            "(NĐ 30/2020/NĐ-CP, Phụ lục VI; mở khóa cần hai người).",
            f"file {archive_file.file_code} is locked ({lock.reason}): no edit (NĐ 30/2020 annex VI).",
            value=archive_file.file_code,
        )
        return True

    def proposal(self, row: _Row, target: ArchiveFile | Document, mode: str, key: str) -> str:
        """A new access mode is not written: it becomes a four-eyes proposal in the importer's name."""
        if mode == target.mode:
            return ""
        if self.user is None:
            self.problem(
                row,
                "mode",
                "đổi chế độ sử dụng cần người thứ hai xác nhận (NĐ 30/2020/NĐ-CP, Phụ lục VI); hãy nhập bằng một "
                "tài khoản (--user) để lập đề nghị.",
                "a new access mode needs a second person's confirmation; import as a user (--user) to propose it.",
            )
            return ""
        if mode == SECRET and not self.include_secret:
            self.problem(
                row,
                "mode",
                "chỉ người có quyền xem tài liệu Mật được đề nghị chế độ sử dụng 03.",
                "only people who may see secret material may propose mode 03.",
            )
            return ""
        return mode

    # -- rows -----------------------------------------------------------------------------------------

    def file_row(self, row: _Row) -> None:
        code = self.file_code_of(row)
        if code is None:
            return
        if not code:
            self.problem(
                row,
                "file_code",
                f"Mã hồ sơ: {REQUIRED_RULE} (hoặc các cột FileCatalog, FileNotation).",
                "file code: required (or the FileCatalog and FileNotation columns).",
            )
            return
        if code in self.planned_files:
            self.problem(
                row,
                "file_code",
                f"trùng mã hồ sơ với dòng {self.planned_files[code]} của tệp này.",
                f"same file code as row {self.planned_files[code]} of this sheet.",
                value=code,
            )
            return
        self.planned_files[code] = row.number
        typed = self.values(row, Level.FILE, ArchiveFile)
        if typed is None:
            return
        existing = self.files.get(code)
        if existing is None:
            self._file_create(row, code, typed)
            return
        reason = self.out_of_reach(existing)
        if reason:
            self.problem(row, "file_code", reason, "this file code belongs to a file out of reach.", value=code)
            return
        self._file_update(row, existing, typed)

    def label(self, model: type[models.Model], name: str) -> str:
        """A field's title as this archive's lists print it (a Party archive's "Loại bản")."""
        label = str(concrete_field(model, name).verbose_name)
        return profiles.title(self.profile, name, label) if model is Document else label

    def _required(self, row: _Row, typed: dict[str, Any], names: tuple[str, ...], model: type[models.Model]) -> bool:
        ok = True
        for name in names:
            if name in typed and typed[name] in ("", None):
                label = self.label(model, name)
                if profiles.document_field(self.profile, name) is not None and model is Document:
                    rule = f"bắt buộc với tài liệu Lưu trữ Đảng ({profiles.PARTY_RULE}), không được để trống"
                    self.problem(row, name, f"{label}: {rule}.", f"{name}: required ({profiles.PARTY_RULE}).")
                else:
                    self.problem(row, name, f"{label}: {REQUIRED_RULE}.", f"{name}: required (TT 05/2025).")
                ok = False
        return ok

    def _file_create(self, row: _Row, code: str, typed: dict[str, Any]) -> None:
        data = {**FILE_DEFAULTS, **{k: v for k, v in typed.items() if not (k in FILE_DEFAULTS and v == "")}}
        missing = [name for name in FILE_REQUIRED if name not in data]
        ok = self._required(row, data, FILE_REQUIRED, ArchiveFile)
        if missing:
            labels = ", ".join(str(concrete_field(ArchiveFile, name).verbose_name) for name in missing)
            self.problem(
                row,
                "",
                f"hồ sơ mới thiếu cột bắt buộc: {labels} (TT 05/2025).",
                f"a new file needs the columns: {', '.join(missing)} (TT 05/2025).",
                value=code,
            )
            return
        if not ok or not self._file_rules(row, data):
            return
        if data.get("mode") == SECRET and not self.include_secret:
            self.problem(
                row,
                "mode",
                "chỉ người có quyền xem tài liệu Mật được nhập hồ sơ chế độ sử dụng 03.",
                "only people who may see secret material may import mode 03 files.",
            )
            return
        data.setdefault("inventory", self.inventory)
        self.actions.append(Action(Level.FILE, row.sheet, row.number, code, CREATE, values=data, file_code=code))

    def _file_rules(self, row: _Row, data: dict[str, Any]) -> bool:
        broken = file_rules(data)
        for name, reason in broken.items():
            label = concrete_field(ArchiveFile, name).verbose_name
            self.problem(
                row,
                name if row.has(name) else "",
                f"{label}: {reason} (TT 05/2025).",
                f"{name} breaks a TT 05/2025 rule.",
            )
        return not broken

    def _file_update(self, row: _Row, existing: ArchiveFile, typed: dict[str, Any]) -> None:
        if not self._required(row, typed, FILE_REQUIRED, ArchiveFile):
            return
        mode = typed.pop("mode", existing.mode)
        changes, values = _diff(existing, typed)
        merged = _fields_of(existing) | values
        if not self._file_rules(row, merged):
            return
        proposal = self.proposal(row, existing, mode, f"ho_so:{existing.pk}")
        if (values or proposal) and self.locked(row, existing, values.get("inventory")):
            return
        verb = UPDATE if values or proposal else UNCHANGED
        action = Action(Level.FILE, row.sheet, row.number, existing.file_code, verb, changes, proposal, values=values)
        action.target, action.file_code = existing, existing.file_code
        action.proposal_pending = bool(proposal) and f"ho_so:{existing.pk}" in self.pending
        self.actions.append(action)

    def document_keys(self, row: _Row) -> tuple[str, int | None] | None:
        """(file code, ordinal or None) of a document row, from docId, docCode, fileCode and docOrdinal,
        which must agree; None when they break a rule (recorded)."""
        found: list[tuple[str, str, int | None]] = []  # (column, file code, ordinal)
        doc_id, doc_code = row.text("doc_id"), row.text("doc_code")
        if doc_code and not SEVEN_DIGITS.match(doc_code.rpartition(".")[2]):
            doc_id, doc_code = doc_id or doc_code, ""  # a TT 02 DocCode is TT 05's docId (§2.5)
        if doc_id:
            prefix, _, sequence = doc_id.rpartition(".")
            if not prefix or not sequence.isdigit() or sequence.startswith("0"):
                column = "doc_id" if row.has("doc_id") else "doc_code"
                self.problem(
                    row,
                    column,
                    "mã định danh tài liệu = mã hồ sơ + dấu chấm + số thứ tự (TT 05/2025, vd. H49.64.33.2001.160.1).",
                    "docId = file code + '.' + sequence (TT 05/2025, e.g. H49.64.33.2001.160.1).",
                )
                return None
            found.append(("doc_id" if row.has("doc_id") else "doc_code", prefix, int(sequence)))
        if doc_code:
            prefix, _, sequence = doc_code.rpartition(".")
            found.append(("doc_code", prefix, int(sequence)))
        file_code = self.file_code_of(row)
        if file_code is None:
            return None
        if file_code:
            found.append(("file_code", file_code, None))
        ordinal_text = row.text("ordinal")
        if ordinal_text:
            if not ordinal_text.isdigit() or int(ordinal_text) < 1:
                self.problem(
                    row,
                    "ordinal",
                    "số thứ tự trong hồ sơ phải là số nguyên từ 1.",
                    "the ordinal must be a whole number from 1.",
                )
                return None
            found.append(("ordinal", "", int(ordinal_text)))
        if not any(code for _, code, _ in found):
            self.problem(
                row,
                "",
                f"Mã hồ sơ hoặc mã định danh tài liệu: {REQUIRED_RULE}.",
                "file code or docId: required.",
            )
            return None
        file_codes = {code for _, code, _ in found if code}
        ordinals = {ordinal for _, _, ordinal in found if ordinal is not None}
        if len(file_codes) > 1 or len(ordinals) > 1:
            self.problem(
                row,
                found[0][0],
                "mã định danh tài liệu, mã lưu trữ, mã hồ sơ và số thứ tự trong hồ sơ không khớp nhau "
                "(docId = mã hồ sơ.số thứ tự; docCode = mã hồ sơ.số thứ tự 7 chữ số).",
                "docId, docCode, fileCode and docOrdinal disagree.",
            )
            return None
        return file_codes.pop(), (ordinals.pop() if ordinals else None)

    def document_row(self, row: _Row, keys: tuple[str, int | None], seen: dict[tuple[str, int], int]) -> None:
        file_code, ordinal = keys
        existing_file = self.files.get(file_code)
        document: Document | None = None
        if ordinal is not None:
            document = self.documents.get(codes.doc_id(file_code, ordinal))
            if document is None and existing_file is not None:
                document = self.documents_at.get((existing_file.pk, ordinal))
        if document is not None:
            existing_file = document.file
        if existing_file is not None:
            reason = self.out_of_reach(existing_file)
            if reason:
                column = "file_code" if row.has("file_code") else "doc_id"
                self.problem(row, column, reason, "this file code belongs to a file out of reach.", value=file_code)
                return
        elif file_code not in self.planned_files:
            self.problem(
                row,
                "file_code" if row.has("file_code") else "doc_id",
                f"hồ sơ «{file_code}» chưa có trong phông {self.fonds.code}; hãy nhập mục lục hồ sơ trước "
                "(hoặc cùng tệp, ở trang tính trước).",
                f"file {file_code} is not in fonds {self.fonds.code}; import the file list first.",
                value=file_code,
            )
            return
        if ordinal is None:
            ordinal = self._next_ordinal(file_code, existing_file)
        if (file_code, ordinal) in seen:
            self.problem(
                row,
                "doc_id" if row.has("doc_id") else "",
                f"trùng tài liệu số {ordinal} của hồ sơ {file_code} với dòng {seen[(file_code, ordinal)]}.",
                f"same document as row {seen[(file_code, ordinal)]} of this sheet.",
                value=codes.doc_id(file_code, ordinal),
            )
            return
        seen[(file_code, ordinal)] = row.number
        self.next_ordinal[file_code] = max(self.next_ordinal.get(file_code, 0), ordinal)
        typed = self.values(row, Level.DOCUMENT, Document)
        if typed is None:
            return
        if document is None:
            self._document_create(row, file_code, ordinal, existing_file, typed)
        else:
            self._document_update(row, document, typed)

    def _next_ordinal(self, file_code: str, archive_file: ArchiveFile | None) -> int:
        last = self.next_ordinal.get(file_code, 0)
        if archive_file is not None:
            last = max([last, *(o for (f, o) in self.documents_at if f == archive_file.pk)])
        return last + 1

    def _document_create(
        self, row: _Row, file_code: str, ordinal: int, archive_file: ArchiveFile | None, typed: dict[str, Any]
    ) -> None:
        data = {k: v for k, v in typed.items() if not (k in DOCUMENT_INHERITED and v in ("", None))}
        missing = [name for name in self.document_required if name not in data]
        ok = self._required(row, data, self.document_required, Document)
        if missing:
            labels = ", ".join(self.label(Document, name) for name in missing)
            self.problem(
                row,
                "",
                f"tài liệu mới thiếu cột bắt buộc: {labels} (TT 05/2025).",
                f"a new document needs the columns: {', '.join(missing)} (TT 05/2025).",
            )
            return
        if not ok or not self._document_rules(row, data, archive_file):
            return
        if is_secret(data.get("mode", ""), data.get("secret_class", "")) and not self.include_secret:
            self.problem(
                row,
                "mode",
                "chỉ người có quyền xem tài liệu Mật được nhập tài liệu chế độ 03 hoặc có độ mật.",
                "only people who may see secret material may import secret documents.",
            )
            return
        if archive_file is not None and self.locked(row, archive_file):
            return
        key = codes.doc_id(file_code, ordinal)
        action = Action(Level.DOCUMENT, row.sheet, row.number, key, CREATE, values=data, file_code=file_code)
        action.ordinal = ordinal
        self.actions.append(action)

    def _document_rules(self, row: _Row, data: dict[str, Any], archive_file: ArchiveFile | None) -> bool:
        risk = data.get("risk_recovery", archive_file.risk_recovery if archive_file else False)
        status = data.get("risk_recovery_status", archive_file.risk_recovery_status if archive_file else "")
        if risk and not status:
            self.problem(
                row,
                "risk_recovery_status",
                "Tình trạng dự phòng: bắt buộc khi Chế độ dự phòng = 1 (TT 05/2025).",
                "riskRecoveryStatus is required when riskRecovery = 1 (TT 05/2025).",
            )
            return False
        return True

    def _document_update(self, row: _Row, document: Document, typed: dict[str, Any]) -> None:
        if not self._required(row, typed, (*self.document_required, "maintenance", "mode", "language"), Document):
            return
        mode = typed.pop("mode", document.mode)
        changes, values = _diff(document, typed)
        if "secret_class" in values:
            self.problem(
                row,
                "secret_class",
                "độ mật chỉ thay đổi qua đề nghị được người thứ hai xác nhận (NĐ 30/2020/NĐ-CP, Phụ lục VI), "
                "tại trang Quyền truy cập, không qua nhập mục lục.",
                "a secret class changes only through a four-eyes proposal, never by import.",
            )
            return
        if is_secret(document.mode, document.secret_class) and not self.include_secret:
            self.problem(
                row,
                "doc_id",
                "tài liệu này bạn không được xem (chế độ 03 hoặc có độ mật).",
                "you may not see this document (secret).",
                value=document.doc_id,
            )
            return
        merged = _fields_of(document) | values
        if not self._document_rules(row, merged, None):
            return
        proposal = self.proposal(row, document, mode, f"tai_lieu:{document.pk}")
        if (values or proposal) and self.locked(row, document.file):
            return
        verb = UPDATE if values or proposal else UNCHANGED
        action = Action(Level.DOCUMENT, row.sheet, row.number, document.doc_id, verb, changes, proposal, values=values)
        action.target, action.file_code, action.ordinal = document, document.file.file_code, document.ordinal
        action.proposal_pending = bool(proposal) and f"tai_lieu:{document.pk}" in self.pending
        self.actions.append(action)


def file_code_from(row: _Row, fonds: Fonds) -> tuple[str, str, str, str]:
    """(file code, column at fault, rule broken, the rule in English) of a row: its fileCode cell, else
    the code built from its TT 02 / NĐ 30 parts (Identifier + OrganId + FileCatalog + FileNotation, §2.5),
    the fonds' agency identifier (or code) standing in for a missing OrganId."""
    if row.text("file_code"):
        try:
            return str(codes.parse_file_code(row.text("file_code"))), "", "", ""
        except ArchiveError as error:
            return "", "file_code", error.message, error.message_english
    notation, catalog = row.text("file_notation"), row.text("file_catalog")
    if not (notation or catalog):
        return "", "", "", ""
    organ = row.text("organ_id") or fonds.organ_id or fonds.code
    if row.text("identifier"):
        organ = f"{row.text('identifier')}.{organ}"
    if not (catalog.isdigit() and len(catalog) == 4):
        rule = "năm hình thành hồ sơ (FileCatalog) phải gồm 4 chữ số (TT 05/2025)."
        return "", "file_catalog", rule, "FileCatalog (the year) must have 4 digits (TT 05/2025)."
    try:
        return codes.build_file_code(organ, int(catalog), notation), "", "", ""
    except ArchiveError as error:
        column = "file_notation" if row.has("file_notation") else "organ_id"
        return "", column, error.message, error.message_english


def _fields_of(instance: models.Model) -> dict[str, Any]:
    """The row's own values (a foreign key as its id: reading the related object would be a query)."""
    return {f.name if not f.is_relation else f.attname: getattr(instance, f.attname) for f in instance._meta.fields}


def _diff(instance: models.Model, typed: dict[str, Any]) -> tuple[dict[str, tuple[str, str]], dict[str, Any]]:
    changes: dict[str, tuple[str, str]] = {}
    values: dict[str, Any] = {}
    for name, value in typed.items():
        current = getattr(instance, name)
        if name == "inventory":
            if (value.pk if value else None) == instance.inventory_id:  # type: ignore[attr-defined]
                continue
        elif value == current or (value in ("", None) and current in ("", None)):
            continue
        changes[name] = (_shown(current), _shown(value))
        values[name] = value
    return changes, values


# -- the sheet ----------------------------------------------------------------------------------------


@dataclass
class _Located:
    table: sheets.Table
    level: Level
    header_row: int
    columns: dict[int, tuple[str, Column]]


def _locate(table: sheets.Table, preview: Preview, profile: str) -> _Located | None:
    """The table's heading row (in its first rows) and what each column means; warnings for the rest."""
    for number, values in table.rows[: sheets.HEADER_SEARCH_ROWS]:
        headings = [as_text(value) for value in values]
        level = guess_level([h for h in headings if h], profile)
        if level is None:
            continue
        columns: dict[int, tuple[str, Column]] = {}
        used: dict[str, str] = {}
        for index, heading in enumerate(headings):
            if not heading:
                continue
            column = match_heading(heading, level, profile)
            if column is None:
                if heading_key(heading) not in IGNORED:
                    preview.warnings.append(f"{table.name}: cột «{heading}» không thuộc mục lục TT 05, bỏ qua.")
                continue
            if column.field in used:
                preview.problems.append(
                    Problem(
                        table.name,
                        number,
                        heading,
                        "",
                        f"hai cột cùng là trường {column.element} («{used[column.field]}» và «{heading}»); "
                        "hãy giữ một cột.",
                        f"two columns are both {column.element}; keep one.",
                    )
                )
                continue
            used[column.field] = heading
            columns[index] = (heading, column)
        return _Located(table, level, number, columns)
    return None


def _rows(located: _Located) -> list[_Row]:
    rows = []
    for number, values in located.table.rows:
        if number <= located.header_row or sheets.is_blank(values):
            continue
        cells = {
            column.field: (heading, values[index] if index < len(values) else None)
            for index, (heading, column) in located.columns.items()
        }
        rows.append(_Row(located.table.name, number, cells))
    return rows


def preview(
    data: bytes,
    *,
    name: str,
    fonds: Fonds,
    inventory: Inventory | None = None,
    user: Any = None,
    include_secret: bool = False,
) -> Preview:
    """Check every row of an uploaded catalogue against TT 05/2025 and the archive; write nothing."""
    result = Preview(name=nfc(name), sha256=hashlib.sha256(data).hexdigest())
    tables = sheets.read_tables(data, name=name)
    profile = profiles.of_fonds(fonds)
    located = [found for table in tables if (found := _locate(table, result, profile))]
    if not located:
        result.problems.append(
            Problem(
                tables[0].name if tables else name,
                1,
                "",
                "",
                "không tìm thấy dòng tiêu đề cột của mục lục hồ sơ hay mục lục văn bản trong "
                f"{sheets.HEADER_SEARCH_ROWS} dòng đầu (cần ít nhất cột Mã hồ sơ / fileCode và Tiêu đề hồ sơ, "
                "hoặc các cột của văn bản).",
                f"no catalogue heading row in the first {sheets.HEADER_SEARCH_ROWS} rows (need at least fileCode "
                "and title, or the document columns).",
            )
        )
        return result
    located.sort(key=lambda found: found.level is Level.DOCUMENT)  # files first: documents may need them
    checker = _Checker(fonds=fonds, inventory=inventory, user=user, include_secret=include_secret)
    parsed = [(found, _rows(found)) for found in located]
    file_codes: set[str] = set()
    doc_ids: set[str] = set()
    keyed: list[tuple[_Located, _Row, Any]] = []
    for found, rows in parsed:
        result.tables.append(
            {"sheet": found.table.name, "level": str(found.level), "header_row": found.header_row, "rows": len(rows)}
        )
        for row in rows:
            if found.level is Level.FILE:
                keyed.append((found, row, None))
                if row.text("file_code"):
                    file_codes.add(row.text("file_code"))
                continue
            keys = checker.document_keys(row)
            if keys is None:
                continue
            file_codes.add(keys[0])
            if keys[1] is not None:
                doc_ids.add(codes.doc_id(keys[0], keys[1]))
            keyed.append((found, row, keys))
    _gather_built_codes(checker, keyed, file_codes)
    checker.load(file_codes, doc_ids)
    seen: dict[tuple[str, int], int] = {}
    for found, row, keys in keyed:
        if found.level is Level.FILE:
            checker.file_row(row)
        else:
            checker.document_row(row, keys, seen)
    result.problems += checker.problems
    result.actions = checker.actions
    return result


def _gather_built_codes(checker: _Checker, keyed: list[tuple[_Located, _Row, Any]], file_codes: set[str]) -> None:
    """File codes built from TT 02 parts are known only once built: add them to what is loaded (the row's
    own check reports a bad part)."""
    for found, row, _ in keyed:
        if found.level is Level.FILE and not row.text("file_code"):
            code, *_ = file_code_from(row, checker.fonds)
            if code:
                file_codes.add(code)
