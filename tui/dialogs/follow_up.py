"""跟进: log a 查办, 询办, 沟通 (with method and stage) or 备注, and plan the next follow-up
(the planned one prefilled: kept unless changed or cleared)."""

from __future__ import annotations

import datetime as dt

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Input, Label, Select, TextArea

from store import clock
from store.models import CONTACT_METHODS, CONTACT_STAGES, FOLLOW_UP_KINDS
from tui.dialogs.base import CHECKED, ActionDialog
from tui.widgets.quick_select import QuickSelect
from tui.text import SafeInput, SafeTextArea

KIND_HELP = {
    "查办": "查办：检查办理进度",
    "询办": "询办：向处室询问办理情况",
    "沟通": "沟通：与代表/委员联系",
    "备注": "备注：记下一件事",
}


class FollowUpDialog(ActionDialog):
    """f: one follow-up on a case."""

    DEFAULT_CLASSES = "follow-up"

    def __init__(self, *, heading: str, case_text: str, submit, planned: dt.date | None = None,
                 several: bool = False) -> None:
        """`planned`: the case's planned next follow-up, prefilled (clearing the box clears the
        plan). `several` (marked cases, each with its own plan): an empty box keeps each plan."""
        super().__init__(heading=heading, case_text=case_text, submit=submit)
        self.planned = planned
        self.several = several

    def compose(self) -> ComposeResult:
        label = ("下次跟进日期（留空则各件保留原计划，YYYY-MM-DD）" if self.several
                 else "下次跟进日期（已预填原计划；清空即取消计划，YYYY-MM-DD）" if self.planned
                 else "下次跟进日期（可不填，YYYY-MM-DD）")
        yield self.frame(
            Label("类型"),
            QuickSelect([(KIND_HELP[k], k) for k in FOLLOW_UP_KINDS], value="查办", allow_blank=False, id="kind"),
            Label("内容"),
            SafeTextArea(id="note", soft_wrap=True),
            Label(label),
            SafeInput(value=f"{self.planned:%Y-%m-%d}" if self.planned else "",
                      placeholder="例如 " + f"{clock.today():%Y-%m-%d}", id="next", classes=CHECKED),
        )

    def on_mount(self) -> None:
        self.query_one("#kind", Select).focus()

    def contact_fields(self) -> Horizontal:
        """沟通方式 and 阶段, beneath the type: made the first time 沟通 is chosen (a dialog for
        a 查办 need not build two more Selects it never shows), then shown and hidden with it."""
        found = self.query("#contact")
        if found:
            return found.first(Horizontal)
        fields = Horizontal(
            QuickSelect([(m, m) for m in CONTACT_METHODS], prompt="沟通方式", id="method"),
            QuickSelect([(s, s) for s in CONTACT_STAGES], prompt="阶段", id="stage"),
            id="contact",
        )
        kind = self.query_one("#kind", Select)
        kind.parent.mount(fields, after=kind)
        return fields

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()  # enter in the one-line field saves, as in every dialog
        self.run_worker(self.action_save(), exclusive=True, group="save")

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "kind":
            if event.value == "沟通":
                self.contact_fields().display = True
            elif self.query("#contact"):
                self.contact_fields().display = False

    def values(self):
        kind = self.query_one("#kind", Select).value
        note = self.query_one("#note", TextArea).text
        values = {"kind": kind, "note": note, "method": "", "stage": "", "next_followup_on": None}
        if kind == "沟通":
            contact = self.contact_fields()
            for name, what in (("method", "沟通方式"), ("stage", "沟通阶段")):
                widget = contact.query_one(f"#{name}", Select)
                if widget.is_blank():
                    self.show_error(f"请选择{what}。", widget)
                    return None
                values[name] = widget.value
        if kind == "备注" and not note.strip():
            self.show_error("备注不能为空，请填写内容。", self.query_one("#note"))
            return None
        box = self.query_one("#next", Input)
        ok, values["next_followup_on"] = self.planned_date(box, "下次跟进日期")
        if ok and self.several and not box.value.strip():
            del values["next_followup_on"]  # not given: the store keeps each case's plan
        return values if ok else None

    def field_for_error(self, message: str):
        if "日期" in message:
            return self.query_one("#next", Input)
        if "内容" in message:
            return self.query_one("#note")
        return None
