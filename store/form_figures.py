"""征询意见表的统计: forms sent, returned, outstanding (待收回) and chased, and 办理工作 beside 办理结果.

A case may send more than one form: after a 不满意 and the new reply a new one goes out. Each
form sent (送征询表, standing) counts once; the case's own fields tell the form now on it
(`form_sent_on`, `form_due`, `form_returned_on`), the events the earlier ones. A form comes back
with the 评价 that follows it. An outstanding form is 待收回 — the proposer's step, not the
bureau's — and is never counted as 逾期未办结 (`store.statistics._overdue_open`).

`form_figures` counts from rows already read by `store.statistics.session_statistics`;
`form_figure_lines` writes them as the statistics screen's lines.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from store.figures import stored_date as _day
from store.models import EVALUATIONS

FORM_EVENT_KINDS = ("送征询表", "催收征询表")
"""The events the figures read besides 评价."""


@dataclass(frozen=True)
class FormFigures:
    """The evaluation forms of the cases the bureau answers (主办/承办/分办), as of one day."""

    sent: int = 0  # forms sent (份), a case's earlier forms included
    returned: int = 0  # … come back (a 评价 followed)
    returned_late: int = 0  # … come back after their due date
    outstanding: int = 0  # 待收回: out and not back
    outstanding_overdue: int = 0  # … past their due date (待收回（已过收回期限）)
    chases: int = 0  # 催收征询表 (次)
    by_work: dict[str, int] = field(default_factory=dict)  # 办理工作 by the latest form: 满意/基本满意/不满意


def _forms_of(case, events) -> list[list]:
    """[due, returned_on] of each form the case sent, in order; the last one as the case's fields say."""
    forms: list[list] = []
    for event in events:
        after = (event.data if isinstance(event.data, dict) else {}).get("after") or {}
        if event.kind == "送征询表":
            forms.append([_day(after.get("form_due")), None])
        elif event.kind == "评价" and forms and forms[-1][1] is None:
            forms[-1][1] = _day(after.get("form_returned_on")) or _day(after.get("evaluated_on")) or event.on_date
    if case.form_sent_on is not None:
        current = [case.form_due, case.form_returned_on]
        if forms:
            forms[-1] = current
        else:
            forms.append(current)  # written without events (bulk data): the fields stand
    elif forms and forms[-1][1] is None:
        forms.pop()  # the case says no form is out (its 送征询表 was superseded): trust the case
    return forms


def form_figures(cases, events, today: dt.date) -> FormFigures:
    """The form figures of `cases` (the answering ones) from their standing events (any kinds;
    送征询表, 催收征询表 and 评价 are read), as of `today`."""
    by_case: dict[int, list] = {}
    for event in events:
        if event.kind in ("送征询表", "评价"):
            by_case.setdefault(event.case_id, []).append(event)
    ids = set()
    sent = returned = late = outstanding = overdue = 0
    for case in cases:
        ids.add(case.id)
        for due, back in _forms_of(case, by_case.get(case.id, ())):
            sent += 1
            if back is not None:
                returned += 1
                late += due is not None and back > due
            else:
                outstanding += 1
                overdue += due is not None and today > due
    chases = sum(1 for event in events if event.kind == "催收征询表" and event.case_id in ids)
    work = Counter(case.evaluation_work for case in cases
                   if case.evaluation_work in EVALUATIONS and case.evaluated_on is not None)
    return FormFigures(sent, returned, late, outstanding, overdue, chases,
                       {name: work.get(name, 0) for name in EVALUATIONS})


def form_figure_lines(stats) -> list[str]:
    """The statistics screen's lines for the forms (`stats`: a SessionStatistics), plain text."""
    from store.vocabulary import words

    forms: FormFigures = stats.forms
    work = "　".join(f"{name} {forms.by_work.get(name, 0)}" for name in EVALUATIONS)
    result = "　".join(f"{name} {stats.by_evaluation.get(name, 0)}" for name in EVALUATIONS)
    without_work = max(stats.evaluations_received - sum(forms.by_work.values()), 0)
    lines = [
        f"征询意见表　送出{forms.sent}份：已收回{forms.returned}份（逾期收回{forms.returned_late}份），"
        f"待收回{forms.outstanding}份（已过收回期限{forms.outstanding_overdue}份）；催收{forms.chases}次",
        f"　　办理工作评价：{work}；办理结果评价：{result}"
        + (f"（{without_work}件未填办理工作评价）" if without_work else ""),
    ]
    if forms.outstanding:
        lines.append(f"　　待收回的征询意见表等待{words(stats.body).proposer}返回，不计入逾期未办结")
    return lines
