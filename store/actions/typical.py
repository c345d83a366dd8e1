"""典型案例: the office marks a case it answered as typical, for 三、典型案例 of the year's summary.

Marking and taking the mark back are each an event (典型案例) holding the flag and the note
before and after, so the timeline tells who chose the case and `undo` restores the choice.
"""

from __future__ import annotations

from store.actions.common import Recorded, _load, _operator, _record, _text, _transaction, retrying
from store.errors import LedgerError
from store.queries import case_label
from store.steps import require

MAX_TYPICAL_NOTE = 2000


@retrying
def mark_typical(case_id: int, operator: str, *, typical: bool = True, note: str = "",
                 expected_version: int | None = None) -> Recorded:
    """典型案例: mark the case typical (with an optional note on why, or what to tell), or take
    the mark back (`typical=False`; the note says why). Only on a case the bureau answered."""
    operator = _operator(operator)
    note = _text(note, "典型案例说明", limit=MAX_TYPICAL_NOTE).strip()
    typical = bool(typical)
    with _transaction():
        case = _load(case_id, expected_version)
        require(case, "typical")
        label = case_label(case)
        if not typical and not case.is_typical:
            raise LedgerError(f"{label}没有标记为典型案例，无需取消。")
        if typical and case.is_typical and note == case.typical_note:
            raise LedgerError(f"{label}已标记为典型案例；要修改说明，请填写新的说明。")
        changes = {"is_typical": typical, "typical_note": note if typical else case.typical_note}
        if typical:
            message = f"{label}已标记为典型案例" if not case.is_typical else f"{label}的典型案例说明已更新"
        else:
            message = f"{label}已取消典型案例标记"
        return _record(case, operator, "典型案例", changes, note=note, message=message)
