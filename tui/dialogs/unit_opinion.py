"""单位意见: a co-unit's opinion received on a 主办 case, or another unit's own reply on a 分办 case.

On a 主办 case the bureau collects each 会办/汇办 unit's opinion before it replies
(`store.actions.record_unit_opinion`); on a 分办 case each unit answers its own part, and the
same key notes another unit's separate reply — its number, date and summary
(`record_split_reply`; the case screen picks the store function by the case's role).
The units still out come first in the list; every expected unit may be chosen.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Select

from store.co_units import UnitState
from store.queries import CaseCard
from store.vocabulary import words
from tui.dialogs.base import Submit
from tui.dialogs.form import StepDialog
from tui.text import SafeInput, SafeTextArea, visible

SPLIT = "分办"


def unit_choices(units: tuple[UnitState, ...] | list[UnitState]) -> list[tuple[Text, str]]:
    """Select options: the units still out first (in the assigned order), then those already in,
    each with where it stands (市公安局　待报送)."""
    ordered = [u for u in units if u.received_on is None] + [u for u in units if u.received_on is not None]
    return [(Text(visible(f"{u.name}　{u.state}")), u.name) for u in ordered]


def first_out(units) -> str | None:
    """The first unit whose opinion (or reply) is not in yet: the dialog's default."""
    return next((u.name for u in units if u.received_on is None), None)


class UnitOpinionDialog(StepDialog):
    """i: a co-unit's opinion (主办: unit, date, summary) or another unit's reply (分办: also its number)."""

    FIRST = "summary"
    DEFAULT_CLASSES = "unit-opinion"
    ERROR_FIELDS = (("文号", "doc_no"), ("日期", "on"), ("摘要", "summary"), ("单位", "unit"))

    def __init__(self, card: CaseCard, *, submit: Submit) -> None:
        self.split = card.role == SPLIT
        self.said = words(card.session_body)
        heading = "登记分办单位答复" if self.split else f"登记{self.said.co_units}意见"
        super().__init__(card, submit=submit, heading=heading)

    def compose(self) -> ComposeResult:
        card = self.card
        default = first_out(card.units)
        unit = Select(unit_choices(card.units), prompt="选择单位", id="unit",
                      value=default if default is not None else Select.NULL)
        facts = [card.units_progress]
        if not self.split:
            due = next((u.due for u in card.units if u.due is not None), None)
            facts.append(f"意见期限 {due:%Y-%m-%d}" if due else "")
        if self.split:
            yield self.frame(
                self.facts(*facts, "分办件由各单位分别答复；这里登记其他单位的答复，本局答复按 r。"),
                self.row(self.cell("答复单位", unit, classes="wide"), self.date_cell("答复日期")),
                self.cell("答复文号", SafeInput(placeholder="该单位的答复文号（可不填）", id="doc_no")),
                self.cell("答复摘要", SafeTextArea(id="summary", soft_wrap=True)),
            )
        else:
            yield self.frame(
                self.facts(*facts),
                self.row(self.cell(self.said.co_units, unit, classes="wide"), self.date_cell("收到日期")),
                self.cell("意见摘要", SafeTextArea(id="summary", soft_wrap=True)),
            )

    def collect(self):
        if self.split:
            return {"unit": self.choice("unit", "答复单位"), "on": self.day("on", "答复日期"),
                    "doc_no": self.text("doc_no", "答复文号").strip(), "summary": self.text("summary", "答复摘要")}
        return {"unit": self.choice("unit", self.said.co_units), "on": self.day("on", "收到日期"),
                "summary": self.text("summary", "意见摘要", required=True)}
