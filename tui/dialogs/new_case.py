"""新件: a case entered by hand (纸质交办、闭会期间、补交办) from the ledger's `n`.

The form asks for what a list's row holds: session, number, kind (from the session's body),
title, summary, the lead proposer (name, 代表/委员, delegation or sector, unit, phone),
co-signers and co-units (、-separated), role, lead unit, the date of 交办 and a note. The
store checks it as the importer checks a row (`store.entry.enter_case`); a refusal keeps
the dialog open with every typed value and marks the field it names.

`CaseFormDialog` holds what this form and the 修改 form (`tui.dialogs.correct_case`) share.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widget import Widget
from textual.widgets import Input, Label, Select, TextArea

from store import clock, entry
from store.entry import EntrySession, split_names
from store.errors import LedgerError
from store.models import ROLES
from store.vocabulary import role_label
from tui.dialogs.base import ActionDialog, Submit
from tui.dialogs.form import Invalid
from tui.text import SafeInput, SafeTextArea, visible

ERROR_FIELDS = (
    ("只收", "kind"), ("类型", "kind"), ("届次", "session"), ("编号", "number"), ("标题", "title"),
    ("摘要", "summary"), ("领衔人身份", "proposer_kind"), ("领衔人姓名", "proposer_name"),
    ("代表团", "proposer_group"), ("界别", "proposer_group"), ("单位及职务", "proposer_unit_title"),
    ("电话", "proposer_phone"), ("附议", "cosigners"), ("联名", "cosigners"), ("会办单位", "co_units"),
    ("汇办单位", "co_units"), ("主办单位", "lead_unit"), ("办理方式", "role"),
    ("交办日期", "assigned_on"), ("类别", "topic"), ("备注", "note"),
)
"""(a word in a store refusal, the field it is about), most specific first."""


class CaseFormDialog(ActionDialog):
    """A form over a case's own fields, laid out in rows; `enter` in a one-line field saves."""

    FIRST = "number"

    @staticmethod
    def cell(label: str, widget: Widget, *, classes: str = "") -> Vertical:
        return Vertical(Label(label), widget, classes=f"cell {classes}".strip())

    @staticmethod
    def row(*cells: Widget) -> Horizontal:
        return Horizontal(*cells, classes="row")

    def on_mount(self) -> None:
        self.query_one(f"#{self.FIRST}").focus()

    def value_of(self, id: str) -> str:
        widget = self.query_one(f"#{id}")
        return widget.text if isinstance(widget, TextArea) else widget.value

    def fail(self, message: str, id: str):
        self.show_error(message, self.query_one(f"#{id}"))
        raise Invalid(message)

    def selected(self, id: str, what: str) -> Any:
        widget = self.query_one(f"#{id}", Select)
        if widget.is_blank():
            self.fail(f"请选择{what}。", id)
        return widget.value

    def date_value(self, id: str, what: str) -> dt.date:
        try:
            return clock.parse_date(self.value_of(id))
        except ValueError as exc:
            self.fail(f"{what}：{exc}", id)

    def values(self) -> dict[str, Any] | None:
        try:
            return self.collect()
        except Invalid:
            return None

    def collect(self) -> dict[str, Any]:
        raise NotImplementedError

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.run_worker(self.action_save(), exclusive=True, group="save")

    def field_for_error(self, message: str) -> Widget | None:
        if "已在别处被修改" in message:
            return None
        for word, field_id in ERROR_FIELDS:
            if word in message:
                found = self.query(f"#{field_id}")
                if found:
                    return found.first()
        return None


def role_options(body: str = "") -> list[tuple[str, str]]:
    """The four roles as the session's body names them (会办 for 政协), each stored as the store's value."""
    return [(role_label(role, body), role) for role in ROLES]


class NewCaseDialog(CaseFormDialog):
    """n: enter a case that arrived on paper; it waits to be signed for like any other."""

    DEFAULT_CLASSES = "new-case"
    CSS_PATH = "new_case.tcss"

    def __init__(self, sessions: list[EntrySession], *, session_id: int | None, submit: Submit) -> None:
        super().__init__(heading="录入新件", case_text="纸质交办、闭会期间或补交办的件：按交办清单的规则检查，保存后待签收。",
                         submit=submit)
        self.sessions = {s.id: s for s in sessions}
        self.session_id = session_id if session_id in self.sessions else sessions[0].id
        self._default_date = self._date_for(self.sessions[self.session_id])

    @staticmethod
    def _date_for(session: EntrySession) -> str:
        return f"{session.assigned_on or clock.today():%Y-%m-%d}"

    def compose(self) -> ComposeResult:
        session = self.sessions[self.session_id]
        yield self.frame(
            self.row(
                self.cell("届次", Select([(Text(visible(s.name)), s.id) for s in self.sessions.values()],
                                       value=self.session_id, allow_blank=False, id="session"), classes="wide"),
                self.cell("编号", SafeInput(placeholder="例如 20230489（第…号亦可）", id="number")),
                self.cell("类型", Select([("建议", "建议"), ("提案", "提案")], value=session.kind, allow_blank=False,
                                       id="kind"), classes="narrow"),
                self.cell("交办日期", SafeInput(value=self._default_date, placeholder="YYYY-MM-DD", id="assigned_on"),
                          classes="date"),
            ),
            self.cell("标题", SafeInput(placeholder="例如 关于推进政务数据共享的建议", id="title")),
            self.cell("内容摘要（可不填）", SafeTextArea(id="summary", soft_wrap=True)),
            self.row(
                self.cell("领衔人姓名", SafeInput(id="proposer_name")),
                self.cell("身份", Select([("代表", "代表"), ("委员", "委员")], value=session.proposer_kind,
                                       allow_blank=False, id="proposer_kind"), classes="narrow"),
                self.cell("代表团或界别", SafeInput(placeholder="例如 福田代表团、经济界", id="proposer_group")),
                self.cell("单位及职务", SafeInput(id="proposer_unit_title")),
                self.cell("联系电话", SafeInput(id="proposer_phone")),
            ),
            self.row(
                self.cell("附议/联名（、分隔）", SafeInput(placeholder="例如 李明、赵强", id="cosigners"), classes="wide"),
                self.cell("类别（可不填）", SafeInput(placeholder="例如 数字政府", id="topic")),
            ),
            self.row(
                self.cell("办理方式", Select(role_options(session.body), prompt="选择", id="role"), classes="narrow"),
                self.cell("主办单位", SafeInput(placeholder="主办/承办填本局；汇办填主办单位", id="lead_unit")),
                self.cell("会办/汇办/分办单位（、分隔）", SafeInput(id="co_units"), classes="wide"),
            ),
            self.cell("备注（可不填）", SafeInput(placeholder="例如 闭会期间转来，原件存档", id="note")),
        )

    def on_select_changed(self, event: Select.Changed) -> None:
        """A different session brings its kind, its proposers' kind and (if untouched) its date."""
        if event.select.id != "session" or event.value not in self.sessions:
            return
        session = self.sessions[event.value]
        self.session_id = session.id
        self.query_one("#kind", Select).value = session.kind
        self.query_one("#proposer_kind", Select).value = session.proposer_kind
        roles = self.query_one("#role", Select)
        chosen = roles.value
        roles.set_options(role_options(session.body))  # 会办 on a 政协 session, 汇办 on a 人大 one
        if chosen in ROLES:
            roles.value = chosen
        date_box = self.query_one("#assigned_on", Input)
        if date_box.value == self._default_date:
            date_box.value = self._default_date = self._date_for(session)

    def collect(self) -> dict[str, Any]:
        if not self.value_of("number").strip():
            self.fail("请填写编号。", "number")
        if not self.value_of("title").strip():
            self.fail("请填写标题。", "title")
        if not self.value_of("proposer_name").strip():
            self.fail("请填写领衔人姓名。", "proposer_name")
        role = self.selected("role", "办理方式")
        assigned = self.date_value("assigned_on", "交办日期")
        return {
            "session_id": self.selected("session", "届次"),
            "number": self.value_of("number"),
            "kind": self.selected("kind", "类型"),
            "title": self.value_of("title"),
            "summary": self.value_of("summary"),
            "topic": self.value_of("topic"),
            "proposer_name": self.value_of("proposer_name"),
            "proposer_kind": self.selected("proposer_kind", "领衔人身份"),
            "proposer_group": self.value_of("proposer_group"),
            "proposer_unit_title": self.value_of("proposer_unit_title"),
            "proposer_phone": self.value_of("proposer_phone"),
            "cosigners": split_names(self.value_of("cosigners")),
            "role": role,
            "lead_unit": self.value_of("lead_unit"),
            "co_units": split_names(self.value_of("co_units")),
            "assigned_on": assigned,
            "note": self.value_of("note"),
        }


NO_SESSION = "台账里还没有届次，无法录入新件：请先按 r（届次规则）新建届次，再按 n 录入。"


def open_new_case(screen) -> None:
    """The ledger's `n`: read the sessions off the UI thread, then open the form."""
    screen.run_worker(_open(screen), group="new-case", exclusive=True)


async def _open(screen) -> None:
    app = screen.app
    try:
        sessions = await app.gateway.call(entry.entry_sessions)
    except LedgerError as exc:
        app.say(exc.message, error=True)
        return
    if not sessions:
        app.say(NO_SESSION, error=True, title="没有届次")
        return
    current = next((s.id for s in sessions if s.name == getattr(screen, "session", None)), None)

    async def submit(values: dict[str, Any]):
        result = await app.gateway.call(entry.enter_case, app.operator, **values)
        chosen = next(s.name for s in sessions if s.id == values["session_id"])
        if getattr(screen, "session", None) not in (None, chosen):
            screen.session = chosen  # show the session the new case went into
        app.say(result.message)
        await app.after_write()
        if hasattr(screen, "show_rows"):
            screen.show_rows(keep_case=result.case_id)
        return result

    app.push_screen(NewCaseDialog(sessions, session_id=current, submit=submit))

