"""Issue 12 on PostgreSQL: co-units, 会签, the evaluation form, typical cases and the summary's
figures, on a real server, each effect read back through a connection of its own."""

from __future__ import annotations

import json


from store import actions
from store.io.summary_full import full_summary_text
from store.summary_figures import summary_figures

from pg_server import raw_sql as _raw
from store_helpers import OPERATOR, assigned_case, d, session

UNITS = ["市公安局", "市交通运输局"]


def _progress(url: str, case_id: int) -> dict:
    (value,), = _raw(url, 'SELECT unit_progress FROM "case" WHERE id = %s', case_id)
    return json.loads(value)


def test_a_leading_case_walks_through_its_units_and_its_form_on_the_server(pg_ledger, today):
    case_id = assigned_case(co_units=UNITS)
    first = actions.record_unit_opinion(case_id, OPERATOR, unit="市公安局", summary="同意", on=d("2023-06-20"))
    actions.urge_unit(case_id, OPERATOR, unit="市交通运输局", note="请尽快报送")
    assert _raw(pg_ledger, 'SELECT units_expected, units_received, urge_count FROM "case" WHERE id = %s',
                case_id) == [(2, 1, 0)]
    actions.undo(first.event_id, OPERATOR, reason="误录")  # one unit's record, after a record about the other
    assert set(_progress(pg_ledger, case_id)) == {"市交通运输局"}
    actions.record_unit_opinion(case_id, OPERATOR, unit="市公安局", summary="同意", on=d("2023-06-20"))
    actions.reply(case_id, OPERATOR, on=d("2023-08-20"), doc_no="深政数函〔2023〕84号", result_class="B",
                  countersigned=["市公安局"], early_reason="期限将至")
    progress = _progress(pg_ledger, case_id)
    assert progress["市公安局"]["signed_off_on"] == "2023-08-20" and "signed_off_on" not in progress["市交通运输局"]
    assert _raw(pg_ledger, 'SELECT reply_early_reason FROM "case" WHERE id = %s', case_id) == [("期限将至",)]

    actions.send_form(case_id, OPERATOR, how="随答复", holder="王代表", on="2023-08-21")
    actions.chase_form(case_id, OPERATOR, on="2023-08-25")
    actions.record_evaluation(case_id, OPERATOR, evaluation="满意", work="基本满意", on="2023-08-28")
    actions.mark_typical(case_id, OPERATOR, note="示范")
    row = _raw(pg_ledger, 'SELECT form_sent_how, form_holder, form_urge_count, form_returned_on, evaluation, '
                          'evaluation_work, is_typical FROM "case" WHERE id = %s', case_id)[0]
    assert row[:3] == ("随答复", "王代表", 1) and str(row[3]) == "2023-08-28" and row[4:] == ("满意", "基本满意", True)
    kinds = [kind for (kind,) in _raw(pg_ledger, "SELECT kind FROM event WHERE case_id = %s ORDER BY id", case_id)]
    assert kinds[-6:] == ["单位意见", "答复", "送征询表", "催收征询表", "评价", "典型案例"]


def test_the_summary_figures_agree_with_the_server(pg_ledger, today):
    npc = session()
    for number in ("20230489", "20230490"):
        case_id = assigned_case(number, co_units=UNITS)
        actions.log_follow_up(case_id, OPERATOR, kind="沟通", method="电话", stage="办前", note="电话")
        actions.record_unit_opinion(case_id, OPERATOR, unit="市公安局", summary="同意", on=d("2023-06-20"))
    figures = summary_figures(npc.id, today=today)
    (phone,), = _raw(pg_ledger, "SELECT COUNT(*) FROM event WHERE kind = '沟通' AND method = '电话'")
    (expected, received), = _raw(pg_ledger, 'SELECT SUM(units_expected), SUM(units_received) FROM "case"')
    assert (figures.phone, figures.contacts) == (phone, phone) == (2, 2)
    assert (figures.units_expected, figures.units_received) == (expected, received) == (4, 2)
    # 交办 2023-06-01 + 1 month: 市交通运输局 is late on both, still unanswered on 09-01
    assert figures.units_late == 2 and "汇办单位意见逾期2家次" in full_summary_text(npc.id, today=today)
