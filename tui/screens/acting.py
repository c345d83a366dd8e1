"""The keys the office uses most, shared by the ledger and the case screen: f, u and z.

On the ledger, `f` and `u` act on every marked row when rows are marked (`space`).
"""

from __future__ import annotations

from typing import Any

from store import actions, queries
from store.errors import LedgerError
from tui.dialogs.confirm import ConfirmDialog
from tui.dialogs.follow_up import FollowUpDialog
from tui.dialogs.urge import UrgeDialog


def _case_id(case) -> int:
    return case.case_id if hasattr(case, "case_id") else case.id


def _names(cases) -> str:
    listed = "、".join(f"第{c.number}号" for c in cases[:12])
    return listed + (f" 等{len(cases)}件" if len(cases) > 12 else f"（共{len(cases)}件）")


class ActingMixin:
    """`f` logs a follow-up, `u` urges, `z` undoes — on the case the screen points at.

    A screen using it provides `current_case()`, returning an object with `case_id` (or
    `id`), `number` and `title` (a LedgerRow or a CaseCard), or None; a screen with marks
    also overrides `marked_cases()` and `clear_marks()`.
    """

    def current_case(self) -> Any:
        raise NotImplementedError

    def marked_cases(self) -> list:
        return []

    def clear_marks(self) -> None:
        pass

    async def write(self, fn, case_id: int, values: dict[str, Any], *, quiet: bool = False):
        """Run one store action off the UI thread; tell the user; refresh at once."""
        result = await self.app.gateway.call(fn, case_id, self.app.operator, **values)
        if not quiet:
            self.app.say(result.message)
            await self.app.after_write()
        return result

    async def write_each(self, fn, work: list[tuple[Any, dict[str, Any]]], done: str) -> int:
        """One action per case (each its own transaction); report what was and was not done."""
        failures: list[str] = []
        count = 0
        for case, values in work:
            try:
                await self.write(fn, _case_id(case), values, quiet=True)
                count += 1
            except LedgerError as exc:
                failures.append(f"第{case.number}号：{exc.message}")
        await self.app.after_write()
        if count == 0 and failures:
            raise LedgerError("没有一件成功。" + "；".join(failures[:5]))
        message = f"{done}{count}件。"
        if failures:
            message += f"未完成{len(failures)}件：" + "；".join(failures[:5])
        self.app.say(message, error=bool(failures), title="部分未完成" if failures else "")
        self.clear_marks()
        return count

    def _target(self):
        case = self.current_case()
        if case is None:
            self.app.say("请先选中一件。", error=True, title="没有选中的件")
        return case

    # -------------------------------------------------------------- follow-up

    async def action_follow_up(self) -> None:
        marked = self.marked_cases()
        if marked:
            async def submit_all(values: dict[str, Any]):
                return await self.write_each(actions.log_follow_up, [(c, values) for c in marked], "已记录跟进")

            self.app.push_screen(FollowUpDialog(heading=f"记录跟进：已标记的{len(marked)}件", case_text=_names(marked),
                                                submit=submit_all, several=True))
            return
        case = self._target()
        if case is None:
            return

        async def submit(values: dict[str, Any]):
            return await self.write(actions.log_follow_up, _case_id(case), values)

        try:
            planned = await self.app.gateway.call(queries.planned_follow_up, _case_id(case))
        except LedgerError as exc:
            self.app.say(exc.message, error=True)
            return
        self.app.push_screen(FollowUpDialog(heading="记录跟进", case_text=f"第{case.number}号 {case.title}",
                                            submit=submit, planned=planned))

    # ------------------------------------------------------------------ urge

    async def action_urge(self) -> None:
        marked = self.marked_cases()
        if marked:
            await self._urge_marked(marked)
            return
        case = self._target()
        if case is None:
            return
        case_id = _case_id(case)
        try:
            proposal = await self.app.gateway.call(queries.urge_proposal, case_id)
        except LedgerError as exc:
            self.app.say(exc.message, error=True)
            return
        if proposal is None:
            self.app.say("找不到该件，可能已被其他工作站更改。", error=True)
            return
        if proposal.refused:
            self.app.say(proposal.refused, error=True, title="无法催办")
            return

        async def submit(values: dict[str, Any]):
            # An urge appends; it overwrites nothing, so it carries no version check.
            return await self.write(actions.urge_division, case_id, values)

        self.app.push_screen(UrgeDialog(proposal, submit=submit))

    async def _urge_marked(self, marked: list) -> None:
        def proposals(ids: list[int]):
            return [queries.urge_proposal(case_id) for case_id in ids]

        try:
            found = await self.app.gateway.call(proposals, [_case_id(c) for c in marked])
        except LedgerError as exc:
            self.app.say(exc.message, error=True)
            return
        ready = [(c, p) for c, p in zip(marked, found) if p is not None and not p.refused]
        skipped = [p.refused if p is not None else f"第{c.number}号已找不到，可能已被其他工作站更改"
                   for c, p in zip(marked, found) if p is None or p.refused]
        if not ready:
            self.app.say("已标记的件都不能催办：" + "；".join(r.rstrip("。") for r in skipped) + "。",
                         error=True, title="无法催办")
            return
        lines = [f"{p.label}　{p.division}　{p.level_name}　请于{p.respond_by:%m月%d日}前反馈" for _, p in ready]
        lines += [f"不催办：{reason}" for reason in skipped]

        async def submit(_values: dict[str, Any]):
            work = [(c, {"level": p.level, "respond_by": p.respond_by, "note": p.note}) for c, p in ready]
            return await self.write_each(actions.urge_division, work, "已催办")

        self.app.push_screen(ConfirmDialog(heading=f"催办已标记的{len(ready)}件", case_text=_names([c for c, _ in ready]),
                                           question="\n".join(lines), submit=submit, confirm_label="催办"))

    # ------------------------------------------------------------------ undo

    async def action_undo(self) -> None:
        case = self._target()
        if case is None:
            return
        case_id = _case_id(case)
        try:
            last = await self.app.gateway.call(queries.last_undoable_event, case_id, self.app.operator)
        except LedgerError as exc:
            self.app.say(exc.message, error=True)
            return
        if last is None:
            self.app.say(f"您在第{case.number}号上没有可以撤销的操作。", title="无可撤销")
            return

        async def submit(_values: dict[str, Any]):
            return await self.write(actions.undo, last.event_id,
                                    {"expected_version": last.case_version})

        question = (f"撤销您于 {last.local_time} 记录的“{last.kind}”？\n"
                    "撤销会在跟进记录中新增一条“撤销”，原记录保留、标为已撤销。")
        self.app.push_screen(ConfirmDialog(heading="撤销", case_text=f"第{case.number}号 {case.title}",
                                           question=question, submit=submit, confirm_label="撤销"))
