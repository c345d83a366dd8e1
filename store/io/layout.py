"""Text laid out for people: control characters made visible, lines broken by 行首禁则.

Two things every text the desk shows or saves goes through:

- `show_controls(text)` draws each control character as a visible stand-in (␛ for ESC,
  ␇ for BEL, ⟨9B⟩ for a C1 code, ⟨U+202E⟩ for a direction override). The store keeps text
  exactly as entered; this is applied where it leaves the desk for a person: on screen
  (`tui.text.visible`, the one gate for widgets, is this function), on a terminal
  (`for_terminal`) and in the documents saved for people (notice, summary, weekly report).
- `wrap_cjk(text, width)` breaks a paragraph into lines of at most `width` terminal cells
  without ever starting a line with a closing mark (。，、；：？！）」』】％”’… — 行首禁则),
  ending one with an opening mark (（「『【《“‘), or splitting a number, a percentage, a
  date or a document number (100%, 2023年9月6日, 2023-09-06, 深政数函〔2023〕84号).

Nothing here knows the UI: widths are counted in cells by East Asian width (a wide
character is two cells), or by the `cells` function a caller passes.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Callable

# Bidirectional overrides, embeddings, isolates and marks can reorder what a person sees.
_BIDI = frozenset(chr(cp) for cp in (*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F, 0x061C))


def is_control(ch: str) -> bool:
    """A character that must never reach a terminal or a document as itself (C0, DEL, C1, bidi)."""
    return ch in _BIDI or unicodedata.category(ch) == "Cc"


def _stand_in(ch: str, single_line: bool, same_length: bool) -> str:
    code = ord(ch)
    if ch == "\n":
        return "⏎" if single_line else ch
    if ch == "\t":
        return " " if single_line or same_length else "    "
    if code < 0x20:
        return chr(0x2400 + code)  # ␀ … ␟ (␛ for ESC, ␇ for BEL)
    if code == 0x7F:
        return "␡"
    if same_length:
        return "�"  # one character for one: an input's cursor stays on the character it is at
    if 0x80 <= code <= 0x9F:
        return f"⟨{code:02X}⟩"
    return f"⟨U+{code:04X}⟩"


def show_controls(text: str | None, *, single_line: bool = True, same_length: bool = False) -> str:
    """`text` with every control character replaced by a visible stand-in.

    `single_line` draws a newline as ⏎ (else it stays a line break); `same_length` maps each
    character to exactly one (C1 and bidi codes to �), for an input whose cursor counts
    characters. Idempotent: the stand-ins are not control characters.
    """
    if not text:
        return ""
    if not any(is_control(ch) for ch in text):
        return text
    return "".join(_stand_in(ch, single_line, same_length) if is_control(ch) else ch for ch in text)


def for_terminal(text: str) -> str:
    """Text about to be written to a terminal: line breaks kept, every other control made visible."""
    return show_controls(text.replace("\r\n", "\n"), single_line=False)


# ------------------------------------------------------------------------ 禁则

CLOSING = frozenset("。，、；：？！）」』】〕》〉］｝％‰”’…·．,.;:?!)]}%～—")
"""Marks that never start a line (行首禁则): they stay with what they close."""

OPENING = frozenset("（「『【〔《〈［｛“‘([{")
"""Marks that never end a line (行尾禁则): they go with what they open."""

_ATOM = re.compile(
    r"""
      [〔\[［(（]\d{4}[〕\]］)）]\d+号                      # (深政数函)〔2023〕84号
    | \d{4}年\d{1,2}月(?:\d{1,2}日)?                          # 2023年9月6日
    | \d{1,2}月\d{1,2}日
    | \d{4}-\d{1,2}-\d{1,2}                                   # 2023-09-06
    | 第?\d[\d,.:]*(?:%|％|‰|号|件次|件|天|次|人|个|年|月|日|类)?  # 100%, 第20230489号, 8天
    | [A-Za-z][A-Za-z0-9_.\-']*                               # a Latin word
    | \s
    | .
    """,
    re.VERBOSE | re.DOTALL,
)


def cell_width(text: str) -> int:
    """Terminal cells `text` takes: wide and full-width characters two, combining marks none."""
    width = 0
    for ch in text:
        if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
            continue
        width += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return width


def _units(paragraph: str) -> list[str]:
    """The paragraph cut into pieces a line break may fall between (and nowhere else)."""
    units: list[str] = []
    for match in _ATOM.finditer(paragraph):
        atom = match.group(0)
        if units and atom[0] in CLOSING and units[-1].isspace() and len(units) > 1:
            space = units.pop()
            units[-1] += space + atom  # "天 。": the mark stays with 天, over the space
        elif units and (atom[0] in CLOSING or units[-1].rstrip()[-1:] in OPENING):
            units[-1] += atom  # "天；" and "《关": a mark stays with what it closes or opens
        else:
            units.append(atom)
    return units


_FINE = re.compile(r"\d[\d,.:]*[%％‰号年月日件天次]?|.", re.DOTALL)


def _chars(text: str, width: int, cells: Callable[[str], int]) -> list[str]:
    """Cut by characters, never before a closing mark if avoidable."""
    pieces, line = [], ""
    for ch in text:
        if line and cells(line + ch) > width:
            keep = len(line)
            while keep > 1 and (line + ch)[keep] in CLOSING:
                keep -= 1
            pieces.append(line[:keep])
            line = line[keep:]
        line += ch
    if line:
        pieces.append(line)
    return pieces


def _fold(unit: str, width: int, cells: Callable[[str], int]) -> list[str]:
    """A piece wider than a line (a long date or number with what it holds), cut at its own
    joints first (2026年 | 11月 | 19日，), by characters only where a joint is still too wide."""
    fine: list[str] = []
    for token in _FINE.findall(unit):
        if fine and (token[0] in CLOSING or fine[-1][-1] in OPENING):
            fine[-1] += token
        else:
            fine.append(token)
    pieces, line = [], ""
    for token in fine:
        if cells(line + token) <= width:
            line += token
            continue
        if line:
            pieces.append(line)
        *whole, line = _chars(token, width, cells) if cells(token) > width else [token]
        pieces.extend(whole)
    if line:
        pieces.append(line)
    return pieces


def line_starts(paragraph: str, width: int, *, cells: Callable[[str], int] | None = None) -> list[int]:
    """Where each line after the first begins (character offsets) when `paragraph` is broken by 禁则.

    The paragraph holds no newline. Spaces at a break are left at the end of the line before
    (a caller strips them). See `wrap_cjk`.
    """
    cells = cells or cell_width
    width = max(int(width), 4)  # narrower than two wide characters, no rule can hold
    starts: list[int] = []
    line, pos = "", 0
    for unit in _units(paragraph):
        at, pos = pos, pos + len(unit)
        if unit.isspace() and not line and starts:
            starts[-1] = pos  # no line starts with a space
            continue
        if cells(line + unit) <= width:
            line += unit
            continue
        if unit.isspace():
            starts.append(pos)
            line = ""
            continue
        if line.strip():
            starts.append(at)
            line = ""
        if cells(line + unit) <= width:
            line += unit
            continue
        for piece in _fold(line + unit, width, cells)[:-1]:  # wider than a line by itself
            at += len(piece) - len(line)
            line = ""
            starts.append(at)
        line = paragraph[starts[-1]:pos] if starts else paragraph[:pos]
    return [start for start in starts if start < len(paragraph)]


def wrap_cjk(text: str | None, width: int, *, cells: Callable[[str], int] | None = None) -> list[str]:
    """`text` broken into lines of at most `width` cells, by 禁则; each newline starts a new paragraph.

    A line never starts with a closing mark nor ends with an opening one, and a number,
    percentage, date or document number stays on one line (unless it alone is wider than
    a line). Spaces at a break are dropped.
    """
    lines: list[str] = []
    for paragraph in (text or "").split("\n"):
        bounds = [0, *line_starts(paragraph, width, cells=cells), len(paragraph)]
        lines.extend(paragraph[a:b].rstrip() for a, b in zip(bounds, bounds[1:]))
    return lines


def wrap_text(text: str | None, width: int, *, cells: Callable[[str], int] | None = None) -> str:
    """`wrap_cjk` joined with newlines."""
    return "\n".join(wrap_cjk(text, width, cells=cells))
