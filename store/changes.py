"""变更记录: how a change to the office's own settings is written down.

Cases keep their history in `Event`; the office's divisions and people, the calendar,
the sessions and their rules keep theirs in `ChangeRecord`, one row a change, with who,
when, what it was before and after, and the note the operator gave. Call `record_change`
inside the transaction that makes the change.
"""

from __future__ import annotations

import datetime as dt

from store import clock
from store.errors import LedgerError
from store.models import CHANGE_AREAS, ChangeRecord


def _plain(value):
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    return value


def record_change(operator: str, area: str, subject: str, action: str, *, note: str = "",
                  before: dict | None = None, after: dict | None = None, **extra) -> ChangeRecord:
    """Append one 变更记录 (never updated or deleted); `before`/`after` name what changed."""
    if area not in CHANGE_AREAS:
        raise LedgerError(f"变更类别“{area}”无效，应为：{'、'.join(CHANGE_AREAS)}。")
    data = {key: _plain(value) for key, value in extra.items()}
    if before is not None or after is not None:
        data["before"] = _plain(before or {})
        data["after"] = _plain(after or {})
    return ChangeRecord.create(at=clock.now(), operator=operator, area=area, subject=str(subject)[:255],
                               action=action, note=note, data=data)


def latest_change_id() -> int:
    """The newest 变更记录's id (0 when none): desks compare it to notice settings changes."""
    from peewee import fn

    return ChangeRecord.select(fn.MAX(ChangeRecord.id)).scalar() or 0
