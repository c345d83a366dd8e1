"""What the step dialogs (签收 … 办结) share: the case they act on, fields laid out in rows,
and reading them back the way the store will check them.

A step dialog builds its fields with `cell`/`row`/`date_cell` and reads them in `collect`
with `text`, `choice`, `day` and `planned`. Each reader marks the wrong field and stops the
save with a sentence saying what is wrong, so the user fixes it before anything reaches the
store; the store still checks everything and its refusal (a step out of order, a case
changed elsewhere) is shown the same way, on the field it names (`ERROR_FIELDS`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, NoReturn

from textual.containers import Horizontal, Vertical
from textual.widget import Widget
from textual.widgets import Input, Label, Select, Static, TextArea

from store import clock
from store.queries import CaseCard, MilestoneView, TimelineEntry
from tui.dialogs.base import ActionDialog, Submit, save_hint
from tui.text import plain, SafeInput


class Invalid(Exception):
    """A field is wrong; it has been marked and the reason shown."""


class StepDialog(ActionDialog):
    """A form for one step of a case's life; `enter` in a one-line field also saves."""

    HEADING = ""
    FIRST = "on"
    """The id of the field the cursor starts in."""
    ERROR_FIELDS: tuple[tuple[str, str], ...] = (("日期", "on"),)
    """(a word in a store refusal, the id of the field it is about), most specific first."""

    def __init__(self, card: CaseCard, *, submit: Submit, heading: str = "") -> None:
        super().__init__(heading=heading or self.HEADING, case_text=f"第{card.number}号 {card.title}", submit=submit)
        self.card = card

    def hint(self) -> str:
        return save_hint()

    def on_mount(self) -> None:
        self.query_one(f"#{self.FIRST}").focus()

    # ------------------------------------------------------------------ building

    @staticmethod
    def cell(label: str, widget: Widget, *, classes: str = "") -> Vertical:
        """A labelled field."""
        return Vertical(Label(label), widget, classes=f"cell {classes}".strip())

    @staticmethod
    def row(*cells: Widget, id: str | None = None) -> Horizontal:
        """Fields side by side."""
        return Horizontal(*cells, classes="row", id=id)

    def date_cell(self, label: str, *, id: str = "on", value: dt.date | None = None, placeholder: str = "") -> Vertical:
        """A date field (YYYY-MM-DD), today unless `value` says otherwise."""
        text = "" if value is None and placeholder else f"{value or clock.today():%Y-%m-%d}"
        return self.cell(label, SafeInput(value=text, placeholder=placeholder or "YYYY-MM-DD", id=id), classes="date")

    @staticmethod
    def facts(*lines: str, id: str = "facts") -> Static:
        """What the user should know before saving (deadlines, the previous reply …)."""
        return Static(plain("\n".join(line for line in lines if line), single_line=False), id=id, classes="facts")

    def milestone(self, key: str) -> MilestoneView | None:
        return next((m for m in self.card.milestones if m.key == key), None)

    def latest_reply(self) -> TimelineEntry | None:
        """The latest 答复 event still standing (the new reply after 不满意, if any)."""
        return next((e for e in self.card.timeline if e.kind == "答复" and e.undone_by is None), None)

    def reply_line(self) -> str:
        """The latest reply standing: 答复 2026-10-18　深政数函〔2026〕31号　C类."""
        entry = self.latest_reply()
        if entry is None or entry.on_date is None:
            return ""
        after = (entry.data or {}).get("after", {})
        name = "重新答复" if after.get("rehandle_replied_on") else "答复"
        return f"{name} {entry.on_date:%Y-%m-%d}　{after.get('reply_doc_no', '')}　{after.get('result_class', '')}类"

    def deadline_line(self, key: str) -> str:
        """期限 2026-12-02（还剩5天） for one of the case's milestones, or ''."""
        m = self.milestone(key)
        return f"{m.label}期限 {m.due:%Y-%m-%d}（{m.countdown}）" if m else ""

    # ------------------------------------------------------------------- reading

    def values(self) -> dict[str, Any] | None:
        try:
            return self.collect()
        except Invalid:
            return None

    def collect(self) -> dict[str, Any]:
        """The store action's keyword arguments; raise Invalid (via `fail`) on a wrong field."""
        raise NotImplementedError

    def fail(self, message: str, widget: Widget | None = None) -> NoReturn:
        self.show_error(message, widget)
        raise Invalid(message)

    def text(self, id: str, what: str, *, required: bool = False) -> str:
        """An Input's or TextArea's text, as typed."""
        widget = self.query_one(f"#{id}")
        value = widget.text if isinstance(widget, TextArea) else widget.value
        if required and not value.strip():
            self.fail(f"请填写{what}。", widget)
        return value

    def choice(self, id: str, what: str) -> Any:
        """A Select's value; a blank one is refused."""
        widget = self.query_one(f"#{id}", Select)
        if widget.is_blank():
            self.fail(f"请选择{what}。", widget)
        return widget.value

    def _parse(self, widget: Input, what: str) -> dt.date:
        try:
            return clock.parse_date(widget.value)
        except ValueError as exc:
            self.fail(f"{what}：{exc}", widget)

    def day(self, id: str, what: str) -> dt.date:
        """A date something happened: not before 交办, not after today (as the store checks)."""
        widget = self.query_one(f"#{id}", Input)
        value = self._parse(widget, what)
        if value < self.card.assigned_on:
            self.fail(f"{what}{value:%Y-%m-%d}早于交办日期{self.card.assigned_on:%Y-%m-%d}，请检查。", widget)
        if value > clock.today():
            self.fail(f"{what}{value:%Y-%m-%d}晚于今天（{clock.today():%Y-%m-%d}），不能记录未来发生的事。", widget)
        return value

    def planned(self, id: str, what: str) -> dt.date | None:
        """A planned date (next follow-up, next review): optional, today or later."""
        widget = self.query_one(f"#{id}", Input)
        if not widget.value.strip():
            return None
        value = self._parse(widget, what)
        if value < clock.today():
            self.fail(f"{what}{value:%Y-%m-%d}已经过去，请选择今天或以后的日期。", widget)
        return value

    # ------------------------------------------------------------------- saving

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.run_worker(self.action_save(), exclusive=True, group="save")

    def field_for_error(self, message: str) -> Widget | None:
        if "已在别处被修改" in message:  # a conflict is about the whole case, not one field
            return None
        for word, field_id in self.ERROR_FIELDS:
            if word in message:
                found = self.query(f"#{field_id}")
                if found:
                    return found.first()
        return None
