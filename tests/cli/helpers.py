"""A small ledger written with store.actions, for command-line tests that need no fixture."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from store import actions
from store.db import close_database, open_database

TRICKY_TITLE = '=HYPERLINK("http://x","点我"), 含逗号\n和换行的标题'


def small_ledger(path: Path, *, cases: int = 3) -> Path:
    """A ledger with one 人大 session and `cases` cases (the first one's title is hostile to CSV)."""
    open_database(path)
    try:
        session = actions.ensure_session("市七届人大四次会议", body="人大", year=2023, assigned_on=dt.date(2023, 3, 10))
        division = actions.ensure_division("数据资源处")
        owner = actions.ensure_person("张三", division=division, title="经办人")
        proposer = actions.ensure_proposer("李四", group="福田代表团", phone="13800138000")
        for index in range(cases):
            role = ("主办", "汇办", "承办")[index % 3]
            recorded = actions.create_case(
                "测试", session=session, number=f"2023{index + 1:04d}",
                title=TRICKY_TITLE if index == 0 else f"关于第{index}项工作的建议",
                role=role, assigned_on=dt.date(2023, 3, 10), lead_proposer=proposer,
                lead_unit="市发展改革委" if role == "汇办" else "",
            )
            actions.sign_for(recorded.case_id, "测试", on=dt.date(2023, 3, 14))
            actions.assign(recorded.case_id, "测试", division=division, owner=owner)
    finally:
        close_database()
    return path
