"""Golden figures: every figure of the summary paragraph and of the statistics screen, for
`live` and `sz2023` at a fixed today and for altered sz2023 copies, against a hand count made
with plain SQL (dates by SQLite's own date(), months clamped to the month's end by hand).

The paragraph's numbers are parsed out of its text, so a sentence that says more (or less)
than the data is caught, and so is a claim of 均按时 / 均满意 the data do not bear."""

from __future__ import annotations

import datetime as dt
import re

import pytest

import fixtures
from store import actions, clock, entry
from store.io.summary import summary_paragraph
from store.models import Case, Event, Session
from store.statistics import session_statistics
from tui.screens.statistics import figure_lines
from store_helpers import run_sql

pytestmark = pytest.mark.sqlite_only("the hand count is written in SQLite's date() and json_extract(); test_portable_pg compares the figures on the server with SQLite's")

SZ_TODAY = dt.date(2023, 9, 19)
LIVE_TODAY = dt.date(2024, 5, 20)
OPERATOR = "王秘书"
STANDING = "e.id NOT IN (SELECT undoes_id FROM event WHERE undoes_id IS NOT NULL)"
TRANSFERRED = "(c.status = '已办结' AND c.signed_on IS NULL)"
IN_SCOPE = f"c.status != '申请调整' AND NOT {TRANSFERRED}"
ANSWERING = f"c.role IN ('主办', '承办', '分办') AND NOT {TRANSFERRED}"
SIGN_DUE = "date(c.assigned_on, '+10 days')"


def months(column: str, n: int) -> str:
    """`column` + n calendar months, clamped to the month's end (Nov 30 + 3 = Feb 28/29)."""
    moved = f"date({column}, '+{n} months')"
    return (f"(CASE WHEN strftime('%d', {moved}) = strftime('%d', {column}) THEN {moved} "
            f"ELSE date({moved}, 'start of month', '-1 day') END)")


DUE = (f"(CASE WHEN c.role = '汇办' THEN {months('c.assigned_on', 1)} WHEN c.extension_late "
       f"THEN {months('c.assigned_on', 3)} ELSE COALESCE(c.extended_due, {months('c.assigned_on', 3)}) END)")
DONE = "(CASE WHEN c.role = '汇办' THEN c.opinion_sent_on ELSE c.replied_on END)"


def pct(part: int, whole: int) -> str:
    """四舍五入 to a tenth, by integer arithmetic (independent of store.figures)."""
    tenths = (2000 * part + whole) // (2 * whole)
    return f"{tenths // 10}%" if tenths % 10 == 0 else f"{tenths // 10}.{tenths % 10}%"


def hand_count(session_id: int | None, today: dt.date) -> dict:
    """Each figure of `SessionStatistics`, counted with plain SQL."""
    scope, base = ("c.session_id = ?", [session_id]) if session_id else ("1 = 1", [])
    t = today.isoformat()

    def rows(sql, *params):
        return run_sql(sql.replace("{scope}", scope), [*base, *params]).fetchall()

    def cases(where, *params):
        return rows(f'SELECT COUNT(*) FROM "case" c WHERE {{scope}} AND {where}', *params)[0][0]

    def events(what, where, *params):
        return rows(f'SELECT {what} FROM event e JOIN "case" c ON e.case_id = c.id WHERE {{scope}} AND {where}',
                    *params)

    contact = f"e.kind = '沟通' AND {STANDING}"
    h = {
        "received": cases("1 = 1"),
        "by_role": {r: cases("c.role = ?", r) for r in ("主办", "承办", "分办", "汇办")},
        "transferred": cases(TRANSFERRED),
        "to_answer": cases(IN_SCOPE),
        "signed": cases(f"{IN_SCOPE} AND c.signed_on IS NOT NULL"),
        "signed_on_time": cases(f"{IN_SCOPE} AND c.signed_on <= {SIGN_DUE}"),
        "sign_overdue": cases(f"{IN_SCOPE} AND c.signed_on IS NULL AND ? > {SIGN_DUE}", t),
        "sign_pending": cases(f"{IN_SCOPE} AND c.signed_on IS NULL AND ? <= {SIGN_DUE}", t),
        "answered": cases(f"{IN_SCOPE} AND {DONE} IS NOT NULL"),
        "answered_on_time": cases(f"{IN_SCOPE} AND {DONE} <= {DUE}"),
        "answer_overdue": cases(f"{IN_SCOPE} AND {DONE} IS NULL AND ? > {DUE}", t),
        "answer_pending": cases(f"{IN_SCOPE} AND {DONE} IS NULL AND ? <= {DUE}", t),
        "extension_late": cases(f"{IN_SCOPE} AND c.role != '汇办' AND c.extension_late"),
        "needing_evaluation": cases(ANSWERING),
        "answering": cases(ANSWERING),
        "replies_to_disclose": cases("c.role != '汇办' AND c.replied_on IS NOT NULL"),
        "by_class": {k: cases("c.role != '汇办' AND c.replied_on IS NOT NULL AND c.result_class = ?", k)
                     for k in "ABCD"},
        "disclosure": {k: cases("c.role != '汇办' AND c.replied_on IS NOT NULL AND c.disclosure = ?", k)
                       for k in ("公开", "部分公开", "不公开")},
        "contacted": events("COUNT(DISTINCT e.case_id)", contact)[0][0],
        "face_to_face": events("COUNT(DISTINCT e.case_id)",
                               f"{contact} AND {ANSWERING} AND e.method IN ('上门拜访', '座谈面商', '共同调研')")[0][0],
        "contacts_by_method": {m: events("COUNT(*)", f"{contact} AND e.method = ?", m)[0][0]
                               for m in ("电话", "上门拜访", "座谈面商", "共同调研")},
        "contacts_by_stage": {s: events("COUNT(*)", f"{contact} AND e.stage = ?", s)[0][0]
                              for s in ("办前", "办中", "办后")},
        "replied_without_contact": cases(f"{ANSWERING} AND c.replied_on IS NOT NULL AND NOT EXISTS "
                                         f"(SELECT 1 FROM event e WHERE e.case_id = c.id AND {contact})"),
        # an awaited evaluation form is not the bureau's step; 公开 (due with the first 评价, both 20
        # working days after the reply) or 回头看 overdue beside it is
        "overdue_open": cases("c.status != '已办结' AND c.closed_on IS NULL AND c.next_due < ? "
                              "AND (c.next_milestone NOT IN ('评价', '再次评价') OR c.disclosed_on IS NULL "
                              "OR c.review_due < ?)", t, t),
        "awaiting_evaluation": cases(
            f"{ANSWERING} AND c.replied_on IS NOT NULL AND c.status != '重新办理' AND NOT EXISTS (SELECT 1 FROM event v "
            "WHERE v.case_id = c.id AND v.kind = '评价' AND v.id NOT IN (SELECT undoes_id FROM event WHERE undoes_id IS NOT "
            "NULL) AND v.id > (SELECT MAX(r.id) FROM event r WHERE r.case_id = c.id AND r.kind = '答复' AND r.id NOT IN "
            "(SELECT undoes_id FROM event WHERE undoes_id IS NOT NULL)))"),
    }
    h.update(_evaluation_count(events, today))
    return h


def _evaluation_count(events, today: dt.date) -> dict:
    """First / latest evaluations and re-handling rounds, from the standing events' rows."""
    marks = events("e.case_id, e.id, e.kind, json_extract(e.data, '$.after.evaluation'), e.on_date, "
                   "json_extract(e.data, '$.after.rehandle_replied_on')",
                   f"{ANSWERING} AND {STANDING} AND (e.kind = '评价' OR (e.kind = '更正' AND "
                   "json_extract(e.data, '$.corrects') = '评价') OR (e.kind = '答复' AND "
                   "json_extract(e.data, '$.after.rehandle_replied_on') IS NOT NULL)) ORDER BY e.id")
    verdicts: dict[int, list] = {}
    replies: dict[int, list] = {}
    for case_id, _id, kind, evaluation, on_date, replied_again in marks:
        if kind == "评价":
            verdicts.setdefault(case_id, []).append([evaluation, on_date, len(replies.get(case_id, []))])
        elif kind == "更正" and evaluation:
            verdicts[case_id][-1][0] = evaluation
        elif kind == "答复":
            replies.setdefault(case_id, []).append(replied_again)
    rounds = []
    outcome = {}
    for case_id, said in verdicts.items():
        if not any(v[0] == "不满意" for v in said):
            continue
        last_open = False
        for index, (evaluation, on_date, replies_before) in enumerate(said):
            if evaluation != "不满意":
                continue
            limit = said[index + 1][2] if index + 1 < len(said) else len(replies.get(case_id, []))
            reply = replies.get(case_id, [])[replies_before] if limit > replies_before else None
            due = run_sql(f"SELECT {months('?', 1)}", [on_date] * 4).fetchone()[0]
            state = ("按时" if reply <= due else "逾期") if reply else ("逾期未答复" if today.isoformat() > due else "未到期")
            rounds.append(state)
            last_open = reply is None
        outcome[case_id] = "重新办理中" if last_open else ("待再次评价" if said[-1][0] == "不满意" else said[-1][0])
    names = ("满意", "基本满意", "不满意")
    return {
        "evaluations_received": len(verdicts),
        "by_evaluation": {n: sum(1 for v in verdicts.values() if v[-1][0] == n) for n in names},
        "first_by_evaluation": {n: sum(1 for v in verdicts.values() if v[0][0] == n) for n in names},
        "ever_dissatisfied": len(outcome),
        "first_dissatisfied": sum(1 for v in verdicts.values() if v[0][0] == "不满意"),
        "after_rehandling": {n: list(outcome.values()).count(n) for n in set(outcome.values())},
        "rehandle_rounds": len(rounds),
        "rehandle_on_time": rounds.count("按时"),
        "rehandle_late": rounds.count("逾期"),
        "rehandle_overdue": rounds.count("逾期未答复"),
        "rehandle_pending": rounds.count("未到期"),
    }


def number(pattern: str, text: str, default: int | None = 0) -> int | None:
    match = re.search(pattern, text)
    return int(match.group(1)) if match else default


def check_paragraph(text: str, h: dict, today: dt.date) -> None:
    """Parse every figure out of the 基本情况 text and compare it with the hand count."""
    assert number(r"共接收办理\D+?(\d+)件", text) == h["received"]
    first = text.split("。")[0]
    for role, count in h["by_role"].items():
        said = "(?:会办|汇办（会办）)" if role == "汇办" and "提案" in first else role
        assert number(rf"{said}(\d+)件", first, 0) == count or len([c for c in h["by_role"].values() if c]) == 1
    assert f"截至{today.year}年{today.month}月{today.day}日" in text
    all_on_time = (h["signed"] == h["signed_on_time"] == h["to_answer"] == h["answered"] == h["answered_on_time"]
                   and not (h["sign_overdue"] or h["sign_pending"] or h["answer_overdue"] or h["answer_pending"]
                            or h["extension_late"] or h["rehandle_late"] or h["rehandle_overdue"]
                            or h["rehandle_pending"]))
    assert ("均按时签收、按时答复" in text) == all_on_time
    if not all_on_time:
        if "全部按时签收" in text:
            assert number(r"(\d+)件[^\d，]{2,4}全部按时签收", text) == h["signed"] == h["signed_on_time"]
            assert h["sign_overdue"] == 0
        else:
            assert number(r"按时签收(\d+)件", text) == h["signed_on_time"]
            assert number(r"逾期签收(\d+)件", text) == h["signed"] - h["signed_on_time"]
            assert number(r"逾期未签收(\d+)件", text) == h["sign_overdue"]
            assert f"按时签收率{pct(h['signed_on_time'], h['signed'] + h['sign_overdue'])}" in text
        assert number(r"另有(\d+)件尚未签收", text) == h["sign_pending"]
        assert number(r"已书面答复(\d+)件", text) == h["answered"]
        assert number(r"其中按时答复(\d+)件", text) == h["answered_on_time"]
        assert number(r"、逾期答复(\d+)件", text) == h["answered"] - h["answered_on_time"]
        assert number(r"逾期未答复(\d+)件", text) == h["answer_overdue"]
        if h["answered"] + h["answer_overdue"]:
            assert f"按时答复率{pct(h['answered_on_time'], h['answered'] + h['answer_overdue'])}" in text
        assert number(r"另有(\d+)件尚未答复", text) == h["answer_pending"]
        assert number(r"其中(\d+)件延期在原答复期限届满后办理", text) == h["extension_late"]
        assert number(r"目前有(\d+)件的办理环节已超过期限", text) == h["overdue_open"]
    assert number(r"不满意后重新办理(\d+)件次", text) == h["rehandle_rounds"]
    if h["rehandle_rounds"] and "均按时重新答复" not in text:
        assert number(r"(?<!逾期)按时重新答复(\d+)件次", text) == h["rehandle_on_time"]
        assert number(r"逾期重新答复(\d+)件次", text) == h["rehandle_late"]
        assert number(r"逾期未重新答复(\d+)件次", text) == h["rehandle_overdue"]
        assert number(r"正在重新办理、未到期限(\d+)件次", text) == h["rehandle_pending"]
    elif h["rehandle_rounds"]:
        assert h["rehandle_on_time"] == h["rehandle_rounds"]
    if h["contacted"]:
        assert number(r"就(\d+)件[^\d，]{2,4}与[^\d，]{2,4}进行了沟通联系", text) == h["contacted"]
        for method, count in h["contacts_by_method"].items():
            assert number(rf"{method}(\d+)次", text) == count
    if h["face_to_face"]:
        match = re.search(r"面对面沟通(\d+)件，面商率([\d.]+%)（以我局答复[^\d，]{2,4}的主办、承办、分办[^\d，]{2,4}(\d+)件计）", text)
        assert (int(match[1]), match[2], int(match[3])) == (
            h["face_to_face"], pct(h["face_to_face"], h["answering"]), h["answering"])
    check_evaluations(text, h)
    if h["replies_to_disclose"]:
        assert number(r"已答复的(\d+)件主", text, None) in (h["replies_to_disclose"], None)
        for key, count, share in re.findall(r"([ABCD])类（[^）]+）(\d+)件，占([\d.]+%)", text):
            assert (int(count), share) == (h["by_class"][key], pct(h["by_class"][key], h["replies_to_disclose"]))
        assert {k for k, c in h["by_class"].items() if c} == set(re.findall(r"([ABCD])类（", text))
        assert number(r"共公开(\d+)件", text) == h["disclosure"]["公开"]
        assert number(r"、部分公开(\d+)件", text) == h["disclosure"]["部分公开"]
        assert number(r"(\d+)件经审查不予公开", text) == h["disclosure"]["不公开"]
        assert number(r"尚有(\d+)件未作出公开决定", text) == h["replies_to_disclose"] - sum(h["disclosure"].values())


def check_evaluations(text: str, h: dict) -> None:
    match = re.search(r"共(\d+)件，目前已收到评价(\d+)件，([^。]*)。", text)
    if not h["needing_evaluation"]:
        return
    assert (int(match[1]), int(match[2])) == (h["needing_evaluation"], h["evaluations_received"])
    rest = match[3]
    all_satisfied = h["by_evaluation"]["满意"] == h["evaluations_received"] and not h["ever_dissatisfied"]
    assert ("均评价为满意" in rest) == all_satisfied
    if all_satisfied:
        return
    classes, _, history = rest.partition("；")
    for name in ("满意", "基本满意", "不满意"):
        prefix = "(?<![本不])" if name == "满意" else ""
        assert number(rf"{prefix}{name}(\d+)件", classes) == h["by_evaluation"][name]
    assert number(r"其中(\d+)件(?:初次评价|曾评价为)不满意", history) == h["ever_dissatisfied"]
    if h["ever_dissatisfied"]:
        assert ("初次评价不满意" in history) == (h["first_dissatisfied"] == h["ever_dissatisfied"])
        ever, outcomes = h["ever_dissatisfied"], h["after_rehandling"]
        for name, said in (("待再次评价", "已重新答复、尚待再次评价"), ("重新办理中", "正在重新办理")):
            count = outcomes.get(name, 0)
            assert (said in history) == bool(count)
            if count:
                assert number(rf"(\d+)件{said}", history, ever) == count
        again = re.search(r"经重新办理后评价为([^，]*)", history)
        told = {}
        if again:
            for name, count in re.findall(r"(基本满意|满意)(\d*)件?", again[1]):
                told[name] = int(count) if count else ever
        assert told == {n: outcomes[n] for n in ("满意", "基本满意") if outcomes.get(n)}


def check_screen(stats, h: dict) -> None:
    assert {name: getattr(stats, name) for name in h} == h
    lines = "\n".join(figure_lines(stats))
    assert (f"按时签收率　{pct(h['signed_on_time'], h['signed'] + h['sign_overdue']) if h['signed'] + h['sign_overdue'] else '—'}"
            f"（按时签收{h['signed_on_time']}件 / 已签收{h['signed']}件＋逾期未签收{h['sign_overdue']}件") in lines
    answer_whole = h["answered"] + h["answer_overdue"]
    assert (f"按时答复率　{pct(h['answered_on_time'], answer_whole) if answer_whole else '—'}"
            f"（按时答复{h['answered_on_time']}件 / 已答复{h['answered']}件＋逾期未答复{h['answer_overdue']}件") in lines
    assert f"另有{h['answer_pending']}件未到答复期限" in lines
    assert (f"面商率　{pct(h['face_to_face'], h['answering']) if h['answering'] else '—'}（面对面沟通{h['face_to_face']}件"
            f" / 本局答复的主办、承办、分办{h['answering']}件）") in lines
    assert f"评价未返回（待评价）　{h['awaiting_evaluation']}件" in lines
    assert f"办理环节已逾期　{h['overdue_open']}件" in lines
    assert "逾期未办结" not in lines
    assert f"已答复未沟通　{h['replied_without_contact']}件" in lines


def check_all(today: dt.date, session_id: int | None) -> tuple[str, dict]:
    stats = session_statistics(session_id, today=today)
    h = hand_count(session_id, today)
    check_screen(stats, h)
    text = summary_paragraph(stats)
    check_paragraph(text, h, today)
    # the first evaluation kept on the case agrees with the first standing 评价 event
    firsts = run_sql(
        'SELECT COUNT(*) FROM "case" c WHERE c.first_evaluation != \'\' AND c.first_evaluation != (SELECT '
        "json_extract(e.data, '$.after.first_evaluation') FROM event e WHERE e.case_id = c.id AND e.kind IN ('评价', '更正') "
        f"AND json_extract(e.data, '$.after.first_evaluation') IS NOT NULL AND {STANDING} ORDER BY e.id DESC LIMIT 1)"
    ).fetchone()[0]
    assert firsts == 0
    return text, h


# ------------------------------------------------------------------------- the fixtures


@pytest.fixture
def sz2023(ledger):
    clock.fix_today(SZ_TODAY)
    fixtures.seed("sz2023")
    assert all(not rules for (rules,) in Session.select(Session.rules).tuples())  # the defaults the SQL counts
    yield Session.get().id
    clock.fix_today(None)


@pytest.fixture
def live(ledger):
    clock.fix_today(LIVE_TODAY)
    fixtures.seed("live", today=LIVE_TODAY)
    assert all(not rules for (rules,) in Session.select(Session.rules).tuples())
    yield [s.id for s in Session.select().order_by(Session.id)]
    clock.fix_today(None)


def test_sz2023_figures_match_the_hand_count(sz2023):
    text, h = check_all(SZ_TODAY, sz2023)
    assert "所有建议均按时签收、按时答复" in text and "代表对办理结果均评价为满意" in text
    assert "面商率62.5%（以我局答复代表的主办、承办、分办建议8件计）" in text  # 5/8, not 5/20
    assert (h["face_to_face"], h["answering"]) == (5, 8)


@pytest.mark.parametrize("which", [0, 1, None])
def test_live_figures_match_the_hand_count(live, which):
    session_id = live[which] if which is not None else None
    check_all(LIVE_TODAY, session_id)


def test_live_keeps_both_dissatisfied_forms(live):
    stats = session_statistics(None, today=LIVE_TODAY)
    dissatisfied = run_sql(
        f"SELECT COUNT(DISTINCT e.case_id) FROM event e WHERE e.kind = '评价' AND {STANDING} "
        "AND json_extract(e.data, '$.after.evaluation') = '不满意'").fetchone()[0]
    assert stats.ever_dissatisfied == dissatisfied == 2
    assert "均评价为满意" not in summary_paragraph(stats)


def test_live_reply_rate_counts_only_cases_past_due(live):
    stats = session_statistics(None, today=LIVE_TODAY)
    unanswered = stats.to_answer - stats.answered
    assert unanswered == stats.answer_overdue + stats.answer_pending and stats.answer_pending > 0
    line = next(line for line in figure_lines(stats) if line.startswith("按时答复率"))
    assert f"/ 已答复{stats.answered}件＋逾期未答复{stats.answer_overdue}件" in line
    assert f"另有{stats.answer_pending}件未到答复期限" in line


# ----------------------------------------------------------------- altered sz2023 copies


def new_case(session_id: int, number: str, assigned: str, role: str = "主办") -> int:
    case_id = actions.create_case(OPERATOR, session=session_id, number=number, title=f"测试件{number}", role=role,
                                  assigned_on=dt.date.fromisoformat(assigned), lead_unit="市政务服务数据管理局").case_id
    actions.sign_for(case_id, OPERATOR, on=dt.date.fromisoformat(assigned) + dt.timedelta(days=3))
    return case_id


def late_reply(session_id):
    case_id = new_case(session_id, "20239901", "2023-03-10")  # due 06-10
    actions.reply(case_id, OPERATOR, on=dt.date(2023, 7, 15), doc_no="测试〔2023〕1号", result_class="A")


def fairly_satisfied(session_id):
    case_id = Case.get((Case.evaluation == "满意") & (Case.number == "20230738")).id
    entry.correct_evaluation(OPERATOR, case_id, reason="评价表看错", evaluation="基本满意",
                             expected_version=Case.get_by_id(case_id).version)
    assert Case.get_by_id(case_id).first_evaluation == "基本满意"


def rehandled_late(session_id):
    """第20230489号: undo 满意, 不满意 06-05, new reply 08-20 (due 07-05), then 满意 again."""
    case_id = Case.get(Case.number == "20230489").id
    actions.undo(Event.get((Event.case == case_id) & (Event.kind == "评价")).id, OPERATOR, reason="复核")
    actions.record_evaluation(case_id, OPERATOR, evaluation="不满意", on=dt.date(2023, 6, 5))
    actions.reply(case_id, OPERATOR, on=dt.date(2023, 8, 20), doc_no="测试〔2023〕2号", result_class="A")
    actions.record_evaluation(case_id, OPERATOR, evaluation="满意", on=dt.date(2023, 8, 28))


def unanswered(session_id):
    new_case(session_id, "20239902", "2023-05-10")  # due 08-10: past due
    new_case(session_id, "20239903", "2023-08-01")  # due 11-01: not yet


def late_extension(session_id):
    case_id = new_case(session_id, "20239904", "2023-03-10")  # due 06-10
    actions.reply(case_id, OPERATOR, on=dt.date(2023, 7, 15), doc_no="测试〔2023〕3号", result_class="B")
    run_sql('UPDATE "case" SET extended_due = ?, extension_late = 1 WHERE id = ?',
                             ("2023-08-10", case_id))


ALTERED = {
    "late_reply": (late_reply, ["其中按时答复20件、逾期答复1件", "按时答复率95.2%"]),
    "fairly_satisfied": (fairly_satisfied, ["目前已收到评价7件，满意6件、基本满意1件。"]),
    "rehandled_late": (rehandled_late, ["代表评价不满意后重新办理1件次，其中逾期重新答复1件次。",
                                        "目前已收到评价7件，满意7件；其中1件初次评价不满意，经重新办理后评价为满意。"]),
    "unanswered": (unanswered, ["逾期未答复1件，按时答复率95.2%；另有1件尚未答复、未到答复期限"]),
    "late_extension": (late_extension, ["其中按时答复20件、逾期答复1件，按时答复率95.2%"
                                        "（其中1件延期在原答复期限届满后办理，按原期限计算）"]),
}


@pytest.mark.parametrize("name", list(ALTERED))
def test_an_altered_sz2023_copy_says_what_happened(sz2023, name):
    alter, sentences = ALTERED[name]
    alter(sz2023)
    text, h = check_all(SZ_TODAY, sz2023)
    assert "均按时" not in text or name == "fairly_satisfied"
    if name != "fairly_satisfied":
        assert "均按时签收、按时答复" not in text
    else:
        assert "均评价为满意" not in text
    for sentence in sentences:
        assert sentence in text
    print(f"\n[{name}] hand count: {h}\n{text}")


def test_the_issue_reproduction_on_sz2023_is_true(sz2023):
    """Undo 第20230489号's 满意, 不满意 on 06-05, reply again on 08-20: neither 均按时 nor 均满意."""
    case_id = Case.get(Case.number == "20230489").id
    actions.undo(Event.get((Event.case == case_id) & (Event.kind == "评价")).id, OPERATOR, reason="复核")
    actions.record_evaluation(case_id, OPERATOR, evaluation="不满意", on=dt.date(2023, 6, 5))
    actions.reply(case_id, OPERATOR, on=dt.date(2023, 8, 20), doc_no="测试〔2023〕2号", result_class="A")
    text, h = check_all(SZ_TODAY, sz2023)
    assert "均按时" not in text and "均评价为满意" not in text
    assert "满意6件、不满意1件；其中1件初次评价不满意，已重新答复、尚待再次评价。" in text
    assert (h["rehandle_late"], h["first_by_evaluation"]["不满意"]) == (1, 1)


def test_an_empty_ledger_has_nothing_to_count(ledger):
    clock.fix_today(SZ_TODAY)
    try:
        stats = session_statistics(None, today=SZ_TODAY)
        assert {name: getattr(stats, name) for name in hand_count(None, SZ_TODAY)} == hand_count(None, SZ_TODAY)
        assert stats.received == 0 and not stats.all_on_time is None
        lines = "\n".join(figure_lines(stats))
        assert "按时签收率　—" in lines and "按时答复率　—" in lines and "面商率　—" in lines
        assert summary_paragraph(stats) == "全部届次期间，我局未接收人大代表建议和政协委员提案。"
    finally:
        clock.fix_today(None)
