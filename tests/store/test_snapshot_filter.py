"""What `/` matches in the whole ledger kept in memory (store/snapshot.py): the number bare, in
part or as 第…号, a word of the title, the proposer, the division, the owner — and nothing else."""

from __future__ import annotations

from desk_helpers import TODAY, build_desk_ledger

from store import clock, queries
from store.snapshot import LedgerSnapshot


def test_the_filter_matches_number_title_proposer_division_and_owner(ledger):
    clock.fix_today(TODAY)
    try:
        build_desk_ledger()
        rows = queries.ledger_rows(today=TODAY)
    finally:
        clock.fix_today(None)
    snapshot = LedgerSnapshot(rows, TODAY)
    row = rows[0]

    def found(text: str) -> set[int]:
        return {r.case_id for r in snapshot.rows(text=text)}

    assert row.case_id in found(row.number)
    assert row.case_id in found(row.number[-4:]) and row.case_id in found(row.number[:4])
    assert found(f"第{row.number}号") == {row.case_id} == found(f"  第{row.number}号 ")
    assert found(f"第{row.number[:6]}") >= {row.case_id} and found(f"{row.number[-3:]}号") >= {row.case_id}
    for field in ("title", "lead_proposer", "division", "owner"):
        value = getattr(row, field)
        if value:
            assert row.case_id in found(value), field
    assert found("没有这样的词") == set()
    assert found("\n") == {r.case_id for r in rows}  # only spaces and newlines: no filter
    assert all(text.count("\n") == 4 for text in snapshot.texts.values())  # one line a field, number once
