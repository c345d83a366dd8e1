"""Statistics (统计, `s`): one session's figures, each division's load, and the year's summary.

Counts by role, status, result class (A–D with shares) and evaluation history (first and
latest 评价, what became of each 不满意, forms not yet back: 评价未返回); the on-time sign-for,
reply and re-handling figures as of the ledger's day (截至), each rate with its numerator and
denominator and the cases not yet due apart; the contact rate (面商率, over the 主办/承办/分办
cases), contacts by method and stage, replies with no contact; a text bar chart of each division's open and
overdue cases (bars drawn in █ and ░ with the numbers beside them, never colour alone); the
year on year (同比) with the previous session of the same body (`store.session_compare`); and
the whole summary of `duban report summary --full` (工作总结, 四部分), shown as the `Letter` the
store drafts (`store.io.summary_full`; for 全部届次 its 基本情况 only) — the screen renders it and
keeps no rule. `c` copies the summary, `ctrl+s` saves it as text to 文档/督办台;
`current_letter()` hands the Letter to whatever writes another form of it. `[` `]` move to
another session (or 全部届次). All reading is off the UI thread.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.widgets import Header, Static

from store import queries
from store.errors import LedgerError
from store.figures import as_of, percent
from store.form_figures import form_figure_lines
from store.io.files import save_text
from store.io.letter import PARAGRAPH, TABLE, Letter, date_text, letter_text
from store.io.notice import notice_filename_part
from store.io.summary import summary_paragraph
from store.io.summary_full import summary_filename_part, summary_letter
from store.models import (
    CONTACT_METHODS,
    CONTACT_STAGES,
    EVALUATIONS,
    RESULT_CLASS_NAMES,
)
from store.queries import DivisionLoad
from store.session_compare import Comparison, compare, no_previous_sentence
from store.statistics import SessionStatistics, session_statistics
from store.statistics_keeper import StatisticsKeeper
from tui.messages import LedgerUpdated
from tui.screens.notice import notice_folder
from tui.text import fit, paragraphs, plain, visible
from tui.widgets.footer import DeskFooter

BAR_WIDTH = 48
ROLES = ("主办", "承办", "分办", "汇办")


@dataclass(frozen=True)
class StatisticsView:
    """What the screen shows, read in one trip to the store thread."""

    stats: SessionStatistics
    loads: tuple[DivisionLoad, ...]
    paragraph: str  # 基本情况, as `duban report summary` writes it
    letter: Letter  # the whole summary (工作总结)
    comparison: Comparison | None = None  # 同比; None: no earlier session of the body (or 全部届次)

    @property
    def text(self) -> str:
        """The whole summary as plain text (what `c` copies and `ctrl+s` saves)."""
        return letter_text(self.letter)


def read_statistics(session_id: int | None, today, keeper=None) -> StatisticsView:
    """The session's figures, the division board, the summary and the 同比 (store thread). Every
    session's figures come from `keeper` (the desk's `StatisticsKeeper`, kept up to date as the
    ledger changes); without one, a keeper is built for this one read."""
    if keeper is None or not keeper.generation:  # none, or its build failed: count afresh for this read
        keeper = StatisticsKeeper().build()
    stats = session_statistics(session_id, today=today, keeper=keeper)
    loads = tuple(queries.division_board(today=today, session_id=session_id))
    return StatisticsView(stats, loads, summary_paragraph(stats), summary_letter(session_id, today=today, keeper=keeper),
                          compare(session_id, today=today, keeper=keeper) if session_id is not None else None)


def comparison_lines(comparison: Comparison | None, all_sessions: bool = False) -> list[str]:
    """The 同比 as aligned plain lines: figure, this session, the previous one, the change."""
    if all_sessions:
        return ["全部届次不作同比；按 ] 选择一个届次。"]
    if comparison is None:
        return [no_previous_sentence()]
    head = (f"{fit('', 12)} {fit(f'{comparison.year}年 {visible(comparison.session)}', 30)} "
            f"{fit(f'{comparison.previous_year}年 {visible(comparison.previous)}', 30)} 增减")
    return [head] + [f"{fit(row.label, 12)} {fit(row.this.text, 30)} {fit(row.previous.text, 30)} {row.change_text}"
                     for row in comparison.rows]


def letter_lines(letter: Letter) -> str:
    """The letter as the screen shows it: its parts in order, paragraphs indented (plain text)."""
    lines = [letter.title, ""]
    if letter.to:
        lines += [f"{letter.to}：", ""]
    for block in letter.body:
        if block.kind == TABLE:
            lines += ["　".join(row) for row in block.rows]
        else:
            lines.append(f"　　{block.text}" if block.kind == PARAGRAPH else block.text)
    lines += ["", *(piece for piece in (letter.signer, date_text(letter.date)) if piece)]
    if letter.drafting_notes:
        lines += ["", *(f"※ {note}" for note in letter.drafting_notes)]
    return "\n".join(lines)


def figure_lines(stats: SessionStatistics) -> list[str]:
    """The figures as plain lines (shown as Content, never markup), each rate with its parts."""
    from store.vocabulary import words

    said = words(stats.body)
    roles = "　".join(f"{said.role(role)} {stats.by_role.get(role, 0)}" for role in ROLES)
    statuses = "　".join(f"{name} {count}" for name, count in sorted(stats.by_status.items(), key=lambda kv: -kv[1]))
    replied = stats.replies_to_disclose
    classes = "　".join(
        f"{key}类 {stats.by_class.get(key, 0)}（{percent(stats.by_class.get(key, 0), replied)}）"
        for key in ("A", "B", "C", "D")
    )
    latest = "　".join(f"{name} {stats.by_evaluation.get(name, 0)}" for name in EVALUATIONS)
    first = "　".join(f"{name} {stats.first_by_evaluation.get(name, 0)}" for name in EVALUATIONS)
    methods = "　".join(f"{name} {stats.contacts_by_method.get(name, 0)}次" for name in CONTACT_METHODS)
    stages = "　".join(f"{name} {stats.contacts_by_stage.get(name, 0)}次" for name in CONTACT_STAGES)
    outcomes = "　".join(f"{name} {stats.after_rehandling.get(name, 0)}"
                         for name in ("满意", "基本满意", "待再次评价", "重新办理中"))
    lines = [
        f"接收　{stats.received}件　　{roles}",
        f"状态　{statuses or '—'}",
        f"按时签收率　{percent(stats.signed_on_time, stats.sign_denominator)}（按时签收{stats.signed_on_time}件 / "
        f"已签收{stats.signed}件＋逾期未签收{stats.sign_overdue}件；逾期签收{stats.signed - stats.signed_on_time}件）"
        f"　另有{stats.sign_pending}件未到签收期限",
        f"按时答复率　{percent(stats.answered_on_time, stats.answer_denominator)}（按时答复{stats.answered_on_time}件 / "
        f"已答复{stats.answered}件＋逾期未答复{stats.answer_overdue}件，含{said.opinion}；"
        f"逾期答复{stats.answered - stats.answered_on_time}件）　另有{stats.answer_pending}件未到答复期限",
    ]
    if stats.extension_late:
        lines.append(f"　　延期在原期限后办理{stats.extension_late}件：其答复按原答复期限计算")
    lines += [
        f"重新办理　{stats.rehandle_rounds}件次：按时重新答复{stats.rehandle_on_time}　逾期重新答复{stats.rehandle_late}"
        f"　逾期未重新答复{stats.rehandle_overdue}　未到期{stats.rehandle_pending}",
        f"面商率　{percent(stats.face_to_face, stats.answering)}（面对面沟通{stats.face_to_face}件 / "
        f"本局答复的主办、承办、分办{stats.answering}件）；沟通联系{stats.contacted}件",
        f"沟通方式　{methods}",
        f"沟通阶段　{stages}",
        f"已答复未沟通　{stats.replied_without_contact}件（主办、承办、分办已答复而没有沟通联系记录）",
        f"答复类别　已答复{replied}件：{classes}",
        *[f"　　{key}类：{name}" for key, name in RESULT_CLASS_NAMES.items()],
        f"评价　需评价{stats.needing_evaluation}件，已收到{stats.evaluations_received}件；最近一次评价：{latest}",
        f"　　初次评价：{first}；曾评价不满意{stats.ever_dissatisfied}件，其后：{outcomes}",
        f"评价未返回（待评价）　{stats.awaiting_evaluation}件，其中评价逾期未返回{stats.awaiting_evaluation_overdue}件",
        f"办理环节已逾期　{stats.overdue_open}件（不含待评价）",
    ]
    return lines + form_figure_lines(stats)


def load_chart(loads: tuple[DivisionLoad, ...] | list[DivisionLoad], width: int = BAR_WIDTH) -> list[str]:
    """One line a division: name, a bar (█ overdue, ░ open and not overdue), the numbers."""
    if not loads:
        return ["没有在办的件。"]
    most = max((load.open_cases for load in loads), default=0) or 1
    lines = []
    for load in loads:
        overdue = min(load.overdue, load.open_cases)
        full = round(load.open_cases * width / most)
        dark = round(overdue * width / most) if overdue else 0
        if overdue and not dark:
            dark = 1
        full = max(full, dark, 1 if load.open_cases else 0)
        bar = "█" * dark + "░" * (full - dark)
        name = fit(visible(load.division) or "未分派", 16)
        lines.append(f"{name} {fit(bar, width)} 在办{load.open_cases:>4}　逾期{load.overdue:>4}")
    return lines


class StatisticsScreen(Screen):
    """One session's figures, its 同比 and its whole summary, copied or saved with one key."""

    CSS_PATH = "statistics.tcss"
    BINDINGS = [
        Binding("escape", "back", "返回", id="stats.back", tooltip="返回台账"),
        Binding("c", "copy", "复制总结", id="stats.copy", tooltip="复制工作总结（四部分）到剪贴板（终端 OSC 52）"),
        Binding("ctrl+s", "save", "保存总结", id="stats.save", tooltip="把工作总结保存为文本文件（文档/督办台）"),
        Binding("ctrl+d", "save_word", "保存Word", show=False, id="stats.save_word",
                tooltip="把工作总结保存为 Word 文件（.docx，文档/督办台）"),
        Binding("right_square_bracket", "session(1)", "下一届次", key_display="]", id="stats.next_session",
                tooltip="看下一个届次（或全部届次）"),
        Binding("left_square_bracket", "session(-1)", "上一届次", key_display="[", show=False,
                id="stats.prev_session", tooltip="看上一个届次"),
    ]

    def __init__(self, session: str | None = None, folder: Path | None = None) -> None:
        super().__init__()
        self.session = session  # a session's name; None: all sessions
        self.folder = folder
        self.view: StatisticsView | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="stats-scroll"):
            yield Static("", id="stats-title")
            yield Static("正在统计……", id="stats-figures")
            yield Static("各处室在办件（█ 逾期　░ 在办未逾期）", classes="stats-section")
            yield Static("", id="stats-chart")
            yield Static("同比（与同一机关的上一届次，截至同一日）", classes="stats-section")
            yield Static("", id="stats-compare")
            yield Static("工作总结（c 复制，ctrl+s 保存为文件）", classes="stats-section")
            yield Static("", id="stats-summary")
        yield DeskFooter()

    def on_mount(self) -> None:
        self.query_one("#stats-scroll").focus()
        self.load()

    @property
    def session_label(self) -> str:
        return visible(self.session) if self.session else "全部届次"

    def _session_id(self) -> int | None:
        return next((s.id for s in self.app.ledger.sessions if s.name == self.session), None)

    @work(exclusive=True, group="statistics")
    async def load(self) -> None:
        self.sub_title = f"统计　{self.session_label}"
        try:
            keeper = await self.app.ledger.statistics_keeper_soon()  # the desk's, not one of its own
            view = await self.app.gateway.report(read_statistics, self._session_id(), self.app.ledger.today, keeper)
        except LedgerError as exc:
            self.app.say(exc.message, error=True, title="无法统计")
            return
        if not self.is_attached:
            return
        try:
            self.show(view)
        except NoMatches:
            pass

    def show(self, view: StatisticsView) -> None:
        self.view = view
        day = f"　{as_of(view.stats.today)}" if view.stats.today else ""
        self.query_one("#stats-title", Static).update(plain(f"统计　{view.stats.session}{day}"))
        self.query_one("#stats-figures", Static).update(plain("\n".join(figure_lines(view.stats)), single_line=False))
        self.query_one("#stats-chart", Static).update(plain("\n".join(load_chart(view.loads)), single_line=False))
        self.query_one("#stats-compare", Static).update(
            plain("\n".join(comparison_lines(view.comparison, self.session is None)), single_line=False))
        self.query_one("#stats-summary", Static).update(paragraphs(letter_lines(view.letter)))

    def current_letter(self) -> Letter | None:
        """The summary shown now, as the store drafted it (None while it is being counted)."""
        return self.view.letter if self.view is not None else None

    @on(LedgerUpdated)
    def ledger_updated(self) -> None:
        self.load()

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_session(self, step: int) -> None:
        names: list[str | None] = [None] + [s.name for s in self.app.ledger.sessions]
        index = names.index(self.session) if self.session in names else 0
        self.session = names[(index + step) % len(names)]
        self.load()

    def action_copy(self) -> None:
        if self.view is None:
            self.app.say("仍在统计，稍后再复制。")
            return
        self.app.copy_to_clipboard(visible(self.view.text, single_line=False))
        self.app.say("工作总结已复制到剪贴板（如终端不支持 OSC 52，请用 ctrl+s 保存为文件）。")

    async def action_save(self) -> None:
        if self.view is None:
            self.app.say("仍在统计，稍后再保存。")
            return
        folder = self.folder or notice_folder()
        try:
            path = await self.app.gateway.report(_save, self.view, folder, self.app.ledger.today)
        except LedgerError as exc:
            self.app.say(exc.message, error=True, title="未保存")
            return
        self.app.say(f"已保存：{path}")

    async def action_save_word(self) -> None:
        letter = self.current_letter()
        if letter is None:
            self.app.say("仍在统计，稍后再保存。")
            return
        folder = self.folder or notice_folder()
        try:
            path = await self.app.gateway.report(_save_word, self.view, folder, self.app.ledger.today)
        except LedgerError as exc:
            self.app.say(exc.message, error=True, title="未保存")
            return
        self.app.say(f"已保存Word文件：{path}")


def _save_word(view: StatisticsView, folder: Path, today) -> Path:
    """The summary shown (`view.letter`) as a .docx beside the .txt, under the same kind of name."""
    from store.io.docx_letter import save_docx

    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise LedgerError(f"无法创建文件夹“{folder}”：{exc.strerror or exc}。") from None
    stem = f"{summary_filename_part(view.letter)}-{notice_filename_part(view.stats.session) or '全部届次'}-{today:%Y%m%d}"
    for n in range(1, 1000):
        path = folder / (f"{stem}.docx" if n == 1 else f"{stem}-{n}.docx")
        if not path.exists():
            return save_docx(view.letter, path)
    raise LedgerError(f"“{folder}”中同名的工作总结已太多，请另选文件夹。")


def _save(view: StatisticsView, folder: Path, today) -> Path:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise LedgerError(f"无法创建文件夹“{folder}”：{exc.strerror or exc}。") from None
    stem = f"{summary_filename_part(view.letter)}-{notice_filename_part(view.stats.session) or '全部届次'}-{today:%Y%m%d}"
    return save_text(view.text, folder, stem, what="工作总结")
