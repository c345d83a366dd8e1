"""催办通知: the formal notice the office (局办公室) sends a division about its late cases.

`urge_notice` writes the text from `queries.urge_targets` (the caller runs it off the UI
thread); `save_notice` saves it as a .txt file, `save_notice_files` as .txt and .docx. The
text and the Word letter (`notice_letter`) are both written from one set of parts
(`NoticeParts`), so the two never say different things. `UrgeNotice.text` holds titles exactly as stored;
the saved file has their control characters made visible (`store.io.files.save_text`), and
the screen shows it through the UI's gate. Paragraphs are not hard-wrapped.

Each case is spoken of at the level of "this urge": the urge recorded for it today (the
notice follows `actions.urge_cases`, as the division board does), else the level its next
urge would have (a preview before urging). A notice over cases at different levels states
the highest, and asks for an answer by the earliest respond-by date.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from store import clock
from store.errors import LedgerError
from store.io.docx_letter import save_letter
from store.io.files import save_text
from store.io.letter import Letter, paragraph
from store.models import URGE_LEVELS
from store.office_calendar import ESTIMATED_NOTE, marked
from store.queries import UrgeTarget, load_calendar, urge_targets
from store.rules import counts_working_days, due_countdown
from store.vocabulary import words

OFFICE = "局办公室"
TITLE = "催办通知"
LEVEL_SENTENCES = {1: "现予催办。", 2: "现予二次催办。", 3: "现报请局领导督办。"}
"""What the notice says of its level (一次催办, 二次催办, 领导督办)."""


class NoticeCase(NamedTuple):
    """One case as the notice lists it."""

    label: str  # 第20230489号
    title: str
    milestone: str  # 答复, 汇办意见 (会办意见 on a 政协 case), 评价 … ("" when nothing is due)
    due: dt.date | None
    countdown: str  # 已逾期3天 / 今日到期 / 还剩5天
    level_name: str  # this urge: 一次催办 / 二次催办 / 领导督办
    estimated: bool = False  # the date was counted on a year whose holidays are not confirmed (推算)


@dataclass(frozen=True)
class UrgeNotice:
    """A 催办通知 to one division: its full text and what it is made of."""

    division_id: int
    division: str
    title: str
    text: str
    respond_by: dt.date
    level: int  # the highest level among its cases
    level_name: str
    operator: str
    dated: dt.date
    cases: tuple[NoticeCase, ...]
    parts: NoticeParts | None = None  # what `text` and `notice_letter` are written from


def chinese_date(day: dt.date) -> str:
    """2023年9月6日."""
    return f"{day.year}年{day.month}月{day.day}日"


def late_text(due: dt.date | None, today: dt.date, milestone: str = "", calendar=None) -> str:
    """已逾期N天 / 今日到期 / 还剩N天 — or N个工作日 for a milestone counted in working days,
    the unit the ledger shows it in (store.rules.due_countdown)."""
    if due is None:
        return "暂无未完成的办理期限"
    text = due_countdown(due, today, working_days=counts_working_days(milestone), calendar=calendar)
    return f"已{text}" if text.startswith("逾期") else text


def _item_number(n: int) -> str:
    """一, 二 … 九十九 (then Arabic numerals)."""
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        return ("" if tens == 1 else digits[tens]) + "十" + (digits[ones] if ones else "")
    return str(n)


def _operator(value) -> str:
    name = ("" if value is None else str(value)).strip()
    if not name:
        raise LedgerError("请填写催办人（操作人）姓名。")
    if any(unicodedata.category(ch).startswith("C") for ch in name):
        raise LedgerError("操作人姓名含有控制字符，请重新输入。")
    return name


def _level_and_respond(target: UrgeTarget, today: dt.date) -> tuple[int, dt.date]:
    """This urge's level and respond-by: today's urge if recorded, else the next one's."""
    if target.last_urge_on == today and target.last_urge_level:
        return target.last_urge_level, target.last_urge_respond_by or target.default_respond_by
    return target.next_level, target.default_respond_by


def urge_notice(division_id: int | None, case_ids, *, operator: str, today: dt.date | None = None,
                respond_by=None) -> UrgeNotice:
    """The 催办通知 from the office to a division about the given cases (all of them its own, none closed)."""
    operator = _operator(operator)
    today = today or clock.today()
    if division_id is None:
        raise LedgerError("未分派处室的件不能发催办通知，请先分派处室。")
    targets = urge_targets(case_ids, today=today)
    if not targets:
        raise LedgerError("没有要写入催办通知的件，请先选择。")
    ours = [t for t in targets if t.division_id == division_id]
    division = ours[0].division if ours else ""
    elsewhere = [t.label for t in targets if t.division_id != division_id]
    if elsewhere:
        whom = division or "该处室"
        raise LedgerError(f"{'、'.join(elsewhere)}不由{whom}承办，不能写入给{whom}的催办通知，请刷新后再试。")
    closed = [t.label for t in targets if t.status == "已办结"]
    if closed:
        raise LedgerError(f"{'、'.join(closed)}已办结，不列入催办通知。")

    chosen = {t.case_id: _level_and_respond(t, today) for t in targets}
    if respond_by in (None, ""):
        respond = min(day for _, day in chosen.values())
    else:
        respond = _as_date(respond_by)
        if respond < today:
            raise LedgerError(f"反馈期限{respond:%Y-%m-%d}已经过去，请选择今天或以后的日期。")
    level = max(lvl for lvl, _ in chosen.values())
    ordered = sorted(targets, key=lambda t: (t.next_due is None, t.next_due or dt.date.max, t.number))
    calendar = load_calendar() if any(counts_working_days(t.next_milestone) for t in targets) else None
    cases = tuple(
        NoticeCase(t.label, t.title, t.next_milestone if t.next_due else "", t.next_due,
                   late_text(t.next_due, today, t.next_milestone, calendar), URGE_LEVELS[chosen[t.case_id][0]], t.estimated)
        for t in ordered
    )
    parts = _parts(division, ordered, cases, level, respond, operator, today)
    return UrgeNotice(division_id, division, TITLE, _text(parts), respond, level, URGE_LEVELS[level], operator, today,
                      cases, parts)


def _as_date(value) -> dt.date:
    if isinstance(value, str):
        try:
            return clock.parse_date(value)
        except ValueError as exc:
            raise LedgerError(f"反馈期限：{exc}") from None
    if isinstance(value, dt.datetime):
        value = value.date()
    if not isinstance(value, dt.date):
        raise LedgerError(f"反馈期限“{value}”不是日期。")
    return dt.date(value.year, value.month, value.day)


class NoticeParts(NamedTuple):
    """The pieces a notice is made of; its text and its Word letter are both written from them."""

    to: str  # 主送: the division
    opening: str  # 经局办公室检查，你处承办的以下N件…
    items: tuple[str, ...]  # 一、第…号《…》…；
    note: str  # （注：…） when a date was counted on an estimated year, else ""
    ask: str  # 现予催办。请你处高度重视，…
    signer: str
    contact: str  # 联系人：…
    dated: dt.date


def _parts(division: str, targets: list[UrgeTarget], cases: tuple[NoticeCase, ...], level: int,
           respond: dt.date, operator: str, today: dt.date) -> NoticeParts:
    bodies = {t.body for t in targets}
    kind = words(next(iter(bodies))).case if len(bodies) == 1 and bodies <= {"人大", "政协"} else "建议和提案"
    late = sum(1 for t in targets if t.next_due is not None and t.next_due < today)
    if late == len(targets):
        state = "已超过办理期限"
    elif late:
        state = "已超过办理期限或办理进度滞后"
    else:
        state = "办理进度滞后"
    mixed = len({case.level_name for case in cases}) > 1
    items = []
    for n, (target, case) in enumerate(zip(targets, cases), 1):
        deadline = (f"{case.milestone}期限{marked(chinese_date(case.due), case.estimated)}，{case.countdown}"
                    if case.due else case.countdown)
        line = f"{_item_number(n)}、{case.label}《{case.title}》（{target.role_label}），{deadline}"
        if mixed:
            line += f"（本次为{case.level_name}）"
        items.append(line + ("。" if n == len(cases) else "；"))
    ask = "请你处主要负责同志亲自过问，" if level == max(URGE_LEVELS) else "请你处高度重视，"
    return NoticeParts(
        division,
        f"经{OFFICE}检查，你处承办的以下{len(cases)}件{kind}{state}，有关情况如下：",
        tuple(items),
        f"（注：{ESTIMATED_NOTE}）" if any(case.estimated for case in cases) else "",
        f"{LEVEL_SENTENCES[level]}{ask}抓紧办理，并请于{chinese_date(respond)}前将办理进展书面反馈{OFFICE}。",
        OFFICE,
        f"联系人：{operator}",
        today,
    )


def _text(parts: NoticeParts) -> str:
    paragraphs = [
        TITLE,
        f"{parts.to}：",
        parts.opening,
        "\n".join(parts.items) + (f"\n{parts.note}" if parts.note else ""),
        parts.ask,
        f"{parts.signer}\n{parts.contact}\n{chinese_date(parts.dated)}",
    ]
    return "\n\n".join(paragraphs) + "\n"


def notice_letter(notice: UrgeNotice) -> Letter:
    """The notice as a Letter (for the Word file), from the same parts as its text."""
    parts = notice.parts
    if parts is None:
        raise LedgerError("这份催办通知没有保存其组成部分，请重新生成后再保存为Word文件。")
    body = [paragraph(parts.opening), *(paragraph(item) for item in parts.items)]
    if parts.note:
        body.append(paragraph(parts.note))
    body.append(paragraph(parts.ask))
    return Letter(TITLE, body=tuple(body), to=parts.to, signer=parts.signer, date=parts.dated,
                  notes=(parts.contact,))


# ------------------------------------------------------------------------ saving

_NOT_IN_FILENAMES = set('<>:"/\\|?*')


def notice_filename_part(name: str) -> str:
    """A division's name made safe for a file name on Windows, macOS and Linux."""
    safe = "".join("_" if ch in _NOT_IN_FILENAMES or unicodedata.category(ch).startswith("C") else ch
                   for ch in name)
    safe = safe.strip(" ._")[:50]
    return safe or "处室"


def save_notice(notice: UrgeNotice, folder) -> Path:
    """Save the notice as 催办通知-<处室>-<YYYYMMDD>.txt in `folder` (then -2, -3 …; nothing is overwritten).

    Written as UTF-8 with a byte-order mark and Windows line ends, so that Notepad on an
    older office PC opens the Chinese text correctly.
    """
    return save_text(notice.text, folder, _stem(notice), what="催办通知")


def save_notice_files(notice: UrgeNotice, folder) -> tuple[Path, Path]:
    """Save the notice as .txt (its text, as `save_notice`) and .docx (`notice_letter`) under one
    free name in `folder`; return both paths."""
    return save_letter(notice_letter(notice), folder, _stem(notice), what="催办通知", text=notice.text)


def _stem(notice: UrgeNotice) -> str:
    return f"催办通知-{notice_filename_part(notice.division)}-{notice.dated:%Y%m%d}"
