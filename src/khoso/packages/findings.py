"""One finding of package validation: the rule broken, said in Vietnamese and English, and where.

Validation reports every broken rule, not the first, so an archivist fixes a package in one pass;
the rule id is stable, so scripts (``khoso package import --json``) and tests match on it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Finding:
    rule: str
    message: str  # Vietnamese
    message_en: str
    location: str = ""  # path inside the package (and element), or the ZIP member

    def as_dict(self) -> dict[str, str]:
        return asdict(self)

    def __str__(self) -> str:
        where = f" [{self.location}]" if self.location else ""
        return f"{self.rule}: {self.message} / {self.message_en}{where}"
