"""Vietnamese text at the boundary: NFC normalisation and the folded search form.

Folding must map đ/Đ to d: plain "NFD then strip combining marks" leaves U+0111 untouched
(engineering.md B5), so a reader typing "dak lak" would never find "Đắk Lắk".
"""

from __future__ import annotations

import re
import unicodedata

_D_MAP = str.maketrans({"đ": "d", "Đ": "D"})
_SPACES = re.compile(r"\s+")


def nfc(text: str) -> str:
    """Return ``text`` in Unicode NFC, the form every stored string uses."""
    return unicodedata.normalize("NFC", text)


def fold(text: str) -> str:
    """Return the search key of ``text``: lower case, no diacritics, đ → d.

    Only combining marks are removed, so letters of other scripts and digits survive and the
    result has the same number of characters per word as the NFC input (useful for highlights).
    """
    decomposed = unicodedata.normalize("NFD", text.translate(_D_MAP))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", stripped).lower()


def collapse_spaces(text: str) -> str:
    """Collapse runs of whitespace to one space and strip the ends."""
    return _SPACES.sub(" ", text).strip()
