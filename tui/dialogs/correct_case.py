"""修改: correct a case's own fields from the case screen's `m` — one 修改 event.

The form is prefilled from the card with the stored text itself; the fields (`SafeInput`)
draw it through the gate (a control character becomes a stand-in such as ␛). Only the
fields the user changed are sent, and a field left as it was keeps its stored text exactly. The phone is private: it is not prefilled (the placeholder shows
it masked) and is sent only when a new one is typed.
"""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.widgets import Input, Select, Static

from store.entry import split_names
from store.queries import CaseCard
from store.vocabulary import words
from tui.dialogs.base import Submit
from tui.dialogs.form import Invalid
from tui.dialogs.new_case import CaseFormDialog, role_options
from tui.text import plain, SafeInput, SafeTextArea, visible

TEXT_FIELDS = (
    ("number", "编号"), ("title", "标题"), ("summary", "内容摘要"), ("topic", "类别"),
    ("proposer_name", "领衔人姓名"), ("proposer_group", "代表团或界别"), ("proposer_unit_title", "单位及职务"),
    ("lead_unit", "主办单位"),
)
LIST_FIELDS = (("cosigners", "附议/联名"), ("co_units", "会办单位"))


def stored_values(card: CaseCard) -> dict[str, Any]:
    """The card's fields under the names `store.entry.correct_case` takes."""
    return {
        "number": card.number, "kind": card.kind, "title": card.title, "summary": card.summary, "topic": card.topic,
        "proposer_name": card.lead_proposer, "proposer_group": card.proposer_group,
        "proposer_unit_title": card.proposer_unit, "cosigners": list(card.cosigners), "role": card.role,
        "lead_unit": card.lead_unit, "co_units": list(card.co_units), "assigned_on": card.assigned_on,
    }


class CorrectCaseDialog(CaseFormDialog):
    """m: correct the case's number, title, proposer, role, units or 交办 date."""

    DEFAULT_CLASSES = "correct-case"
    CSS_PATH = "new_case.tcss"
    FIRST = "title"

    def __init__(self, card: CaseCard, *, submit: Submit) -> None:
        super().__init__(heading="修改", case_text=f"第{card.number}号 {card.title}", submit=submit)
        self.card = card
        self.stored = stored_values(card)
        # the fields hold the stored text itself (SafeInput draws it through the gate): untouched, it saves as stored
        self.shown = {name: self.stored[name] or "" for name, _ in TEXT_FIELDS}
        self.shown.update({name: "、".join(self.stored[name] or ()) for name, _ in LIST_FIELDS})
        self.shown["assigned_on"] = f"{card.assigned_on:%Y-%m-%d}"

    def compose(self) -> ComposeResult:
        card, shown = self.card, self.shown
        hidden = [label for name, label in TEXT_FIELDS + LIST_FIELDS if self._has_controls(name)]
        note = (f"{'、'.join(hidden)}含有控制字符（显示为 ␛ 等替代符号）：不改动则原样保留。" if hidden else "")

        def box(name: str, **kwargs) -> SafeInput:
            return SafeInput(value=shown[name], id=name, **kwargs)

        yield self.frame(
            Static(plain("只保存改动过的项，记为一条“修改”记录（含改前改后）。交办日期改动后，各期限随之重算。"
                         + ("\n" + note if note else ""), single_line=False), classes="facts"),
            self.row(
                self.cell("编号", box("number")),
                self.cell("类型", Select([("建议", "建议"), ("提案", "提案")], value=card.kind if card.kind in ("建议", "提案")
                                       else Select.NULL, id="kind"), classes="narrow"),
                self.cell("交办日期", box("assigned_on", placeholder="YYYY-MM-DD"), classes="date"),
            ),
            self.cell("标题", box("title")),
            self.cell("内容摘要", SafeTextArea(shown["summary"], id="summary", soft_wrap=True)),
            self.row(
                self.cell("领衔人姓名", box("proposer_name")),
                self.cell(words(card.session_body).proposers_group, box("proposer_group")),
                self.cell("单位及职务", box("proposer_unit_title")),
                self.cell("联系电话", SafeInput(placeholder=visible(f"不改则留空（现为 {card.masked_phone or '空'}）"),
                                        id="proposer_phone")),
            ),
            self.row(
                self.cell("附议/联名（、分隔）", box("cosigners"), classes="wide"),
                self.cell("类别", box("topic")),
            ),
            self.row(
                self.cell("办理方式", Select(role_options(card.session_body), value=card.role, allow_blank=False, id="role"),
                          classes="narrow"),
                self.cell("主办单位", box("lead_unit")),
                self.cell("会办/汇办/分办单位（、分隔）", box("co_units"), classes="wide"),
            ),
            self.cell("修改说明（可不填）", SafeInput(placeholder="例如 核对交办原件", id="note")),
        )

    def _has_controls(self, name: str) -> bool:
        value = self.stored[name]
        values = value if isinstance(value, list) else [value]
        return any(visible(v, single_line=name != "summary") != v for v in values)

    def collect(self) -> dict[str, Any]:
        changed: dict[str, Any] = {}
        for name, _label in TEXT_FIELDS:
            typed = self.value_of(name)
            if typed != self.shown[name]:
                changed[name] = typed
        for name, _label in LIST_FIELDS:
            typed = self.value_of(name)
            if typed != self.shown[name]:
                changed[name] = split_names(typed)
        phone = self.value_of("proposer_phone").strip()
        if phone:
            changed["proposer_phone"] = phone
        kind = self.query_one("#kind", Select)
        if not kind.is_blank() and kind.value != self.stored["kind"]:
            changed["kind"] = kind.value
        role = self.selected("role", "办理方式")
        if role != self.stored["role"]:
            changed["role"] = role
        if self.value_of("assigned_on") != self.shown["assigned_on"]:
            changed["assigned_on"] = self.date_value("assigned_on", "交办日期")
        if not changed:
            self.show_error("没有改动任何一项：改好要修改的内容再按 ctrl+s，或按 esc 关闭。")
            raise Invalid("nothing changed")
        note = self.value_of("note")
        return changed | ({"note": note} if note else {})
