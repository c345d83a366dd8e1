"""Stored text made safe to show: never parsed as markup, control characters made visible.

A title may hold `[/]`, `[@click=app.quit]`, ESC sequences or a C1 `\\x9b`. The store
keeps it exactly as entered; here, at display time, it becomes a `Content`/`Text` that is
never read as markup, with each control character drawn as a visible stand-in
(␛ for ESC, ␀ for NUL, ⟨9B⟩ for C1 codes, ⟨U+202E⟩ for direction overrides).
"""

from __future__ import annotations

import unicodedata

from rich.cells import cell_len
from textual.content import Content

# Bidirectional overrides and isolates can reorder what the user sees: show them too.
_BIDI = {chr(cp) for cp in (*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F, 0x061C)}


def _stand_in(ch: str, single_line: bool) -> str:
    code = ord(ch)
    if ch == "\n":
        return "⏎" if single_line else ch
    if ch == "\t":
        return " " if single_line else "    "
    if code < 0x20:
        return chr(0x2400 + code)  # ␀ … ␟ (␛ for ESC)
    if code == 0x7F:
        return "␡"
    if 0x80 <= code <= 0x9F:
        return f"⟨{code:02X}⟩"
    return f"⟨U+{code:04X}⟩"


def visible(text: str | None, *, single_line: bool = True) -> str:
    """`text` with every control character replaced by a visible stand-in."""
    if not text:
        return ""
    out = []
    for ch in text:
        if ch in _BIDI or (unicodedata.category(ch) == "Cc"):
            out.append(_stand_in(ch, single_line))
        else:
            out.append(ch)
    return "".join(out)


def plain(text: str | None, *, single_line: bool = True) -> Content:
    """Stored text as Content that is never parsed as markup."""
    return Content(visible(text, single_line=single_line))


def fit(text: str, width: int) -> str:
    """Cut (with …) or pad `text` to exactly `width` terminal cells (CJK counts double)."""
    if width <= 0:
        return ""
    if cell_len(text) <= width:
        return text + " " * (width - cell_len(text))
    out, used = [], 0
    for ch in text:
        w = cell_len(ch)
        if used + w > width - 1:
            break
        out.append(ch)
        used += w
    return "".join(out) + "…" + " " * (width - used - 1)
