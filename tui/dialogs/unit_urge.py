"""单位催办: chase an outside unit whose opinion (主办) or reply (分办) is not in yet.

This is not the 催办 of the bureau's own division (`u`): it counts on the unit
(`UnitState.urged`) and leaves a 单位催办 event with its own notice
(`store.actions.urge_unit`).
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Select

from store.queries import CaseCard
from store.vocabulary import words
from tui.dialogs.base import Submit
from tui.dialogs.form import StepDialog
from tui.dialogs.unit_opinion import first_out, unit_choices
from tui.text import SafeInput


class UnitUrgeDialog(StepDialog):
    """U: one urge to a co-unit — which unit, a note, and the date it should answer by."""

    HEADING = "单位催办"
    FIRST = "note"
    DEFAULT_CLASSES = "unit-urge"
    ERROR_FIELDS = (("期限", "respond_by"), ("说明", "note"), ("单位", "unit"))

    def __init__(self, card: CaseCard, *, submit: Submit) -> None:
        self.said = words(card.session_body)
        super().__init__(card, submit=submit)

    def compose(self) -> ComposeResult:
        card = self.card
        out = [u for u in card.units if u.received_on is None]
        default = first_out(card.units)
        lines = [card.units_progress]
        lines += [f"{u.name}：{u.state}" + (f"，意见期限 {u.due:%Y-%m-%d}" if u.due else "")
                  + (f"，已催办{u.urged}次" if u.urged else "") for u in out]
        yield self.frame(
            self.facts(*lines),
            self.row(
                self.cell("催办单位", Select(unit_choices(out or card.units), prompt="选择单位", id="unit",
                                         value=default if default is not None else Select.NULL), classes="wide"),
                self.date_cell("反馈期限", id="respond_by", value=None, placeholder="可不填，按规则定"),
            ),
            self.cell("催办说明", SafeInput(placeholder=f"例如 请于反馈期限前报送{self.said.opinion}", id="note")),
        )

    def collect(self):
        return {"unit": self.choice("unit", "催办单位"), "note": self.text("note", "催办说明").strip(),
                "respond_by": self.planned("respond_by", "反馈期限")}
