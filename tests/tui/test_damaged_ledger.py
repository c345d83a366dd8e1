"""A large ledger's integrity check runs after the first paint; damage stops all writing."""

from __future__ import annotations

from desk_helpers import OPERATOR, SIZE, wait_for

import store.db
from store import clock
from store.db import close_database, open_database
from store.errors import DatabaseUnusable
from tui.app import DubanApp
from tui.screens.damaged import DamagedScreen


def damaged_ledger(tmp_path):
    """A ledger with b-tree pages damaged in the middle (its schema and header still read fine)."""
    from store import actions

    path = tmp_path / "damaged.db"
    open_database(path)
    session = actions.ensure_session("市七届人大五次会议", body="人大", year=2026)
    for i in range(3000):
        actions.ensure_proposer(f"代表{i:04d}", group="测试代表团", unit_title="某单位" * 5)
    actions.create_case(OPERATOR, session=session, number="1", title="关于测试的建议", role="主办",
                        assigned_on=clock.today())
    close_database()
    data = bytearray(path.read_bytes())
    page_size = int.from_bytes(data[16:18], "big")
    pages = len(data) // page_size
    for page in range(pages // 2 - 3, pages // 2 + 3):
        start = page * page_size
        data[start:start + 12] = b"\xff" * 12
    path.write_bytes(bytes(data))
    return path


async def test_a_large_damaged_ledger_opens_then_stops_every_write(tmp_path, monkeypatch):
    path = damaged_ledger(tmp_path)
    monkeypatch.setattr(store.db, "DEFER_CHECK_BYTES", 0)  # as if it were a large ledger
    before = path.read_bytes()
    try:
        db = open_database(path, verify=None)
        assert db.duban_verified is False
        try:
            store.db.verify_integrity()
        except DatabaseUnusable as exc:
            assert "损坏" in exc.message
        else:
            raise AssertionError("the damage was not found")
        db.duban_verified = False
        app = DubanApp(operator=OPERATOR)
        async with app.run_test(size=SIZE) as pilot:
            await wait_for(pilot, lambda: isinstance(app.screen, DamagedScreen))
            await pilot.press("f")  # no dialog, nothing written
            await pilot.pause(0.2)
            assert isinstance(app.screen, DamagedScreen)
            await pilot.press("q")
    finally:
        close_database()
    assert path.read_bytes() == before
