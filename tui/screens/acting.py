"""The two keys the office uses most, shared by the ledger and the case screen: f and u."""

from __future__ import annotations

from typing import Any

from store import actions, queries
from store.errors import LedgerError
from tui.dialogs.follow_up import FollowUpDialog
from tui.dialogs.urge import UrgeDialog


class ActingMixin:
    """`f` logs a follow-up and `u` urges, on the case the screen points at.

    A screen using it provides `current_case()`, returning an object with `case_id`,
    `number` and `title` (a LedgerRow or a CaseCard), or None.
    """

    def current_case(self) -> Any:
        raise NotImplementedError

    async def write(self, fn, case_id: int, values: dict[str, Any]):
        """Run one store action off the UI thread; tell the user; refresh at once."""
        result = await self.app.gateway.call(fn, case_id, self.app.operator, **values)
        self.app.say(result.message)
        await self.app.after_write()
        return result

    def _target(self):
        case = self.current_case()
        if case is None:
            self.app.say("请先选中一件。", error=True, title="没有选中的件")
        return case

    def action_follow_up(self) -> None:
        case = self._target()
        if case is None:
            return

        async def submit(values: dict[str, Any]):
            return await self.write(actions.log_follow_up, case.case_id if hasattr(case, "case_id") else case.id,
                                    values)

        self.app.push_screen(FollowUpDialog(heading="记录跟进", case_text=f"第{case.number}号 {case.title}",
                                            submit=submit))

    async def action_urge(self) -> None:
        case = self._target()
        if case is None:
            return
        case_id = case.case_id if hasattr(case, "case_id") else case.id
        try:
            proposal = await self.app.gateway.call(queries.urge_proposal, case_id)
        except LedgerError as exc:
            self.app.say(exc.message, error=True)
            return
        if proposal is None:
            self.app.say("找不到该件，可能已被其他工作站更改。", error=True)
            return
        if proposal.division_id is None:
            self.app.say(f"{proposal.label}尚未分派处室，无法催办。请先分派。", error=True, title="无法催办")
            return

        async def submit(values: dict[str, Any]):
            # An urge appends; it overwrites nothing, so it carries no version check.
            return await self.write(actions.urge_division, case_id, values)

        self.app.push_screen(UrgeDialog(proposal, submit=submit))
