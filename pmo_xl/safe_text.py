"""Text from workbooks, made safe to write back: never a formula, never an error, always valid XML.

Renderers share these pure functions. :mod:`pmo_xl.xlsx_writer` writes every ``str`` with
``write_string``, so a formula-like text stays text there by construction. A live-Excel writer
(xlwings) sets ``Range.value``, which Excel parses like typed input: it must write
``"'" + text`` when :func:`is_formula_like` is true (the leading apostrophe makes Excel keep the
text as is and is not part of the value). Excel also parses number-, date- and boolean-looking
text and drops a leading apostrophe, so such a writer should quote those too, or write into cells
formatted as Text (``@``).
"""

from __future__ import annotations

import re

from pmo_xl.workbook import ERROR_LITERALS

# Excel's limit for the text of one cell.
MAX_CELL_CHARS = 32_767

# Characters that XML 1.0 forbids (tab, LF and CR are allowed), plus the non-characters
# U+FFFE/U+FFFF and surrogate code points, which cannot be encoded as UTF-8.
_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_SURROGATE = re.compile("[\ud800-\udfff]")

# A cell typed with one of these first characters is parsed by Excel (or by a CSV/DDE consumer)
# as a formula; tab/CR/LF lead to the same in CSV exports.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n")


def clean_text(text: str) -> tuple[str, bool]:
    """Remove characters that XML 1.0 forbids; ``(clean, changed)``.

    >>> clean_text("Lot\\x0b 1")
    ('Lot 1', True)
    """
    if _ILLEGAL_XML.search(text) is None:
        return text, False
    if _SURROGATE.search(text) is not None:
        # A high+low pair (text decoded as UTF-16 by mistake) is one real character: keep it.
        # Lone halves cannot be represented and are dropped by the decoder.
        text = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "ignore")
    return _ILLEGAL_XML.sub("", text), True


def truncate_text(text: str, limit: int = MAX_CELL_CHARS) -> tuple[str, bool]:
    """Cut ``text`` to what one Excel cell can hold; ``(text, truncated)``."""
    if len(text) <= limit:
        return text, False
    return text[:limit], True


def shorten(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, an ellipsis saying it was cut.

    >>> shorten("Consolidation", 6)
    'Conso…'
    """
    return text if len(text) <= limit else text[: limit - 1] + "…"


def is_formula_like(text: str) -> bool:
    """True when typing ``text`` into Excel would give a formula or an error value.

    >>> is_formula_like("=1+1"), is_formula_like("#REF!"), is_formula_like("Lot 1")
    (True, True, False)
    """
    return text.startswith(FORMULA_PREFIXES) or text.strip().upper() in ERROR_LITERALS
