"""新增人员 / 修改人员: name, title (职务), division (处室), post (岗位) and phone.

Used from the office screen (`n`, `e`) and from the 分派 dialog (`ctrl+n`, to add a
missing person in place). Changing the division of someone already in the ledger is a
调动. The pickers list current divisions only; 分管局领导 and 局长 may belong to none.
The store checks everything again; its refusal is shown here with every field kept.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Label, Select

from store.models import PERSON_TITLES
from store.queries import DivisionInfo
from tui.dialogs.base import ActionDialog, Submit, save_hint
from tui.text import SafeInput, visible

NO_DIVISION = -1
"""The division picker's value for 不属任何处室 (局领导)."""


class PersonFormDialog(ActionDialog):
    """Values: {"name", "title", "division_id", "post", "phone", "note"} (division_id None: no division)."""

    DEFAULT_CLASSES = "person-form"
    FIELDS = (("姓名", "name"), ("职务", "title"), ("处室", "division"), ("岗位", "post"), ("电话", "phone"))

    def __init__(self, divisions: list[DivisionInfo], *, submit: Submit, division_id: int | None = None,
                 person=None, heading: str = "") -> None:
        editing = person is not None
        super().__init__(heading=heading or ("修改人员" if editing else "新增人员"),
                         case_text=(f"{person.name}　{person.division or '局领导'}·{person.title}" if editing
                                    else "职务为分管局领导、局长的可以不属任何处室"), submit=submit)
        self.divisions = divisions
        self.person = person
        self.division_id = person.division_id if editing else division_id

    def hint(self) -> str:
        return save_hint()

    def compose(self) -> ComposeResult:
        person = self.person
        options = [(Text(visible(d.name)), d.id) for d in self.divisions]
        if person is not None and person.division_id is not None and not any(d.id == person.division_id
                                                                             for d in self.divisions):
            options.insert(0, (Text(f"{visible(person.division)}（已停用）"), person.division_id))
        options.append((Text("（不属任何处室：局领导）"), NO_DIVISION))
        division = self.division_id if any(value == self.division_id for _, value in options) else Select.NULL
        if person is not None and person.division_id is None:
            division = NO_DIVISION
        title = person.title if person is not None and person.title in PERSON_TITLES else Select.NULL
        yield self.frame(
            Horizontal(
                Vertical(Label("姓名"), SafeInput(value=person.name if person else "", id="name"), classes="cell"),
                Vertical(Label("职务"), Select([(t, t) for t in PERSON_TITLES], prompt="选择职务", value=title,
                                              id="title"), classes="cell"),
                classes="row",
            ),
            Horizontal(
                Vertical(Label("处室"), Select(options, prompt="选择处室", value=division, id="division"), classes="cell"),
                Vertical(Label("岗位（可不填）"), SafeInput(value=person.post if person else "",
                                                    placeholder="例如 建议提案办理岗", id="post"), classes="cell"),
                classes="row",
            ),
            Horizontal(
                Vertical(Label("电话（可不填）"), SafeInput(value=person.phone if person else "", id="phone"),
                         classes="cell"),
                Vertical(Label("说明（可不填，记入变更记录）"), SafeInput(id="note"), classes="cell"),
                classes="row",
            ),
        )

    def on_mount(self) -> None:
        self.query_one("#name", Input).focus()

    def values(self):
        name = self.query_one("#name", Input)
        if not name.value.strip():
            self.show_error("请填写姓名。", name)
            return None
        title = self.query_one("#title", Select)
        if title.is_blank():
            self.show_error("请选择职务。", title)
            return None
        division = self.query_one("#division", Select)
        if division.is_blank():
            self.show_error("请选择处室（局领导可选“不属任何处室”）。", division)
            return None
        return {
            "name": name.value,
            "title": title.value,
            "division_id": None if division.value == NO_DIVISION else division.value,
            "post": self.query_one("#post", Input).value,
            "phone": self.query_one("#phone", Input).value,
            "note": self.query_one("#note", Input).value,
        }

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.run_worker(self.action_save(), exclusive=True, group="save")

    def field_for_error(self, message: str):
        for word, field_id in (("电话", "phone"), ("岗位", "post"), ("职务", "title"), ("处室", "division"),
                               ("姓名", "name"), ("已有", "name")):
            if word in message:
                return self.query_one(f"#{field_id}")
        return None
