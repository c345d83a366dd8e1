"""分派: to a division (处室), a post (岗位) and a person (责任人), with the supervising leader
(分管局领导), 局领导领办 and the 重点/难点/热点 flags.

The pickers list the ledger's current divisions and staff (retired ones are left out),
read by the caller off the UI thread. A person missing from the list is added in place
(`ctrl+n`): the person form saves through the `add_person` coroutine the caller gives, and
the new person is put into the 责任人 picker, selected. Names are stored text: they are
shown as `Text`, never read as markup.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Checkbox, Input, Select

from store.queries import CaseCard, DivisionInfo, PersonInfo
from tui.dialogs.base import Submit, save_hint
from tui.dialogs.form import StepDialog
from tui.dialogs.person_form import PersonFormDialog
from tui.text import SafeInput, visible

FLAGS = (("leader_led", "局领导领办"), ("is_key", "重点"), ("is_difficult", "难点"), ("is_hot", "热点"))
LEADER_WORDS = ("局长", "局领导", "领导")

AddPerson = Callable[[dict[str, Any]], Awaitable[tuple[int, list[PersonInfo]]]]
"""Saves a new person from the person form's values; returns (their id, the current staff)."""


def person_label(person: PersonInfo) -> Text:
    """周敏　数据资源处·经办人"""
    where = "·".join(part for part in (person.division, person.title or person.post) if part)
    return Text(visible(person.name) + (f"　{visible(where)}" if where else ""))


class AssignDialog(StepDialog):
    """p: assign the case inside the bureau."""

    HEADING = "分派"
    FIRST = "division"
    DEFAULT_CLASSES = "assign"
    ERROR_FIELDS = (("处室", "division"), ("责任人", "owner"), ("分管领导", "leader"), ("岗位", "post"))
    BINDINGS = [Binding("ctrl+n", "add_person", "新增人员", id="assign.add_person",
                        tooltip="名单中没有要找的人：就地新增一名人员，并选为责任人")]

    def __init__(self, card: CaseCard, divisions: list[DivisionInfo], people: list[PersonInfo], *,
                 submit: Submit, add_person: AddPerson | None = None) -> None:
        super().__init__(card, submit=submit, heading="重新分派" if card.division else "分派")
        self.divisions = divisions
        self.people = people
        self.add_person = add_person

    def hint(self) -> str:
        extra = "　ctrl+n 新增人员" if self.add_person is not None else ""
        return save_hint(extra=extra)

    @staticmethod
    def _leaders_first(people: list[PersonInfo]) -> list[PersonInfo]:
        return sorted(people, key=lambda p: not any(w in p.title for w in LEADER_WORDS))

    def _current(self, name: str, division: str = "") -> int | None:
        """The id of the person the card names (the card carries names, not ids)."""
        if not name:
            return None
        matches = [p for p in self.people if p.name == name]
        preferred = [p for p in matches if p.division == division] or matches
        return preferred[0].id if preferred else None

    def compose(self) -> ComposeResult:
        card = self.card
        division_id = card.division_id if any(d.id == card.division_id for d in self.divisions) else None
        leaders = self._leaders_first(self.people)
        owner = self._current(card.owner, card.division)
        leader = self._current(card.leader)
        yield self.frame(
            self.facts(f"现状：{card.division or '未分派'}" + (f"　责任人 {card.owner}" if card.owner else "")
                       + (f"　分管领导 {card.leader}" if card.leader else "")),
            self.row(
                self.cell("承办处室", Select([(Text(visible(d.name)), d.id) for d in self.divisions], prompt="选择处室",
                                         value=division_id if division_id is not None else Select.NULL, id="division")),
                self.cell("责任人", Select([(person_label(p), p.id) for p in self.people], prompt="（暂不指定）",
                                        value=owner if owner is not None else Select.NULL, id="owner")),
            ),
            self.row(
                self.cell("岗位", SafeInput(value=card.post or "", placeholder="例如 建议提案办理岗", id="post")),
                self.cell("分管局领导", Select([(person_label(p), p.id) for p in leaders], prompt="（暂不指定）",
                                          value=leader if leader is not None else Select.NULL, id="leader")),
            ),
            self.row(*(Checkbox(label, value=getattr(card, name), id=name) for name, label in FLAGS), id="flags"),
            self.cell("备注（可不填）", SafeInput(id="note")),
        )

    def on_select_changed(self, event: Select.Changed) -> None:
        """Choosing a person fills in their post and, if none is chosen yet, their division."""
        if event.select.id != "owner" or event.select.is_blank():
            return
        person = next((p for p in self.people if p.id == event.value), None)
        if person is None:
            return
        post = self.query_one("#post", Input)
        if not post.value.strip() and person.post:
            post.value = person.post
        division = self.query_one("#division", Select)
        if division.is_blank() and person.division_id is not None:
            division.value = person.division_id

    def action_add_person(self) -> None:
        """ctrl+n: the person form, in the division chosen here; the new person becomes 责任人."""
        if self.add_person is None:
            return
        division = self.query_one("#division", Select)
        chosen = None if division.is_blank() else division.value

        async def submit(values: dict[str, Any]) -> int:
            new_id, people = await self.add_person(values)
            self.people = people
            owner, leader = self.query_one("#owner", Select), self.query_one("#leader", Select)
            kept_leader = None if leader.is_blank() else leader.value
            owner.set_options([(person_label(p), p.id) for p in people])
            leader.set_options([(person_label(p), p.id) for p in self._leaders_first(people)])
            if kept_leader is not None and any(p.id == kept_leader for p in people):
                leader.value = kept_leader
            owner.value = new_id
            owner.focus()
            return new_id

        self.app.push_screen(PersonFormDialog(self.divisions, submit=submit, division_id=chosen,
                                              heading="新增人员（分派）"))

    def collect(self):
        owner = self.query_one("#owner", Select)
        leader = self.query_one("#leader", Select)
        return {
            "division": self.choice("division", "承办处室"),
            "owner": None if owner.is_blank() else owner.value,
            "post": self.text("post", "岗位"),  # the field holds the stored text itself
            "leader": None if leader.is_blank() else leader.value,
            **{name: self.query_one(f"#{name}", Checkbox).value for name, _ in FLAGS},
            "note": self.text("note", "备注"),
        }
