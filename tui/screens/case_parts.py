"""The case screen's sections below the milestones: the co-units, the evaluation form, 典型案例.

- 会办单位 (汇办单位 on a 人大 case; 分办单位 on a 分办 case): each unit with where it stands
  (`store.co_units.UnitState.state`: 已收到 / 逾期收到 / 逾期未报 / 待报送, or 已答复 / 未答复),
  its due date, when it came in, how often it was chased, its 会签, and its opinion (or reply)
  cut short; the progress (会办意见 2/3), the reason for replying before every opinion was in;
  on a 分办 case the bureau's own part (本局承办部分) first.
- 征询意见表: sent (date, how, who holds it: 持表人), due back, chased, 待收回 / 已收回 (`FormView.state`),
  and the two answers, 办理工作 and 办理结果.
- 典型案例, when the case is marked, with its note.

Every figure and state comes from the card (`store.queries.CaseCard`); stored text is shown
through `tui.text.visible()`, never as markup. A section with nothing to say is not shown.
"""

from __future__ import annotations

import datetime as dt

from textual.app import ComposeResult
from textual.content import Content
from textual.widgets import Static

from store.queries import CaseCard
from store.vocabulary import words
from tui.text import paragraphs, visible

SPLIT = "分办"

UNIT_STATE_STYLE = {
    "已收到": "$text-success",
    "已答复": "$text-success",
    "逾期收到": "$text-warning",
    "逾期未报": "bold $text-error",
    "待报送": "",
    "未答复": "",
}
FORM_STATE_STYLE = {"已收回": "$text-success", "待收回": "", "待收回（已过收回期限）": "bold $text-warning"}

SECTIONS = ("units", "form", "typical")
"""The sections' ids, in the order they are shown (each a title `#<id>-title` and a body `#<id>`)."""


def _date(value: dt.date | None) -> str:
    return f"{value:%Y-%m-%d}" if value else "—"


def short(text: str, limit: int = 36) -> str:
    """A summary as the section shows it: one line, long ones cut with …"""
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


def units_title(card: CaseCard) -> str:
    """汇办单位 / 会办单位 (分办单位 on a 分办 case), with the progress: 会办单位　会办意见 2/3."""
    name = "分办单位" if card.role == SPLIT else words(card.session_body).co_units
    return f"{name}　{card.units_progress}".strip()


def units_content(card: CaseCard) -> Content | None:
    """Each co-unit with where it stands (None: the case expects no unit and has no own part)."""
    parts: list = []
    if card.role == SPLIT:
        parts += [("本局承办部分　", "$text-muted"), (visible(card.own_part, single_line=False) or "—", ""), "\n"]
    for unit in card.units:
        parts.append((visible(unit.name), "bold"))
        parts.append(("　", ""))
        parts.append((unit.state, UNIT_STATE_STYLE.get(unit.state, "")))
        facts = []
        if unit.due:
            facts.append(f"期限 {_date(unit.due)}")
        if unit.received_on:
            facts.append(f"{'答复' if unit.role == SPLIT else '收到'} {_date(unit.received_on)}")
        if unit.doc_no:
            facts.append(visible(unit.doc_no))
        if unit.urged:
            facts.append(f"催办{unit.urged}次" + (f"（最近 {_date(unit.last_urged_on)}）" if unit.last_urged_on else ""))
        if unit.signed_off_on:
            facts.append(f"会签 {_date(unit.signed_off_on)}")
        if facts:
            parts.append(("　" + "，".join(facts), "$text-muted"))
        parts.append("\n")
        if unit.summary:
            parts.append(("  " + visible(short(unit.summary)) + "\n", ""))
    if card.reply_early_reason:
        parts += [("提前答复理由　", "$text-warning"), (visible(card.reply_early_reason, single_line=False), ""), "\n"]
    if not parts:
        return None
    return Content.assemble(*parts)


def form_content(card: CaseCard, today: dt.date) -> Content | None:
    """The evaluation form: sent, due back, chased, state, and the two answers (None: nothing yet)."""
    form = card.form
    parts: list = []
    if form is not None:
        sent = f"{_date(form.sent_on)}　{visible(form.how)}" + (f"　持表人 {visible(form.holder)}" if form.holder else "")
        parts += [("送出　", "$text-muted"), (sent, ""), "\n"]
        due = _date(form.due) + (f"　已催收{form.urged}次" if form.urged else "")
        parts += [("收回期限　", "$text-muted"), (due, ""), "\n"]
        state = form.state(today)
        parts += [("状态　", "$text-muted"), (state, FORM_STATE_STYLE.get(state, ""))]
        if form.returned_on:
            parts.append((f"（{_date(form.returned_on)}）", "$text-muted"))
        parts.append("\n")
    elif "form_send" in card.steps and card.steps["form_send"] is None:  # the store says it can go out now
        parts += [("未送出", "$text-muted"), ("（按 j 登记送出）\n", "$text-muted")]
    if card.evaluation_work or (form is not None and card.evaluation):
        answers = visible(f"办理工作 {card.evaluation_work or '—'}　办理结果 {card.evaluation or '—'}")
        parts += [("评价　", "$text-muted"), (answers, "bold"), "\n"]
    return Content.assemble(*parts) if parts else None


def typical_content(card: CaseCard) -> Content | None:
    """已标为典型案例, with its note (None: not marked)."""
    if not card.is_typical:
        return None
    parts: list = [("已标为典型案例", "bold $text-accent")]
    if card.typical_note:
        parts.append(("　" + visible(card.typical_note, single_line=False), ""))
    return Content.assemble(*parts)


def compose_parts() -> ComposeResult:
    """The sections' widgets, hidden until `show_parts` fills them."""
    for name in SECTIONS:
        title = Static(Content(""), id=f"{name}-title", classes="section")
        body = Static(id=name)
        title.display = body.display = False
        yield title
        yield body


def show_parts(screen, card: CaseCard, today: dt.date) -> None:
    """Fill each section from the card; a section with nothing to say is hidden."""
    bodies = {
        "units": (units_title(card), units_content(card)),
        "form": ("征询意见表", form_content(card, today)),
        "typical": ("典型案例", typical_content(card)),
    }
    for name, (title, body) in bodies.items():
        title_widget = screen.query_one(f"#{name}-title", Static)
        body_widget = screen.query_one(f"#{name}", Static)
        title_widget.display = body_widget.display = body is not None
        if body is not None:
            title_widget.update(Content(visible(title)))
            body_widget.update(paragraphs(body))
