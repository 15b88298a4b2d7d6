"""Who is acting, from where, in which request: bound once per request (or task) in a context variable.

The middleware binds an :class:`AuditContext` for every request. Services and signal handlers that
run inside it add to the request's single entry (:meth:`AuditContext.annotate`) instead of writing
entries of their own, so one action is one entry however many rows it touches. Outside a request
(commands, worker tasks) there is no context and ``khoso.audit.services.record`` writes at once.
"""

from __future__ import annotations

import re
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

#: tables whose writes are bookkeeping, not a change of the archive's state
IGNORED_TABLES = frozenset(
    {
        "django_session",
        "khoso_cache",
        "axes_accessattempt",
        "axes_accesslog",
        "axes_accessfailurelog",
        "audit_auditentry",
        "readers_usageevent",  # the readers' own viewing statistics, written on reads
    }
)
_WRITE = re.compile(r'^\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM|REPLACE\s+INTO)\s+"?([\w.]+)"?', re.I)
MAX_CHANGES = 50  # rows named in one entry's detail; the count is kept beyond that


@dataclass
class AuditContext:
    request_id: str
    ip: str | None
    route: str = ""
    kwargs: dict[str, Any] = field(default_factory=dict)
    user: Any = None  # the user at the start (a logout ends it; a login starts one)
    unsafe: bool = False
    closed: bool = False  # the request's entry is written (or will not be): later records stand alone
    tables: set[str] = field(default_factory=set)
    action: str = ""
    obj: Any = None
    digest_before: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)
    changes: list[list[Any]] = field(default_factory=list)
    change_count: int = 0
    created: list[Any] = field(default_factory=list)
    annotated: bool = False

    def observe(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        """``connection.execute_wrapper`` hook: note the tables the request writes to."""
        match = _WRITE.match(sql)
        if match:
            table = match.group(1).split(".")[-1].strip('"').lower()
            if table not in IGNORED_TABLES:
                self.tables.add(table)
        return execute(sql, params, many, context)

    @property
    def changed_state(self) -> bool:
        return bool(self.tables) or self.annotated

    def note_row(self, label: str, pk: Any, operation: str, instance: Any = None) -> None:
        self.change_count += 1
        if len(self.changes) < MAX_CHANGES:
            self.changes.append([label, str(pk), operation])
        if operation == "tao" and instance is not None:
            self.created.append(instance)

    def annotate(
        self, *, action: str = "", obj: Any = None, before: str | None = None, detail: dict[str, Any] | None = None
    ) -> None:
        """Fill in the request's entry: the service's action name, its object and details."""
        self.annotated = True
        if action and not self.action:
            self.action = action
        if obj is not None and self.obj is None:
            self.obj = obj
            if before is not None:
                self.digest_before = before
        if detail:
            self.detail.update(detail)


_current: ContextVar[AuditContext | None] = ContextVar("khoso_audit_context", default=None)


def current() -> AuditContext | None:
    """The open request context, if any (``None`` in commands, tasks, and once the entry is written)."""
    context = _current.get()
    return None if context is None or context.closed else context


def bind(context: AuditContext | None) -> Any:
    return _current.set(context)


def unbind(token: Any) -> None:
    _current.reset(token)


def last() -> AuditContext | None:
    """The request context even once closed (for the request id of records made after the entry)."""
    return _current.get()
