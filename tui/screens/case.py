"""The case screen: every field, the milestones with countdowns, the timeline newest first.

Every step of the case's life is a key here (see `tui.screens.stepping`), beside `f` 跟进,
`u` 催办, `z` 撤销, `m` 修改 and `M` 更正 (see `tui.screens.correcting`), `d` 文书 (the case's
征询意见表 or 单位催办函 saved as .txt and .docx). The footer fits the
case from the store's answer on its card (`CaseCard.steps`): a step not possible now is
dimmed (催办 before 分派 too), and its key says why. The timeline is
the audit trail: each entry names who and when (a 修改 or 更正 names each field before → after),
and `l` / `o` narrow it to one kind of event or one operator (`L` shows everything again).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.widgets import Static

from store import queries
from store.models import EVENT_KINDS, RESULT_CLASS_NAMES
from store.queries import CaseCard, TimelineEntry
from store.vocabulary import milestone_label, words
from tui.widgets.footer import DeskFooter
from tui.messages import LedgerUpdated
from tui.screens import case_parts
from tui.screens.acting import ActingMixin
from tui.screens.correcting import CorrectingMixin, correction_bindings
from tui.screens.stepping import StepsMixin, step_bindings
from tui.text import paragraphs, visible

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
    """The case's fields as label and value, in the words of its body (会办意见, 委员评价 on a 提案)."""
    said = words(card.session_body)
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
        ("办理方式", said.role(card.role)),
        ("主办单位", card.lead_unit or "—"),
        (said.co_units, "、".join(card.co_units) or "—"),
        ("交办日期", _date(card.assigned_on)),
        ("承办处室", card.division or "未分派"),
        ("责任人", (card.owner or "—") + (f"（{card.post}）" if card.post else "")),
        ("分管领导", card.leader or "—"),
        ("标记", "、".join(flags) or "—"),
        ("状态", card.status + ("　滞后" if card.stale else "")),
        ("签收日期", _date(card.signed_on)),
        *([(said.opinion, f"{_date(card.opinion_sent_on)} 报送" if card.opinion_sent_on else "未报送")]
          if card.role == "汇办" else [
            ("答复期限", _date(card.reply_due) + ("（已延期）" if card.extended_due else "")),
            ("答复", reply),
            *([("沟通", "已答复未沟通（没有沟通联系记录）")] if card.replied_without_contact else []),
            (said.evaluation, f"{card.evaluation}（{_date(card.evaluated_on)}）" if card.evaluation else "—"),
            ("公开", f"{card.disclosure}（{_date(card.disclosed_on)}）" if card.disclosure else "—"),
            ("回头看", f"下次 {_date(card.review_due)}" if card.review_due else "—"),
        ]),
        ("办结日期", _date(card.closed_on)),
        ("催办", f"{card.urge_count}次" if card.urge_count else "—"),
        ("最近跟进", _date(card.last_followup_on)),
        ("下次跟进", _date(card.next_followup_on)),
    ]


AFTER_LABELS = {
    "status": "状态→",
    "reply_doc_no": "文号 ",
    "result_class": "类别 ",
    "reply_signed_by": "签发 ",
    "evaluation": "评价 ",
    "disclosure": "",
    "extended_due": "答复期限延至 ",
    "review_due": "下次回头看 ",
    "evaluation_work": "办理工作 ",
    "form_sent_how": "送出方式 ",
    "form_holder": "持表人 ",
    "form_due": "收回期限 ",
    "reply_early_reason": "提前答复理由 ",
}
"""What an event changed that the timeline names (from the event's `after`)."""

ASSIGNED_LABELS = (("division", "处室", "divisions"), ("owner", "责任人", "people"), ("leader", "分管领导", "people"))
"""A 分派's choices, stored as ids, named from the ledger's lists."""
FLAG_LABELS = (("leader_led", "局领导领办"), ("is_key", "重点"), ("is_difficult", "难点"), ("is_hot", "热点"))


@dataclass(frozen=True)
class Names:
    """Division and staff names by id, for the events that record ids (分派 and its undo)."""

    divisions: dict[int, str] = field(default_factory=dict)
    people: dict[int, str] = field(default_factory=dict)


def card_and_names(case_id: int, today) -> tuple[CaseCard | None, Names]:
    """The case card and the names its events refer to (run on the store thread)."""
    card = queries.case_card(case_id, today=today)
    return card, Names({d.id: d.name for d in queries.divisions(include_retired=True)},
                       {p.id: p.name for p in queries.people(include_retired=True)})


EXTRA_LABELS = {"participants": "参加人员 ", "approval": "批准 ", "late_reason": "逾期后补办延期，理由 ",
                "undone_kind": "撤销的是 ", "corrects": "更正的是 "}
"""What else an event recorded that the timeline names (from the event's `data`)."""


def entry_details(entry: TimelineEntry, names: Names | None = None, body: str = "") -> list[str]:
    """The short facts after an entry's head: stage and method, level, what it changed, dates."""
    names = names or Names()
    details = []
    data = entry.data or {}
    if data.get("unit"):  # 单位意见, 单位催办, 分办答复: the outside unit it is about
        details.append(str(data["unit"]))
    if entry.method or entry.stage:
        details.append("·".join(x for x in (entry.stage, entry.method) if x))
    if entry.level:
        details.append(f"{entry.level} {entry.target_division}")
    if entry.respond_by:
        details.append(f"反馈期限 {entry.respond_by:%Y-%m-%d}")
    changes = entry.changes
    for name, before, after_text in changes:
        details.append(f"{name} {_short(before)}→{_short(after_text)}")
    after = {} if changes else data.get("after", {})
    for key, label in AFTER_LABELS.items():
        if after.get(key):
            details.append(f"{label}{after[key]}")
    for key, label, which in ASSIGNED_LABELS:
        if after.get(key) is not None:
            details.append(f"{label} {getattr(names, which).get(after[key], '（已删除）')}")
    if after.get("post"):
        details.append(f"岗位 {after['post']}")
    flags = [label for key, label in FLAG_LABELS if after.get(key)]
    if flags:
        details.append("标记 " + "、".join(flags))
    for key, label in EXTRA_LABELS.items():
        if data.get(key):
            details.append(f"{label}{milestone_label(data[key], body) if key == 'undone_kind' else data[key]}")
    if entry.on_date and entry.kind not in ("催办",):
        details.append(f"日期 {entry.on_date:%Y-%m-%d}")
    if entry.next_followup_on and entry.kind != "催办":
        details.append(f"下次跟进 {entry.next_followup_on:%Y-%m-%d}")
    return details


def _short(text: str, limit: int = 40) -> str:
    """A changed value as the timeline line shows it: long titles cut with …"""
    return text if len(text) <= limit else text[:limit - 1] + "…"


def filtered(entries, kind: str | None = None, operator: str | None = None) -> list[TimelineEntry]:
    """The entries of one kind and/or by one operator (None: any)."""
    return [e for e in entries if (kind is None or e.kind == kind) and (operator is None or e.operator == operator)]


def timeline_kinds(card: CaseCard) -> list[str]:
    """The kinds of event on the case, in the order of a case's life."""
    present = {e.kind for e in card.timeline}
    order = {kind: i for i, kind in enumerate(EVENT_KINDS)}
    return sorted(present, key=lambda k: (order.get(k, len(order)), k))


def timeline_operators(card: CaseCard) -> list[str]:
    """Everyone who recorded something on the case, by name."""
    return sorted({e.operator for e in card.timeline})


def timeline_text(card: CaseCard, kind: str | None = None, operator: str | None = None,
                  names: Names | None = None) -> Content:
    parts: list = []
    for entry in filtered(card.timeline, kind, operator):
        login = f"（账号 {entry.db_user}）" if entry.db_user else ""  # a shared PostgreSQL ledger
        head = f"{entry.local_time}　{entry.operator}{login}　{milestone_label(entry.kind, card.session_body)}"
        details = entry_details(entry, names, card.session_body)
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
    if parts:
        return Content.assemble(*parts)
    return Content("（没有符合筛选的记录）" if kind or operator else "（暂无记录）")


def filter_words(card: CaseCard, kind: str | None, operator: str | None) -> str:
    """The timeline filter in words: 类型：答复　操作人：全部　显示 2/15 条."""
    shown = len(filtered(card.timeline, kind, operator))
    text = f"类型：{milestone_label(kind, card.session_body) if kind else '全部'}（l）　操作人：{operator or '全部'}（o）"
    if kind or operator:
        return text + f"　显示 {shown}/{len(card.timeline)} 条（L 显示全部）"
    return text + f"　共 {len(card.timeline)} 条"


class CaseScreen(StepsMixin, CorrectingMixin, ActingMixin, Screen):
    """One case, drilled into from the ledger; esc returns to the same row."""

    CSS_PATH = "case.tcss"
    BINDINGS = [
        Binding("escape", "back", "返回", id="case.back", tooltip="返回台账（同一行、筛选和排序）"),
        *step_bindings("case"),
        Binding("f", "follow_up", "跟进", id="case.follow_up", tooltip="记录一次查办、询办、沟通或备注"),
        Binding("u", "urge", "催办", id="case.urge", tooltip="催办负责该件的处室"),
        Binding("u", "refused('urge')", "催办", show=False, id="case.urge.refused",
                tooltip="催办负责该件的处室（本件现在不能，按下说明原因）"),
        Binding("z", "undo", "撤销", id="case.undo", tooltip="撤销您在该件上的最近一次操作（记为新的撤销记录）"),
        *correction_bindings("case"),
        Binding("l", "cycle_kind", "按类型", id="case.filter_kind", tooltip="跟进记录只看一种类型（再按换下一种，直到全部）"),
        Binding("o", "cycle_operator", "按操作人", id="case.filter_operator",
                tooltip="跟进记录只看一位操作人的记录（再按换下一位，直到全部）"),
        Binding("L", "clear_filters", "全部记录", show=False, id="case.filter_clear", tooltip="清除跟进记录的筛选"),
        Binding("d", "documents", "文书", show=False, id="case.documents",
                tooltip="保存本件的征询意见表或单位催办函（文本和 Word 文件，文档/督办台）"),
    ]

    def __init__(self, case_id: int, loaded: tuple[CaseCard, Names] | None = None) -> None:
        """`loaded`: the card already read (the screen then draws it in its first frame)."""
        super().__init__()
        self.case_id = case_id
        self.card: CaseCard | None = None
        self.names = Names()
        self._loaded = loaded
        self.kind_filter: str | None = None
        """Show only events of this kind (None: all)."""
        self.operator_filter: str | None = None
        """Show only events recorded by this operator (None: all)."""
        self._timeline = Content("")

    def compose(self) -> ComposeResult:
        # No Header here: its watchers on the app's title outlive a closed screen (a leak per case opened).
        yield Static(Content("正在载入…"), id="case-title")
        with Horizontal(id="case-body"):
            with VerticalScroll(id="case-fields"):
                yield Static(id="fields")
                yield Static(Content("期限"), classes="section")
                yield Static(id="milestones")
                yield from case_parts.compose_parts()
            with Vertical(id="case-timeline"):
                yield Static(Content("跟进记录（最新在前）"), classes="section")
                yield Static(id="timeline-filter")
                with VerticalScroll(id="timeline-scroll"):
                    yield Static(id="timeline")
        yield DeskFooter()

    def on_mount(self) -> None:
        if self._loaded is not None and self._loaded[0] is not None:
            self.card, self.names = self._loaded
            self._loaded = None
            self.show(self.card)
        else:
            self.load()

    def current_case(self):
        return self.card

    def card_for_keys(self) -> CaseCard | None:
        return self.card

    @work(exclusive=True, group="card")
    async def load(self) -> None:
        try:
            card, names = await self.app.gateway.call(card_and_names, self.case_id, self.app.ledger.today)
        except Exception as exc:  # noqa: BLE001 - shown to the user
            self.app.say(str(exc), error=True, title="无法读取该件")
            return
        if not self.is_attached:  # closed while the store answered
            return
        if card is None:
            self.app.say("找不到该件。", error=True)
            return
        self.card, self.names = card, names
        try:
            self.show(card)
        except NoMatches:  # the screen is being torn down
            pass

    def show(self, card: CaseCard) -> None:
        self.sub_title = f"第{card.number}号"
        self.query_one("#case-title", Static).update(paragraphs(
            Content.assemble((visible(f"第{card.number}号　"), "bold"), (visible(card.title), "bold"),
                             (f"　{card.status}", "$text-accent"))
        ))
        lines: list = []
        for name, value in field_lines(card):
            lines.append((name + "　" * max(6 - len(name), 0), "$text-muted"))
            lines.append(("  " + visible(value) + "\n", ""))
        if card.summary:
            lines.append(("内容摘要\n", "$text-muted"))
            lines.append((visible(card.summary, single_line=False) + "\n", ""))
        fields = Content.assemble(*lines)
        self.query_one("#fields", Static).update(paragraphs(fields))
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
        milestones = Content.assemble(*milestone_parts) if milestone_parts else Content("—")
        self.query_one("#milestones", Static).update(milestones)
        case_parts.show_parts(self, card, self.app.ledger.today)
        self.show_timeline()
        self._expect_scrollbar("#case-fields", fields, milestones)
        self._expect_scrollbar("#timeline-scroll", self._timeline)
        self.speak_keys(card.session_body)
        self.refresh_bindings()

    def show_timeline(self) -> None:
        card = self.card
        if card is None:
            return
        self.query_one("#timeline-filter", Static).update(
            Content(visible(filter_words(card, self.kind_filter, self.operator_filter))))
        self._timeline = timeline_text(card, self.kind_filter, self.operator_filter, self.names)
        self.query_one("#timeline", Static).update(paragraphs(self._timeline))

    def _expect_scrollbar(self, pane: str, *contents: Content) -> None:
        """Lay a pane out with its scrollbar from the first when its text has more lines than the
        whole terminal, so it surely will not fit.

        Textual shows a pane's scrollbar only after laying it out once without one, then lays out and
        draws it again, every line re-wrapped one scrollbar narrower, as the case opens. Told
        beforehand, it does it once; where the guess does not hold it corrects it as always.
        """
        lines = sum(content.plain.count("\n") + 1 for content in contents)
        scroll = self.query_one(pane, VerticalScroll)
        if lines >= self.app.size.height and not scroll.show_vertical_scrollbar:
            scroll.show_vertical_scrollbar = True

    @staticmethod
    def _next(options: list[str], current: str | None) -> str | None:
        """The option after `current`, wrapping round through None (all)."""
        cycle: list[str | None] = [None, *options]
        index = cycle.index(current) if current in cycle else 0
        return cycle[(index + 1) % len(cycle)]

    def action_cycle_kind(self) -> None:
        if self.card is not None:
            self.kind_filter = self._next(timeline_kinds(self.card), self.kind_filter)
            self.show_timeline()

    def action_cycle_operator(self) -> None:
        if self.card is not None:
            self.operator_filter = self._next(timeline_operators(self.card), self.operator_filter)
            self.show_timeline()

    def action_clear_filters(self) -> None:
        self.kind_filter = self.operator_filter = None
        self.show_timeline()

    @on(LedgerUpdated)
    def ledger_updated(self, message: LedgerUpdated) -> None:
        if message.case_ids is None or self.case_id in message.case_ids:
            self.load()

    @work(group="documents")
    async def action_documents(self) -> None:
        """文书: pick the 征询意见表 or a co-unit's 单位催办函 and save it as .txt and .docx."""
        from tui.dialogs.documents import open_documents

        if self.card is not None:
            await open_documents(self.app, self.case_id, f"第{self.card.number}号　{self.card.title}")

    def action_back(self) -> None:
        self.app.pop_screen()
