"""The weekly review (每周检查, `w`): the week's checklist, one case at a time.

`n`/`p` step through the list, `space`/`c` marks the current case checked (a 查办 event
naming the week) and moves to the next unchecked one, `f`/`u`/`z` act on it as anywhere,
`enter` opens the whole case, `r` saves the weekly report (Markdown, XLSX and Word). The list is
fixed when the week's review starts, so after a restart it is the same list, resumed at the
first case not yet checked. The list is read as its case ids only (17,000 at 100,000 cases);
each case's reasons are read when it is the current one. Opening reads the review and its current
case in one store call, a check reads the next case with it, and a change to some cases reads
again only what is checked (and the current case if it is one of them).
"""

from __future__ import annotations

from dataclasses import replace

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.widgets import Static

from store import actions, weekly
from store.errors import LedgerError
from store.io import weekly_report
from store.office_calendar import ESTIMATED_NOTE, marked
from store.queries import CaseCard
from tui.widgets.footer import DeskFooter
from tui.messages import LedgerUpdated
from tui.screens.acting import ActingMixin
from tui.screens.case import Names, card_and_names, field_lines, timeline_text
from tui.text import paragraphs, visible


def _item_card_names(case_id: int, today):
    """The review's current case as the checklist shows it now, its card and its names (one store call)."""
    item = weekly.review_item(case_id, today)
    card, names = card_and_names(case_id, today)
    return item, card, names


def _read_case(case_id: int | None, today) -> tuple:
    """(item, card, names, refusal): `_item_card_names`, a LedgerError's sentence kept as the refusal."""
    if case_id is None:
        return None, None, Names(), None
    try:
        return (*_item_card_names(case_id, today), None)
    except LedgerError as exc:
        return None, None, Names(), exc.message


def _review_and_case(week: str, operator: str, today, index: int, resume: bool) -> tuple:
    """The week's review, the index to show (`resume`: the first unchecked) and that case read
    (`_read_case`), in one store call: (review, index, item, card, names, refusal)."""
    review = weekly.open_review(week, operator, today=today, items=False)
    if resume:
        first = review.first_unchecked()
        index = first if first is not None else 0
    index = min(index, max(review.total - 1, 0))
    return (review, index, *_read_case(review.case_ids[index] if review.case_ids else None, today))


def _checks_and_case(week: str, case_id: int | None, today) -> tuple:
    """After cases of the list changed: the week's checked cases again and, when given, one case
    read again (`_read_case`): (checked, item, card, names, refusal)."""
    return (frozenset(weekly.checked_cases(week)), *_read_case(case_id, today))


def _mark_and_read(case_id: int, operator: str, week: str, shown: int, today) -> tuple:
    """Mark `case_id` checked for `week`, then read the case shown next (`shown`, that one or the
    next unchecked) as it stands after the check: (result, (item, card, names, refusal))."""
    result = actions.mark_reviewed(case_id, operator, week=week)
    return result, _read_case(shown, today)


def _report_and_save(week: str, today, folder):
    report = weekly_report.weekly_report(week, today=today)
    return weekly_report.save_report(report, folder)


class WeeklyReviewScreen(ActingMixin, Screen):
    """The week's checklist, stepped through case by case; esc returns to the ledger."""

    CSS_PATH = "weekly.tcss"
    BINDINGS = [
        Binding("escape", "back", "返回", id="weekly.back", tooltip="返回台账（检查进度已保存）"),
        Binding("n", "step(1)", "下一件", id="weekly.next", tooltip="清单中的下一件"),
        Binding("p", "step(-1)", "上一件", id="weekly.previous", tooltip="清单中的上一件"),
        Binding("space", "mark", "已检查", id="weekly.mark", tooltip="标记本件已检查（记一条查办），转到下一件未检查的"),
        Binding("c", "mark", "已检查", show=False, id="weekly.mark_c", tooltip="同 space：标记本件已检查"),
        Binding("f", "follow_up", "跟进", id="weekly.follow_up", tooltip="记录一次查办、询办、沟通或备注"),
        Binding("u", "urge", "催办", id="weekly.urge", tooltip="催办负责该件的处室"),
        Binding("z", "undo", "撤销", id="weekly.undo", tooltip="撤销您在该件上的最近一次操作（记为新的撤销记录）"),
        Binding("enter", "open_case", "打开", id="weekly.open", tooltip="打开本件的完整页面"),
        Binding("r", "report", "周报", id="weekly.report", tooltip="生成本周督办周报（md 文本、xlsx 表格和 Word 文件，保存到 文档/督办台）"),
    ]

    def __init__(self, week: str | None = None) -> None:
        super().__init__()
        self.week = week
        self.review: weekly.Review | None = None
        self.index = 0
        self.item: weekly.ChecklistItem | None = None  # the current case's item, as read with its card
        self.card: CaseCard | None = None
        self.names = Names()

    def compose(self) -> ComposeResult:
        yield Static(Content("每周检查　正在载入…"), id="weekly-title")
        yield Static(Content(""), id="weekly-item")
        with Horizontal(id="weekly-body"):
            with VerticalScroll(id="weekly-fields"):
                yield Static(id="weekly-card")
            with VerticalScroll(id="weekly-timeline"):
                yield Static(id="weekly-events")
        yield DeskFooter()

    def on_mount(self) -> None:
        self.week = self.week or weekly.week_of(self.app.ledger.today)
        self.sub_title = f"每周检查 {self.week}"
        self.load(resume=True)

    # ------------------------------------------------------------------ reading

    @work(exclusive=True, group="weekly")
    async def load(self, resume: bool = False) -> None:
        """Read the week's review (starting it on first open) and its current case, in one store
        call; `resume` (and whenever no review was read yet): go to the first unchecked."""
        index, resume = self.index, resume or self.review is None
        try:
            review, shown, *case = await self.app.gateway.call(
                _review_and_case, self.week, self.app.operator, self.app.ledger.today, index, resume)
        except LedgerError as exc:
            self.app.say(exc.message, error=True, title="无法读取每周检查")
            return
        if not self.is_attached:
            return
        moved = not resume and self.index != index  # stepped while it was read: that case instead
        self.review = review
        self.index = min(self.index, max(review.total - 1, 0)) if moved else shown
        if moved:
            await self._load_card()
            return
        self.card = None
        self._take(review.case_ids[shown] if review.case_ids else None, *case)
        self._show()

    @work(group="weekly-checks")
    async def refresh_checks(self, changed: frozenset[int]) -> None:
        """Cases of the list changed: read what is checked again, and the current case if it changed."""
        case_id = self.current_case_id
        again = case_id if case_id in changed else None
        try:
            checked, *case = await self.app.gateway.call(_checks_and_case, self.week, again, self.app.ledger.today)
        except LedgerError as exc:
            self.app.say(exc.message, error=True, title="无法读取每周检查")
            return
        if not self.is_attached or self.review is None:
            return
        if checked == self.review.checked and again is None:  # as shown already (the desk's own check)
            return
        self.review = replace(self.review, checked=checked)
        if again is not None:
            self._take(again, *case)
        self._show()

    async def _load_card(self) -> None:
        case_id = self.current_case_id
        self.card = None
        self._take(case_id, *await self.app.gateway.call(_read_case, case_id, self.app.ledger.today))
        self._show()

    def _take(self, case_id: int | None, item, card, names, refusal: str | None) -> None:
        """Keep a case as read (if it is still the current one); say why it could not be read."""
        if refusal is not None:
            self.app.say(refusal, error=True, title="无法读取该件")
        if case_id is None or case_id != self.current_case_id:
            return
        if refusal is None:
            self.item, self.card, self.names = item, card, names
        else:
            self.card = None

    def _show(self) -> None:
        if self.is_attached:
            try:
                self.show()
            except NoMatches:
                pass

    @property
    def current_case_id(self) -> int | None:
        review = self.review
        if review is None or not review.case_ids:
            return None
        return review.case_ids[self.index]

    @property
    def current_item(self) -> weekly.ChecklistItem | None:
        """The current case's checklist item, once read (None while it is being read)."""
        item, case_id = self.item, self.current_case_id
        return item if item is not None and case_id is not None and item.case_id == case_id else None

    @property
    def progress_text(self) -> str:
        return self.review.progress if self.review else ""

    def show(self) -> None:
        review = self.review
        if review is None:
            return
        self.query_one("#weekly-title", Static).update(
            Content.assemble((f"每周检查　{review.week}　", "bold"), (review.progress, "bold $text-accent")))
        item = self.current_item
        if item is None:
            empty = not review.case_ids
            self.query_one("#weekly-item", Static).update(Content(
                "本周没有需要检查的件。按 r 生成周报，esc 返回。" if empty else f"{self.index + 1}/{review.total}　正在载入…"))
            self.query_one("#weekly-card", Static).update(Content(""))
            self.query_one("#weekly-events", Static).update(Content(""))
            return
        checked = item.case_id in review.checked
        estimated = (
            [("\n" + f"下一期限 {item.next_milestone} {marked(f'{item.next_due:%Y-%m-%d}', True)}　{ESTIMATED_NOTE}",
              "$text-warning")] if item.estimated and item.next_due else [])
        self.query_one("#weekly-item", Static).update(paragraphs(Content.assemble(
            (f"{self.index + 1}/{review.total}　", "$text-muted"),
            (f"{item.label}　", "bold"), (visible(item.title), "bold"),
            ("　已检查" if checked else "　未检查", "$text-success" if checked else "$text-warning"),
            "\n", ("事由：", "$text-muted"),
            (visible("、".join(item.reasons)), "bold $text-error") if item.reasons
            else ("目前已无待办事由（检查或办理后已解决）", "$text-success"),
            *estimated,
        )))
        card = self.card
        if card is not None:
            lines: list = []
            for name, value in field_lines(card):
                lines.append((name + "　" * max(6 - len(name), 0), "$text-muted"))
                lines.append(("  " + visible(value) + "\n", ""))
            for m in card.milestones:
                lines.append((f"{m.label}".ljust(5, "　"), "bold"))
                lines.append((f" {marked(f'{m.due:%Y-%m-%d}', bool(m.warning))}  {visible(m.countdown)}\n", ""))
            self.query_one("#weekly-card", Static).update(paragraphs(Content.assemble(*lines)))
            self.query_one("#weekly-events", Static).update(paragraphs(timeline_text(card, names=self.names)))

    # ------------------------------------------------------------------ keys

    def current_case(self):
        return self.card or self.current_item

    async def action_step(self, step: int) -> None:
        review = self.review
        if review is None or not review.case_ids:
            return
        self.index = (self.index + step) % review.total
        self.show()
        await self._load_card()

    async def action_mark(self) -> None:
        item, review = self.current_item, self.review
        if item is None or review is None:
            return
        if item.case_id in review.checked:
            self.app.say(f"{item.label}本周已检查。", title="已检查")
            return
        marked = replace(review, checked=review.checked | {item.case_id})
        following = marked.first_unchecked(self.index + 1)
        shown = marked.case_ids[self.index if following is None else following]
        try:  # the check, then the case shown next as it stands after it: one store call
            result, case = await self.app.gateway.call(_mark_and_read, item.case_id, self.app.operator,
                                                       review.week, shown, self.app.ledger.today)
        except LedgerError as exc:
            self.app.say(exc.message, error=True)
            return
        self.app.say(result.message)
        now = self.review or review  # read again meanwhile: that one, with this check
        self.review = marked if now is review else replace(now, checked=now.checked | {item.case_id})
        if following is None:
            self.app.say(f"本周清单已全部检查（{self.review.progress}）。按 r 生成周报。")
        elif self.current_case_id == item.case_id:
            self.index = following
        self.card = None
        self._take(shown, *case)
        self._show()
        await self.app.after_write()

    def action_open_case(self) -> None:
        case_id = self.current_case_id
        if case_id is not None:
            self.app.open_case(case_id)

    @work(group="weekly-report")
    async def action_report(self) -> None:
        from tui.screens.notice import notice_folder

        try:
            markdown, workbook, word = await self.app.gateway.report(_report_and_save, self.week, self.app.ledger.today,
                                                                     notice_folder())
        except LedgerError as exc:
            self.app.say(exc.message, error=True, title="周报未保存")
            return
        self.app.say(f"督办周报已保存：{markdown}、{workbook}、{word}")

    @on(LedgerUpdated)
    def ledger_updated(self, message: LedgerUpdated) -> None:
        """Everything reloaded: the review again. Cases changed: on the list, what is checked (and
        the current case if it is one of them); the list itself is fixed, and no other case's
        change alters a case's reasons."""
        review = self.review
        if message.case_ids is None or review is None:
            self.load()
            return
        changed = review.listed.intersection(message.case_ids)
        if changed:
            self.refresh_checks(changed)

    def action_back(self) -> None:
        self.app.pop_screen()
