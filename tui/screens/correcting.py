"""修改 and 更正 on the case screen: `m` corrects the case's own fields, `M` puts right a
wrongly entered reply or evaluation. Each saves as one event through `store.entry`, with
the version the user saw (a case changed elsewhere meanwhile is refused, fields kept).
"""

from __future__ import annotations

from typing import Any

from textual.binding import Binding

from store import entry, queries
from store.errors import LedgerError, VersionConflict
from tui.dialogs.correct_case import CorrectCaseDialog
from tui.dialogs.correction import EVALUATION, CorrectionDialog, correctable
from tui.screens.stepping import CONFLICT_AGAIN


def correction_bindings(prefix: str) -> list[Binding]:
    return [
        Binding("m", "correct_case", "修改", id=f"{prefix}.correct_case",
                tooltip="修改该件的编号、标题、领衔人、附议、办理方式、单位或交办日期（记为一条修改记录，含改前改后）"),
        Binding("M", "correct_entry", "更正", show=False, id=f"{prefix}.correct_entry",
                tooltip="更正录错的答复（文号、类别、日期）或代表评价：写明理由，记为一条更正记录"),
    ]


class CorrectingMixin:
    """`m` and `M` on the case the screen shows (`self.card`)."""

    def _corrector(self, card, pick_function):
        seen = {"version": card.version}

        async def submit(values: dict[str, Any]):
            values = dict(values)
            function = pick_function(values)
            try:
                result = await self.app.gateway.call(function, self.app.operator, card.id,
                                                     expected_version=seen["version"], **values)
            except VersionConflict as exc:
                fresh = await self.app.gateway.call(queries.case_card, card.id)
                if fresh is not None:
                    seen["version"] = fresh.version
                raise LedgerError(f"{exc.message}\n{CONFLICT_AGAIN}") from exc
            self.app.say(result.message)
            await self.app.after_write()
            return result

        return submit

    def action_correct_case(self) -> None:
        card = self.card
        if card is None:
            return
        self.app.push_screen(CorrectCaseDialog(card, submit=self._corrector(card, lambda _values: entry.correct_case)))

    def action_correct_entry(self) -> None:
        card = self.card
        if card is None:
            return
        if not correctable(card):
            what = "汇办件没有本局的答复和评价" if card.role == "汇办" else "还没有登记答复或评价"
            self.app.say(f"第{card.number}号{what}，没有可更正的内容。", error=True, title="无可更正")
            return

        def pick(values: dict[str, Any]):
            return entry.correct_evaluation if values.pop("what") == EVALUATION else entry.correct_reply

        self.app.push_screen(CorrectionDialog(card, submit=self._corrector(card, pick)))
