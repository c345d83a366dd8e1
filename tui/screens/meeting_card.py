"""The meeting card (会上查件, `:`): one case's facts in large lines a supervisor can read out.

Status; who is responsible (承办处室, 责任人, 分管领导); the next deadline and how far off;
the last contact with the proposer (the latest 沟通 not undone); the reply with its class and
what the class means; the proposer's evaluation. `enter` opens the full case, `esc` goes back.
The card is read off the UI thread; stored text is shown as plain Content, never markup.
"""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.widgets import Header, Static

from store import queries
from store.errors import LedgerError
from store.models import RESULT_CLASS_NAMES
from store.queries import CaseCard, MilestoneView, TimelineEntry
from store.vocabulary import role_label, words
from tui.widgets.footer import DeskFooter
from tui.messages import LedgerUpdated
from tui.text import paragraphs, plain


def _date(value) -> str:
    return f"{value:%Y-%m-%d}" if value else "—"


def next_deadline(card: CaseCard) -> MilestoneView | None:
    """The earliest milestone not yet done."""
    open_ones = [m for m in card.milestones if m.done_on is None]
    return min(open_ones, key=lambda m: m.due) if open_ones else None


def last_contact(card: CaseCard) -> TimelineEntry | None:
    """The latest 沟通 with the proposer that was not undone (the timeline is newest first)."""
    return next((e for e in card.timeline if e.kind == "沟通" and e.undone_by is None), None)


def card_facts(card: CaseCard) -> list[tuple[str, str]]:
    """The card's lines, label and value, in reading order (plain text, shown never as markup)."""
    responsible = "　".join([
        f"承办处室 {card.division or '未分派'}",
        f"责任人 {card.owner or '—'}" + (f"（{card.post}）" if card.post else ""),
        f"分管领导 {card.leader or '—'}" + ("（局领导领办）" if card.leader_led else ""),
    ])
    milestone = next_deadline(card)
    if milestone is None:
        deadline = "没有未完成的期限" + (f"（{_date(card.closed_on)} 办结）" if card.closed_on else "")
    else:
        deadline = f"{milestone.label} {_date(milestone.due)}　{milestone.countdown}"
    contact = last_contact(card)
    if contact is None:
        contacted = "尚无沟通记录"
    else:
        day = contact.on_date or contact.at.date()
        contacted = "　".join(x for x in (_date(day), "·".join(y for y in (contact.stage, contact.method) if y),
                                           contact.note) if x)
    said = words(card.session_body)  # 会办意见, 委员评价 on a 政协 case
    if card.role == "汇办":
        reply = (f"{said.opinion} {_date(card.opinion_sent_on)} 报送主办单位" if card.opinion_sent_on
                 else f"{said.opinion}未报送")
        evaluation = f"{said.contributing_case}由主办单位征求评价"
    else:
        if card.replied_on:
            reply = f"{_date(card.replied_on)}　{card.reply_doc_no or '无文号'}　{card.result_class or '?'}类"
            if card.result_class in RESULT_CLASS_NAMES:
                reply += f"：{RESULT_CLASS_NAMES[card.result_class]}"
        else:
            reply = "尚未答复" + (f"（答复期限 {_date(card.extended_due or card.reply_due)}）" if card.reply_due else "")
        evaluation = f"{card.evaluation}（{_date(card.evaluated_on)}）" if card.evaluation else (
            "待评价" if card.replied_on else "—")
    status = card.status + ("　滞后" if card.stale else "") + (f"　催办{card.urge_count}次" if card.urge_count else "")
    return [
        ("状态", status),
        ("负责", responsible),
        ("下一期限", deadline),
        ("最近沟通", contacted),
        ("答复", reply),
        ("评价", evaluation),
    ]


class MeetingCardScreen(Screen):
    """One case, read out in a meeting; `enter` for the whole case."""

    CSS_PATH = "meeting_card.tcss"
    BINDINGS = [
        Binding("escape", "back", "返回", id="card.back", tooltip="返回"),
        Binding("enter", "open_case", "打开该件", id="card.open", tooltip="打开该件的完整案件页"),
    ]

    def __init__(self, case_id: int) -> None:
        super().__init__()
        self.case_id = case_id
        self.card: CaseCard | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("正在读取……", id="meeting-heading")
        yield Static("", id="meeting-title")
        yield VerticalScroll(id="meeting-facts")
        yield DeskFooter()

    def on_mount(self) -> None:
        self.sub_title = "会上查件"
        self.load()

    @work(exclusive=True, group="meeting-card")
    async def load(self) -> None:
        try:
            card = await self.app.gateway.call(queries.case_card, self.case_id, today=self.app.ledger.today)
        except LedgerError as exc:
            self.app.say(exc.message, error=True, title="无法读取该件")
            return
        if not self.is_attached:
            return
        if card is None:
            self.app.say("找不到该件，可能已被其他工作站更改。", error=True)
            return
        try:
            await self.show(card)
        except NoMatches:
            pass

    async def show(self, card: CaseCard) -> None:
        self.card = card
        proposer = card.lead_proposer + (f"（{card.proposer_group}）" if card.proposer_group else "")
        self.query_one("#meeting-heading", Static).update(
            plain(f"第{card.number}号　{card.kind}　{role_label(card.role, card.session_body)}　{proposer}　{card.session}"))
        self.query_one("#meeting-title", Static).update(paragraphs(card.title))
        facts = self.query_one("#meeting-facts", VerticalScroll)
        await facts.remove_children()
        rows = []
        for label, value in card_facts(card):
            rows.append(Horizontal(Static(Content(label), classes="fact-label"),
                                   Static(paragraphs(value), classes="fact-value"), classes="fact"))
        await facts.mount_all(rows)

    @on(LedgerUpdated)
    def ledger_updated(self, message: LedgerUpdated) -> None:
        if message.case_ids is None or self.case_id in message.case_ids:
            self.load()

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_open_case(self) -> None:
        self.app.open_case(self.case_id)

