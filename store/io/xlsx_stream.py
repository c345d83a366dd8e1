"""Rows of a large sheet written fast into an openpyxl write-only workbook.

openpyxl's streaming writer (`Workbook(write_only=True)`) still builds a cell object and
an lxml element for every cell: about 20 µs a cell on this machine, 45 s for the 2.2 million
cells of a 100,000-case 台账. Here openpyxl writes everything but the body of the sheet (the
workbook, styles, column widths, frozen panes, autofilter, the header row and its comment),
and `SheetRows` writes the rows as the XML openpyxl itself would write for the same cells
(inline strings, dates as serial numbers with their style, numbers as `%.16g`): the workbook
is saved with one marker row, and the marker row is replaced by the streamed rows when the
archive is copied to its destination. Styles are registered through openpyxl (`WriteOnlyCell`)
the first time a row needs them, so the style table holds exactly what the cells use.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import tempfile
import zipfile
from collections.abc import Iterable
from typing import BinaryIO

from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel

MARKER = "DUBAN-SHEET-ROWS-GO-HERE"
"""The marker row's one cell (ASCII: openpyxl writes other text as character references). Only the
template holds it: the streamed rows are never searched."""

# What openpyxl refuses (ILLEGAL_CHARACTERS_RE: C0 controls but tab and line ends), plus what no
# XML 1.0 document may hold at all (lxml refuses these with a traceback).
_NOT_IN_XML = re.compile("[\ud800-\udfff\ufffe\uffff]")
_ESCAPES = re.compile("[&<>\r]")
_ESCAPED = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"}
_SPECIAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f&<>\r\ud800-\udfff\ufffe\uffff]")
"""Any character that needs more than copying: most cells have none, and take the short way."""
MAX_TEXT = 32767
"""The longest text a cell holds (openpyxl cuts longer text there, as Excel requires)."""


def cell_text(value: str) -> str:
    """Text as it can stand in a cell: characters a workbook may not hold are dropped, then cut to 32,767."""
    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    if _NOT_IN_XML.search(value):
        value = _NOT_IN_XML.sub("", value)
    return value[:MAX_TEXT]


def _escape(text: str) -> str:
    return _ESCAPES.sub(lambda match: _ESCAPED[match.group()], text)


def _text_xml(text: str) -> str | None:
    """The `<t>` element of a text cell, or None when nothing is left of the text.

    `xml:space="preserve"` when the text starts or ends with white space, as openpyxl writes it.
    """
    text = cell_text(text)
    if text == "":
        return None
    space = ' xml:space="preserve"' if text != text.strip() else ""
    return f"<t{space}>{_escape(text)}</t>"


class SheetRows:
    """Writes `<row>` elements for one write-only sheet, registering cell styles with openpyxl.

    `row(line, values, fill)` takes the values of one row in column order: `None` and `""` leave
    the cell out; `str` is text (never a formula, whatever it starts with); `int`/`float` a
    number; a date (or datetime, cut to its day) a date cell in `yyyy-mm-dd`; anything else its
    `str()`. `fill` (an openpyxl fill, or None) colours the cells of `fill_columns` (0-based).
    """

    def __init__(self, sheet, columns: int, *, fill_columns: Iterable[int] = (), date_format: str = "yyyy-mm-dd"):
        self._sheet = sheet
        self._starts = [f'<c r="{get_column_letter(index)}' for index in range(1, columns + 1)]
        self._fill_columns = frozenset(fill_columns)
        self._date_format = date_format
        self._epoch = sheet.parent.epoch
        self._styles: dict[tuple[bool, int], str] = {}  # (date?, id of the fill) → ' s="n"'
        self._fills: list = []  # the fills of those keys, kept alive so that their ids stay theirs
        self._serials: dict[dt.date, str] = {}
        self._date_style = ""  # the plain date cell's ` s="n"`, once registered

    def _style(self, is_date: bool, fill) -> str:
        """The ` s="n"` attribute of a cell (registered with openpyxl on first use), or ""."""
        key = (is_date, id(fill))
        style = self._styles.get(key)
        if style is None:
            self._fills.append(fill)
            if not is_date and fill is None:
                style = ""
            else:
                cell = WriteOnlyCell(self._sheet)
                if is_date:
                    cell.number_format = self._date_format
                if fill is not None:
                    cell.fill = fill
                style = f' s="{cell.style_id}"'
            self._styles[key] = style
            if is_date and fill is None:
                self._date_style = style
        return style

    def _serial(self, day: dt.date) -> str:
        text = self._serials.get(day)
        if text is None:
            text = self._serials[day] = f"{to_excel(day, self._epoch):.16g}"
        return text

    def row(self, line: int, values, fill=None) -> str:
        number = str(line)
        parts = [f'<row r="{number}">']
        starts, fill_columns, special = self._starts, self._fill_columns, _SPECIAL.search
        for index, value in enumerate(values):
            if value is None:
                continue
            kind = value.__class__
            cell_fill = fill if fill is not None and index in fill_columns else None
            if kind is str or not (isinstance(value, (dt.date, int, float)) and kind is not bool):
                text = value if kind is str else str(value)
                if text == "":
                    continue
                style = "" if cell_fill is None else self._style(False, cell_fill)
                if special(text) or len(text) > MAX_TEXT:
                    element = _text_xml(text)
                    if element is None:
                        parts.append(f'{starts[index]}{number}"{style} t="inlineStr"/>')
                        continue
                elif text[0].isspace() or text[-1].isspace():
                    element = f'<t xml:space="preserve">{text}</t>'
                else:
                    element = f"<t>{text}</t>"
                parts.append(f'{starts[index]}{number}"{style} t="inlineStr"><is>{element}</is></c>')
            elif isinstance(value, dt.date):
                if kind is not dt.date:  # a datetime (or pendulum's Date): its day, as a plain date
                    value = dt.date(value.year, value.month, value.day)
                style = (self._date_style or self._style(True, None)) if cell_fill is None else self._style(True, cell_fill)
                serial = self._serials.get(value) or self._serial(value)
                parts.append(f'{starts[index]}{number}"{style} t="n"><v>{serial}</v></c>')
            else:
                style = "" if cell_fill is None else self._style(False, cell_fill)
                parts.append(f'{starts[index]}{number}"{style} t="n"><v>{value:.16g}</v></c>')
        parts.append("</row>")
        return "".join(parts)


def save_with_rows(workbook, stream: BinaryIO, rows: Iterable[str], *, last_cell: str) -> None:
    """Save `workbook` to `stream` with `rows` (XML from `SheetRows`) in place of its marker row.

    The workbook must be write-only and its one sheet's last appended row `[MARKER]`; `last_cell` (e.g. "AF100001")
    gives the sheet's `<dimension>`, which a write-only sheet leaves out.
    """
    with tempfile.TemporaryFile() as body:
        writer = io.TextIOWrapper(body, encoding="utf-8", newline="", write_through=False)
        for row in rows:  # styles get registered here, before the workbook is saved
            writer.write(row)
        writer.flush()
        writer.detach()
        template = io.BytesIO()
        workbook.save(template)
        with zipfile.ZipFile(template) as source, \
                zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as target:
            for info in source.infolist():
                data = source.read(info.filename)
                text = data.decode("utf-8") if info.filename.startswith("xl/worksheets/sheet") else ""
                if MARKER not in text:
                    target.writestr(info, data)
                    continue
                marker = text.index(MARKER)
                start, end = text.rindex("<row ", 0, marker), text.index("</row>", marker) + len("</row>")
                head, tail = text[:start], text[end:]
                if "<dimension " not in head:
                    view = head.index("<sheetViews")
                    head = f'{head[:view]}<dimension ref="A1:{last_cell}"/>{head[view:]}'
                entry = zipfile.ZipInfo(info.filename, info.date_time)
                entry.compress_type = zipfile.ZIP_DEFLATED
                with target.open(entry, "w", force_zip64=True) as out:
                    out.write(head.encode("utf-8"))
                    body.seek(0)
                    shutil.copyfileobj(body, out, 1 << 20)
                    out.write(tail.encode("utf-8"))
