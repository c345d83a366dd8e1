"""The case screen: every field, the milestones with countdowns, the timeline newest first."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from store import queries
from store.models import RESULT_CLASS_NAMES
from store.queries import CaseCard
from tui.messages import LedgerUpdated
from tui.screens.acting import ActingMixin
from tui.text import visible

STATE_STYLE = {
    "已逾期": "bold $text-error",
    "今日到期": "bold $text-warning",
    "未到期": "$text-success",
    "按时完成": "$text-muted",
    "逾期完成": "$text-warning",
}


def _date(value) -> str:
    return f"{value:%Y-%m-%d}" if value else "—"


def field_lines(card: CaseCard) -> list[tuple[str, str]]:
    flags = [name for name, on_ in (("局领导领办", card.leader_led), ("重点", card.is_key), ("难点", card.is_difficult),
                                    ("热点", card.is_hot)) if on_]
    proposer = card.lead_proposer
    if card.proposer_group:
        proposer += f"（{card.proposer_group}）"
    reply = "—"
    if card.replied_on:
        reply = f"{_date(card.replied_on)}　{card.reply_doc_no}　{card.result_class}类"
        if card.result_class in RESULT_CLASS_NAMES:
            reply += f"（{RESULT_CLASS_NAMES[card.result_class]}）"
    return [
        ("届次", card.session),
        ("编号", f"第{card.number}号　{card.kind}"),
        ("领衔", proposer),
        ("单位职务", card.proposer_unit or "—"),
        ("联系电话", card.masked_phone or "—"),
        ("附议/联名", "、".join(card.cosigners) or "—"),
        ("办理方式", card.role),
        ("主办单位", card.lead_unit or "—"),
        ("会办/汇办单位", "、".join(card.co_units) or "—"),
        ("交办日期", _date(card.assigned_on)),
        ("承办处室", card.division or "未分派"),
        ("责任人", (card.owner or "—") + (f"（{card.post}）" if card.post else "")),
        ("分管领导", card.leader or "—"),
        ("标记", "、".join(flags) or "—"),
        ("状态", card.status + ("　滞后" if card.stale else "")),
        ("答复期限", _date(card.reply_due) + (f"（已延期，原期限按规定计算）" if card.extended_due else "")),
        ("答复", reply),
        ("代表评价", f"{card.evaluation}（{_date(card.evaluated_on)}）" if card.evaluation else "—"),
        ("公开", f"{card.disclosure}（{_date(card.disclosed_on)}）" if card.disclosure else "—"),
        ("催办", f"{card.urge_count}次" if card.urge_count else "—"),
        ("最近跟进", _date(card.last_followup_on)),
        ("下次跟进", _date(card.next_followup_on)),
    ]


AFTER_LABELS = {
    "status": "状态→",
    "reply_doc_no": "文号 ",
    "result_class": "类别 ",
    "evaluation": "评价 ",
    "disclosure": "",
    "extended_due": "答复期限延至 ",
    "review_due": "下次回头看 ",
}
"""What an event changed that the timeline names (from the event's `after`)."""


def timeline_text(card: CaseCard) -> Content:
    parts: list = []
    for entry in card.timeline:
        head = f"{entry.local_time}　{entry.operator}　{entry.kind}"
        details = []
        if entry.method or entry.stage:
            details.append("·".join(x for x in (entry.stage, entry.method) if x))
        if entry.level:
            details.append(f"{entry.level} {entry.target_division}")
        if entry.respond_by:
            details.append(f"反馈期限 {entry.respond_by:%Y-%m-%d}")
        after = (entry.data or {}).get("after", {})
        for key, label in AFTER_LABELS.items():
            if after.get(key):
                details.append(f"{label}{after[key]}")
        if entry.on_date and entry.kind not in ("催办",):
            details.append(f"日期 {entry.on_date:%Y-%m-%d}")
        if entry.next_followup_on and entry.kind != "催办":
            details.append(f"下次跟进 {entry.next_followup_on:%Y-%m-%d}")
        style = "strike $text-muted" if entry.undone_by else ""
        parts.append((visible(head), f"bold {style}".strip()))
        if entry.undone_by:
            parts.append(("　（已撤销）", "$text-warning"))
        if details:
            parts.append((visible("　" + "，".join(details)), style))
        parts.append("\n")
        if entry.note:
            parts.append((visible(entry.note, single_line=False), style))
            parts.append("\n")
        parts.append("\n")
    return Content.assemble(*parts) if parts else Content("（暂无记录）")


class CaseScreen(ActingMixin, Screen):
    """One case, drilled into from the ledger; esc returns to the same row."""

    CSS_PATH = "case.tcss"
    BINDINGS = [
        Binding("escape", "back", "返回", id="case.back", tooltip="返回台账（同一行、筛选和排序）"),
        Binding("f", "follow_up", "跟进", id="case.follow_up", tooltip="记录一次查办、询办、沟通或备注"),
        Binding("u", "urge", "催办", id="case.urge", tooltip="催办负责该件的处室"),
        Binding("z", "undo", "撤销", id="case.undo", tooltip="撤销您在该件上的最近一次操作（记为新的撤销记录）"),
    ]

    def __init__(self, case_id: int) -> None:
        super().__init__()
        self.case_id = case_id
        self.card: CaseCard | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(Content("正在载入…"), id="case-title")
        with Horizontal(id="case-body"):
            with VerticalScroll(id="case-fields"):
                yield Static(id="fields")
                yield Static(Content("期限"), classes="section")
                yield Static(id="milestones")
            with Vertical(id="case-timeline"):
                yield Static(Content("跟进记录（最新在前）"), classes="section")
                with VerticalScroll(id="timeline-scroll"):
                    yield Static(id="timeline")
        yield Footer()

    def on_mount(self) -> None:
        self.load()

    def current_case(self):
        return self.card

    @work(exclusive=True, group="card")
    async def load(self) -> None:
        try:
            card = await self.app.gateway.call(queries.case_card, self.case_id, today=self.app.ledger.today)
        except Exception as exc:  # noqa: BLE001 - shown to the user
            self.app.say(str(exc), error=True, title="无法读取该件")
            return
        if not self.is_attached:  # closed while the store answered
            return
        if card is None:
            self.app.say("找不到该件。", error=True)
            return
        self.card = card
        try:
            self.show(card)
        except NoMatches:  # the screen is being torn down
            pass

    def show(self, card: CaseCard) -> None:
        self.sub_title = f"第{card.number}号"
        self.query_one("#case-title", Static).update(
            Content.assemble((f"第{card.number}号　", "bold"), (visible(card.title), "bold"),
                             (f"　{card.status}", "$text-accent"))
        )
        lines: list = []
        for name, value in field_lines(card):
            lines.append((name + "　" * max(6 - len(name), 0), "$text-muted"))
            lines.append(("  " + visible(value) + "\n", ""))
        if card.summary:
            lines.append(("内容摘要\n", "$text-muted"))
            lines.append((visible(card.summary, single_line=False) + "\n", ""))
        self.query_one("#fields", Static).update(Content.assemble(*lines))
        milestone_parts: list = []
        for m in card.milestones:
            milestone_parts.append((f"{m.label}".ljust(5, "　"), "bold"))
            milestone_parts.append((f" {m.due:%Y-%m-%d}  ", ""))
            milestone_parts.append((m.countdown, STATE_STYLE.get(m.state, "")))
            if m.done_on:
                milestone_parts.append((f"（{m.done_on:%Y-%m-%d}）", "$text-muted"))
            if m.working_days:
                milestone_parts.append(("　按工作日计", "$text-muted"))
            if m.warning:
                milestone_parts.append((f"\n  ⚠ {m.warning}", "$text-warning"))
            milestone_parts.append("\n")
        self.query_one("#milestones", Static).update(Content.assemble(*milestone_parts) if milestone_parts
                                                     else Content("—"))
        self.query_one("#timeline", Static).update(timeline_text(card))

    @on(LedgerUpdated)
    def ledger_updated(self, message: LedgerUpdated) -> None:
        if message.case_ids is None or self.case_id in message.case_ids:
            self.load()

    def action_back(self) -> None:
        self.app.pop_screen()
