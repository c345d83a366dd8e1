"""The one gate for text reaching the terminal: stored text made safe to show.

A title may hold `[/]`, `[@click=app.quit]`, ESC sequences, a BEL or a C1 `\\x9b`. The
store keeps it exactly as entered; here, at display time, it becomes text that is never read
as markup, with each control character drawn as a visible stand-in (␛ for ESC, ␇ for BEL,
⟨9B⟩ for C1 codes, ⟨U+202E⟩ for direction overrides — `store.io.layout.show_controls`).

Every string that came from the store or the user passes through this module before a
widget, placeholder, tooltip, Select option, title, notification or help text shows it:

- `visible(text)` — a `str` with controls made visible (for f-strings, tooltips, options
  built as `Text(visible(...))`, titles, notifications);
- `plain(text)` — the same as a `Content` that is never parsed as markup (for `Static`,
  `Label`, table cells);
- `paragraphs(text)` — plain text broken into lines by 行首禁则 at the widget's own width;
- `SafeInput` / `SafeTextArea` — editable fields that hold the stored value itself (a
  prefilled name saves back exactly as stored) but draw `visible()` of it, and gate their
  placeholder too. Every Input and TextArea of the desk is one of these.

`DubanApp.format_title` and `DubanApp.say` (tui/app.py) put titles and notifications
through the same gate.
"""

from __future__ import annotations

from rich.cells import cell_len, get_character_cell_size
from rich.text import Text
from textual.content import Content
from textual.visual import Visual
from textual.widgets import Input, TextArea

from store.io.layout import line_starts, show_controls, wrap_text


def visible(text: str | None, *, single_line: bool = True) -> str:
    """`text` with every control character replaced by a visible stand-in (THE gate)."""
    return show_controls(text, single_line=single_line)


def plain(text: str | None, *, single_line: bool = True) -> Content:
    """Stored text as Content that is never parsed as markup."""
    return Content(visible(text, single_line=single_line))


def wrapped(text: str | None, width: int) -> str:
    """Text made visible and broken by 禁则 into lines of at most `width` cells (for a widget
    that would otherwise wrap it by itself, such as a notification)."""
    return wrap_text(visible(text, single_line=False), width, cells=cell_len)


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


# ------------------------------------------------------------------ 禁则 on screen


class Paragraphs(Visual):
    """Content broken into lines by 行首禁则 at whatever width it is drawn, styles kept.

    Textual's own wrapping would start a line with ；or split 100%; this breaks each line
    first (`store.io.layout.line_starts`), so what Textual gets always fits.
    """

    KEPT_WIDTHS = 4
    """How many widths' lines are kept: a scrolling pane is laid out with and without its
    scrollbar as it opens, and each width is broken once."""

    def __init__(self, content: Content) -> None:
        self.content = content
        self._cache: dict[int, Content] = {}

    def broken(self, width: int) -> Content:
        found = self._cache.get(width)
        if found is not None:
            return found
        lines: list[Content] = []
        for line in self.content.split("\n", allow_blank=True):
            starts = line_starts(line.plain, width, cells=cell_len)
            lines.extend(piece.rstrip() for piece in line.divide(starts)) if starts else lines.append(line)
        result = Content("\n").join(lines)
        if len(self._cache) >= self.KEPT_WIDTHS:
            self._cache.pop(next(iter(self._cache)))
        self._cache[width] = result
        return result

    def __str__(self) -> str:
        return str(self.content)

    def render_strips(self, width, height, style, options):
        return self.broken(width).render_strips(width, height, style, options)

    def get_optimal_width(self, rules, container_width: int) -> int:
        return self.content.get_optimal_width(rules, container_width)

    def get_height(self, rules, width: int) -> int:
        return self.broken(width).get_height(rules, width)


def paragraphs(text: str | Content | None) -> Paragraphs:
    """Stored text (or Content already made) shown in lines broken by 禁则; newlines kept."""
    content = text if isinstance(text, Content) else plain(text, single_line=False)
    return Paragraphs(content)


# ------------------------------------------------------------------ editable fields


def _shown_in_field(text: str) -> str:
    """One visible character for each character of a field's value (the cursor counts characters)."""
    return show_controls(text, same_length=True)


class SafeInput(Input):
    """An Input whose value is the stored text itself, drawn through the gate.

    A value prefilled from the store (a session name holding ESC) saves back exactly as
    stored; what reaches the terminal is `visible()` of it, one stand-in per character so
    the cursor and selection stay where they are. The placeholder is gated when set.
    """

    def validate_placeholder(self, placeholder: str) -> str:
        return visible(placeholder)

    @property
    def _value(self) -> Text:
        if self.password:
            return super()._value
        text = Text(_shown_in_field(self.value), no_wrap=True, overflow="ignore", end="")
        return self.highlighter(text) if self.highlighter is not None else text

    def _position_to_cell(self, position: int) -> int:
        return cell_len(_shown_in_field(self.value[:position]))

    def _cell_offset_to_index(self, offset: int) -> int:
        cell_offset = 0
        offset += self.scroll_offset.x
        shown = _shown_in_field(self.value)
        for index, char in enumerate(shown):
            width = get_character_cell_size(char)
            if cell_offset <= offset < cell_offset + width:
                return index
            cell_offset += width
        return max(0, min(offset, len(shown)))


class SafeTextArea(TextArea):
    """A TextArea whose text is the stored text itself, each line drawn through the gate."""

    def get_line(self, line_index: int) -> Text:
        line = self.document.get_line(line_index)
        shown = "".join(ch if ch == "\t" else _shown_in_field(ch) for ch in line)
        return Text(shown, end="", no_wrap=True)

    def validate_placeholder(self, placeholder):
        return visible(str(placeholder)) if placeholder else placeholder
