"""The ledger table: a window onto any number of rows, drawn line by line.

A plain DataTable measures every cell before its first paint (about 10 s at 100,000
rows). This widget draws only the lines on screen from a list of `LedgerRow`s it is given,
with fixed column widths (the title takes what is left), so its cost does not grow with
the ledger. A terminal too narrow for every column keeps 编号, 标题 (cut), 状态, 下一期限 and
倒计时, and drops the other columns lowest priority first; ←/→ page through the dropped ones
(the title narrows to make room). A case in hand that waits for its co-units shows their
progress in its 状态 cell (会办 1/3). Stored text is drawn as plain segments with control
characters made visible: it is never parsed as markup. Countdowns carry words and colour, never colour alone; a
countdown counted on a year whose holidays are not confirmed ends in `*` (推算).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from store.office_calendar import marked
from store.queries import LedgerRow
from tui.text import fit, visible


@dataclass(frozen=True)
class Column:
    key: str  # also the sort key in store.snapshot.SORT_KEYS
    label: str
    width: int  # 0: takes the remaining width


COLUMNS = (
    Column("number", "编号", 10),
    Column("title", "标题", 0),
    Column("lead_proposer", "领衔", 8),
    Column("role", "方式", 4),
    Column("division", "处室", 10),
    Column("owner", "责任人", 6),
    Column("status", "状态", 8),
    Column("deadline", "下一期限", 19),
    Column("countdown", "倒计时", 15),  # 还剩18个工作日 and the estimated mark *
    Column("last_followup", "最近跟进", 10),
    Column("urge_count", "催办", 12),
)
MIN_TITLE = 16
TITLE_FLOOR = 6  # the narrowest cut title, when ←/→ brings a dropped column into view
REQUIRED = ("number", "title", "status", "deadline", "countdown")
OPTIONAL = ("division", "last_followup", "urge_count", "owner", "lead_proposer", "role")
"""The columns a narrow terminal may drop, kept in this order (方式 goes first)."""
_BY_KEY = {c.key: c for c in COLUMNS}


def column_pages(width: int) -> list[tuple[str, ...]]:
    """The optional columns shown on each column page at `width` cells (page 0: as many as fit
    beside a title of MIN_TITLE; each further page: the next ones that fit, at least one)."""
    room = width - 2 - sum(_BY_KEY[k].width + 1 for k in REQUIRED if k != "title") - MIN_TITLE - 1
    pages: list[tuple[str, ...]] = []
    start = 0
    while not pages or start < len(OPTIONAL):
        chosen: list[str] = []
        left = room
        for key in OPTIONAL[start:]:
            if _BY_KEY[key].width + 1 > left:
                break
            chosen.append(key)
            left -= _BY_KEY[key].width + 1
        if not chosen and pages:
            chosen = [OPTIONAL[start]]  # the title narrows (down to TITLE_FLOOR) to make room
        pages.append(tuple(chosen))
        start += len(chosen)
    return pages


def column_layout(width: int, page: int = 0) -> list[tuple[Column, int]]:
    """(column, width) for each column shown at `width` cells on column page `page`, in table order;
    the title takes what is left. Fixed widths: nothing here looks at the rows."""
    pages = column_pages(width)
    shown = set(REQUIRED) | set(pages[max(0, min(page, len(pages) - 1))])
    columns = [c for c in COLUMNS if c.key in shown]
    fixed = sum(c.width + 1 for c in columns if c.width) + 2  # +2: the mark column
    title = max(width - fixed - 1, TITLE_FLOOR)
    return [(c, c.width or title) for c in columns]

HEADER = Style(bold=True, color="white", bgcolor="#1f3a5f")
BASE = Style(color="#dddddd")
ODD = Style(bgcolor="#1b1b1b")
CURSOR = Style(bgcolor="#2f5f8f", color="white", bold=True)
MARKED = Style(color="#ffd75f")
STATE_STYLES = {
    "overdue": Style(color="white", bgcolor="#a40000", bold=True),
    "today": Style(color="black", bgcolor="#ffaf00", bold=True),
    "soon": Style(color="#ffaf00", bold=True),
    "open": Style(color="#87d787"),
    "done": Style(color="#808080"),
}
STALE = Style(color="#ff8787")


def countdown_state(row: LedgerRow) -> str:
    if row.days_left is None:
        return "done"
    if row.awaiting_proposer:  # an evaluation form not back is the proposer's: amber, never the red of 逾期
        return "soon"
    if row.days_left < 0:
        return "overdue"
    if row.days_left == 0:
        return "today"
    return "soon" if row.days_left <= 7 else "open"


def status_text(row: LedgerRow) -> str:
    """The 状态 cell: the status, or — while a case in hand waits for its co-units — their progress
    in the cell's 8 cells: 会办 1/3 (会办意见 1/3), 分办 0/2 (分办答复 0/2). Once every unit is in,
    or the case has moved on (已答复 …), the status again."""
    progress = row.units_progress.split()
    if row.status != "办理中" or len(progress) != 2 or "/" not in progress[1]:
        return row.status
    received, _, expected = progress[1].partition("/")
    return row.status if received == expected else f"{progress[0][:2]} {progress[1]}"


def cell_texts(row: LedgerRow) -> dict[str, str]:
    """What each column shows for a row, as plain (visible) text."""
    deadline = f"{row.next_milestone} {row.next_due:%Y-%m-%d}" if row.next_due else "—"
    followup = f"{row.last_followup_on:%m-%d}" if row.last_followup_on else "—"
    if row.stale:
        followup += " 滞后"
    urges = "—"
    if row.urge_count:
        urges = f"{row.urge_count}次" + (" 领导督办" if row.urge_level >= 3 else "")
    return {
        "number": row.number,
        "title": visible(row.title),
        "lead_proposer": visible(row.lead_proposer),
        "role": row.role_label,  # 会办 on a 政协 case (stored as 汇办)
        "division": visible(row.division) or "未分派",
        "owner": visible(row.owner) or "—",
        "status": status_text(row),
        "deadline": deadline,
        "countdown": marked(row.countdown, row.estimated),
        "last_followup": followup,
        "urge_count": urges,
    }


class LedgerTable(ScrollView, can_focus=True):
    """The ledger's rows under a fixed header, with a cursor that follows a case."""

    BINDINGS = [
        Binding("up", "cursor(-1)", "上移", show=False),
        Binding("down", "cursor(1)", "下移", show=False),
        Binding("pageup", "page(-1)", "上页", show=False),
        Binding("pagedown", "page(1)", "下页", show=False),
        Binding("home", "edge(0)", "首行", show=False),
        Binding("end", "edge(1)", "末行", show=False),
        Binding("left", "columns(-1)", "上一组列", key_display="←", id="ledger.columns_left",
                tooltip="窗口放不下全部列时：显示前一组列", group=Binding.Group("更多列", compact=True)),
        Binding("right", "columns(1)", "下一组列", key_display="→", id="ledger.columns_right",
                tooltip="窗口放不下全部列时：显示下一组列（处室、最近跟进、催办、责任人、领衔、方式）",
                group=Binding.Group("更多列", compact=True)),
    ]

    cursor: reactive[int] = reactive(0, init=False, always_update=True)
    """Index of the highlighted row in `rows`."""

    column_page: reactive[int] = reactive(0, init=False)
    """Which group of the columns a narrow terminal drops is shown (0: those that fit)."""

    class _TableMessage(Message):
        def __init__(self, table: "LedgerTable") -> None:
            super().__init__()
            self.table = table

        @property
        def control(self) -> "LedgerTable":
            return self.table

    class Highlighted(_TableMessage):
        """The cursor moved to another case (or the rows changed under it)."""

        def __init__(self, table: "LedgerTable", row: LedgerRow | None) -> None:
            super().__init__(table)
            self.row = row

    class Chosen(_TableMessage):
        """The user asked to open the case under the cursor (enter or double click)."""

        def __init__(self, table: "LedgerTable", row: LedgerRow) -> None:
            super().__init__(table)
            self.row = row

    class HeaderClicked(_TableMessage):
        """A column's header was clicked: sort by it."""

        def __init__(self, table: "LedgerTable", column: str) -> None:
            super().__init__(table)
            self.column = column

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.rows: Sequence[LedgerRow] = ()
        self.total_hint = 0  # rows known to exist beyond `rows` while the ledger loads
        self.marked: set[int] = set()
        self.order: tuple[str, bool] = ("deadline", False)
        self.empty_text = "没有符合条件的件。"
        self._texts: dict[int, tuple[LedgerRow, dict[str, str]]] = {}  # case id → (row, its cell texts)
        self._layout: tuple[int, int, list[tuple[Column, int]]] = (-1, -1, [])  # (width, page, layout)

    def _cell_texts(self, row: LedgerRow) -> dict[str, str]:
        """`cell_texts(row)`, remembered while the row object is the same."""
        cached = self._texts.get(row.case_id)
        if cached is not None and cached[0] is row:
            return cached[1]
        if len(self._texts) > 4000:
            self._texts.clear()
        texts = cell_texts(row)
        self._texts[row.case_id] = (row, texts)
        return texts

    # ----------------------------------------------------------------- data

    @property
    def current_row(self) -> LedgerRow | None:
        if 0 <= self.cursor < len(self.rows):
            return self.rows[self.cursor]
        return None

    def set_rows(self, rows: Sequence[LedgerRow], *, keep_case: int | None = None, total_hint: int = 0) -> None:
        """Show `rows`; keep the cursor on case `keep_case` (and its place on screen) if present."""
        old_screen_row = self.cursor - self.scroll_offset.y
        self.rows = rows
        self.total_hint = max(total_hint, len(rows))
        self.virtual_size = Size(self.size.width, self.total_hint + 1)
        index = None
        if keep_case is not None:
            for i, row in enumerate(rows):
                if row.case_id == keep_case:
                    index = i
                    break
        if index is None:
            index = min(self.cursor, max(len(rows) - 1, 0))
        self.cursor = index
        if keep_case is not None and 0 <= old_screen_row < self._body_height():
            self.scroll_to(y=max(index - old_screen_row, 0), animate=False, immediate=True)
        self._scroll_cursor_into_view()
        self.refresh()
        self.post_message(self.Highlighted(self, self.current_row))

    # ------------------------------------------------------------ movement

    def _body_height(self) -> int:
        return max(self.size.height - 1, 1)

    def _scroll_cursor_into_view(self) -> None:
        top = self.scroll_offset.y
        body = self._body_height()
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor >= top + body:
            self.scroll_to(y=self.cursor - body + 1, animate=False, immediate=True)

    def watch_cursor(self, old: int, new: int) -> None:
        self._scroll_cursor_into_view()
        self.refresh()
        if old != new:
            self.post_message(self.Highlighted(self, self.current_row))

    def move_to(self, index: int) -> None:
        if self.rows:
            self.cursor = max(0, min(index, len(self.rows) - 1))

    def action_cursor(self, step: int) -> None:
        self.move_to(self.cursor + step)

    def action_page(self, direction: int) -> None:
        self.move_to(self.cursor + direction * self._body_height())

    def action_edge(self, end: int) -> None:
        self.move_to(len(self.rows) - 1 if end else 0)

    def key_enter(self, event: events.Key) -> None:
        row = self.current_row
        if row is not None:
            event.stop()
            self.post_message(self.Chosen(self, row))

    def on_click(self, event: events.Click) -> None:
        if event.y == 0:
            column = self._column_at(event.x)
            if column:
                self.post_message(self.HeaderClicked(self, column))
            return
        index = self.scroll_offset.y + event.y - 1
        if 0 <= index < len(self.rows):
            self.cursor = index
            if event.chain >= 2:
                self.post_message(self.Chosen(self, self.rows[index]))

    def on_resize(self, event: events.Resize) -> None:
        self.virtual_size = Size(self.size.width, max(self.total_hint, len(self.rows)) + 1)
        self._scroll_cursor_into_view()
        pages = len(column_pages(self.size.width))
        if self.column_page >= pages:
            self.column_page = pages - 1
        self.refresh_bindings()

    # -------------------------------------------------------------- columns

    @property
    def page_count(self) -> int:
        """How many column pages the present width needs (1: every column fits)."""
        return len(column_pages(self.size.width))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "columns":
            if self.page_count <= 1:
                return False  # every column fits: ←/→ leave the footer
            step = parameters[0] if parameters else 0
            return None if not 0 <= self.column_page + step < self.page_count else True  # type: ignore[operator]
        return True

    def action_columns(self, step: int) -> None:
        self.column_page = max(0, min(self.column_page + step, self.page_count - 1))

    def watch_column_page(self) -> None:
        self.refresh()
        self.refresh_bindings()

    # -------------------------------------------------------------- drawing

    def _widths(self) -> list[tuple[Column, int]]:
        width, page, layout = self._layout
        if width != self.size.width or page != self.column_page:
            layout = column_layout(self.size.width, self.column_page)
            self._layout = (self.size.width, self.column_page, layout)
        return layout

    def _column_at(self, x: int) -> str | None:
        position = 2
        for column, width in self._widths():
            if position <= x < position + width + 1:
                return column.key
            position += width + 1
        return None

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        if y == 0:
            return self._header(width)
        index = self.scroll_offset.y + y - 1
        if index >= len(self.rows):
            if index < self.total_hint:
                return Strip([Segment(fit("  载入中…", width), BASE)], width)
            if not self.rows and y == 1:
                return Strip([Segment(fit("  " + self.empty_text, width), BASE)], width)
            return Strip.blank(width, BASE)
        row = self.rows[index]
        base = CURSOR if index == self.cursor and self.has_focus else (
            Style(bgcolor="#303030", bold=True) if index == self.cursor else (ODD if index % 2 else BASE)
        )
        base = BASE + base
        texts = self._cell_texts(row)
        marked = row.case_id in self.marked
        segments = [Segment("✓ " if marked else "  ", base + MARKED if marked else base)]
        state = countdown_state(row)
        for column, col_width in self._widths():
            text = fit(texts[column.key], col_width)
            style = base
            if column.key == "countdown" and index != self.cursor:
                style = base + STATE_STYLES[state]
            elif column.key == "countdown":
                style = base + Style(bold=True, underline=state in ("overdue", "today"))
            elif column.key == "last_followup" and row.stale and index != self.cursor:
                style = base + STALE
            segments.append(Segment(text, style))
            segments.append(Segment(" ", base))
        return Strip(segments, width).crop(0, width).extend_cell_length(width, base)

    def _header(self, width: int) -> Strip:
        order, reverse = self.order
        segments = [Segment("◂ " if self.column_page else "  ", HEADER)]  # ◂: ← shows earlier columns
        for column, col_width in self._widths():
            label = column.label
            if column.key == order or (order == "deadline" and column.key == "countdown"):
                label += " ↓" if reverse else " ↑"
            segments.append(Segment(fit(label, col_width), HEADER))
            segments.append(Segment(" ", HEADER))
        return Strip(segments, width).crop(0, width).extend_cell_length(width, HEADER)
