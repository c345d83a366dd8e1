"""The ledger's tables (Peewee models), as sketched in design.md.

Dates (交办、签收、答复 …) are Asia/Shanghai calendar dates; instants (when an event was
recorded) are stored in UTC and read back as pendulum values. The event table is
append-only: it is the case's timeline and the audit trail in one. A few columns on `Case`
(`next_due`, `next_milestone`, `last_followup_on`, `urge_count`, `urge_level`) are caches
of what the events and rules say, rewritten by every action in the same transaction, so
that the ledger can sort 100,000 cases by deadline with one indexed query.
"""

from __future__ import annotations

import datetime as dt
import json

import pendulum
from peewee import (
    AutoField,
    BooleanField,
    CharField,
    DateField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    Model,
    TextField,
)

from store.proxy import database

# Choices: checked by actions (a Chinese message) and by CHECK-free validation here.
BODIES = ("人大", "政协")
KINDS = ("建议", "提案")
ROLES = ("主办", "承办", "分办", "汇办")
STATUSES = ("待签收", "申请调整", "办理中", "已答复", "重新办理", "已反馈", "已办结")
RESULT_CLASSES = ("A", "B", "C", "D")
RESULT_CLASS_NAMES = {
    "A": "已经解决或基本解决",
    "B": "正在解决或已列入计划解决",
    "C": "因条件限制或其他原因暂时不能解决",
    "D": "留作参考",
}
EVALUATIONS = ("满意", "基本满意", "不满意")
FORM_SENT_HOW = ("随答复", "当面送达", "电子")  # 征询意见表: how it went out
DISCLOSURES = ("公开", "部分公开", "不公开")
CONTACT_METHODS = ("电话", "上门拜访", "座谈面商", "共同调研")
CONTACT_STAGES = ("办前", "办中", "办后")
FOLLOW_UP_KINDS = ("查办", "询办", "沟通", "备注")
URGE_LEVELS = {1: "一次催办", 2: "二次催办", 3: "领导督办"}
EVENT_KINDS = (
    "交办",
    "签收",
    "申请调整",
    "分派",
    "沟通",
    "查办",
    "询办",
    "备注",
    "催办",
    "汇办意见",
    "延期",
    "答复",
    "评价",
    "重办",
    "公开",
    "回头看",
    "办结",
    "单位意见",
    "单位催办",
    "分办答复",
    "送征询表",
    "催收征询表",
    "典型案例",
    "修改",
    "更正",
    "撤销",
)
PERSON_TITLES = ("经办人", "副处长", "处长", "分管局领导", "局长")
CHANGE_AREAS = ("处室", "人员", "日历", "规则", "届次")


class UTCDateTimeField(DateTimeField):
    """An instant stored as naive UTC, read back as a pendulum UTC DateTime.

    A plain DateTimeField cannot bind pendulum values; this converts both ways.
    """

    def db_value(self, value):
        if value is None:
            return None
        if isinstance(value, dt.datetime):
            if value.tzinfo is not None:
                value = value.astimezone(dt.timezone.utc)
            return dt.datetime(
                value.year, value.month, value.day, value.hour, value.minute, value.second, value.microsecond
            )
        return super().db_value(value)

    def python_value(self, value):
        value = super().python_value(value)
        if isinstance(value, dt.datetime):
            return pendulum.instance(value.replace(tzinfo=dt.timezone.utc)).in_timezone("UTC")
        return value


class LocalDateField(DateField):
    """An Asia/Shanghai calendar date, stored as a plain date (pendulum Dates accepted)."""

    def db_value(self, value):
        if isinstance(value, dt.datetime):
            value = value.date()
        if isinstance(value, dt.date):
            value = dt.date(value.year, value.month, value.day)
        return super().db_value(value)

    def python_value(self, value):
        if isinstance(value, str):  # SQLite: the fast path for 100,000-row reads
            try:
                return dt.date.fromisoformat(value[:10])
            except ValueError:
                pass
        value = super().python_value(value)
        if isinstance(value, dt.datetime):
            return value.date()
        return value


class JSONField(TextField):
    """A JSON document in a text column (lists of co-signers, before/after of an edit)."""

    def db_value(self, value):
        return None if value is None else json.dumps(value, ensure_ascii=False, default=str)

    def python_value(self, value):
        return None if value is None else json.loads(value)


class BaseModel(Model):
    class Meta:
        database = database
        legacy_table_names = False


class Meta(BaseModel):
    """duban_meta: schema version and other facts about this ledger."""

    key = CharField(primary_key=True)
    value = TextField()

    class Meta:
        table_name = "duban_meta"


class Session(BaseModel):
    """届次会议: a people's congress or CPPCC session whose cases the bureau handles."""

    id = AutoField()
    body = CharField()  # 人大 / 政协
    name = CharField(unique=True)  # 市七届人大四次会议
    year = IntegerField()
    assigned_on = LocalDateField(null=True)  # the usual 交办 date of the session's cases
    rules = JSONField(default=dict)  # overrides of store.rules.DEFAULT_RULES


class Division(BaseModel):
    """处室: a division of the bureau that handles cases. Retired, never deleted."""

    id = AutoField()
    name = CharField(unique=True)
    sort_order = IntegerField(default=0)  # the office's own order of its divisions
    retired_on = LocalDateField(null=True)  # 撤销/合并: leaves the pickers, stays on old cases


class Person(BaseModel):
    """A member of staff: 经办人, 处长, 分管局领导, 局长."""

    id = AutoField()
    name = CharField()
    division = ForeignKeyField(Division, null=True, backref="people", on_delete="RESTRICT")
    post = CharField(default="")  # 岗位
    title = CharField(default="")  # 经办人 / 副处长 / 处长 / 分管局领导 / 局长
    phone = CharField(default="")
    supervises = JSONField(default=list)  # 分管局领导: ids of the divisions they supervise
    retired_on = LocalDateField(null=True)  # 离任/调离: leaves the pickers, stays on old events


class Proposer(BaseModel):
    """代表/委员: who raised a case. The phone is private: masked on screen, never public."""

    id = AutoField()
    name = CharField()
    kind = CharField(default="代表")  # 代表 / 委员
    group = CharField(default="")  # 代表团 or 界别
    unit_title = CharField(default="")  # 单位及职务
    phone = CharField(default="")


class Case(BaseModel):
    """件: one suggestion or proposal as handled by the bureau."""

    id = AutoField()
    session = ForeignKeyField(Session, backref="cases", on_delete="RESTRICT")
    number = CharField()  # 第20230489号 is stored as "20230489"
    kind = CharField(default="建议")
    title = TextField()
    summary = TextField(default="")
    topic = CharField(default="")
    lead_proposer = ForeignKeyField(Proposer, null=True, backref="cases", on_delete="RESTRICT")
    cosigners = JSONField(default=list)  # 附议代表 / 联名委员, names
    role = CharField()  # 主办 / 承办 / 分办 / 汇办
    lead_unit = CharField(default="")  # 主办单位 (ours when role is 主办/承办)
    co_units = JSONField(default=list)  # 会办/汇办/分办 units
    assigned_on = LocalDateField()  # 交办
    division = ForeignKeyField(Division, null=True, backref="cases", on_delete="RESTRICT")
    owner = ForeignKeyField(Person, null=True, backref="owned_cases", on_delete="RESTRICT")
    post = CharField(default="")  # 岗位
    leader = ForeignKeyField(Person, null=True, backref="led_cases", on_delete="RESTRICT")
    leader_led = BooleanField(default=False)  # 局领导领办
    is_key = BooleanField(default=False)  # 重点
    is_difficult = BooleanField(default=False)  # 难点
    is_hot = BooleanField(default=False)  # 热点
    status = CharField(default="待签收", index=True)
    signed_on = LocalDateField(null=True)
    extended_due = LocalDateField(null=True)  # 延期 后的答复期限
    extension_late = BooleanField(default=False)  # 延期 recorded after the deadline: the figures count it late
    opinion_sent_on = LocalDateField(null=True)  # 汇办意见 sent to the lead unit
    replied_on = LocalDateField(null=True)
    reply_doc_no = CharField(default="")
    result_class = CharField(default="")  # A–D
    reply_summary = TextField(default="")
    reply_signed_by = CharField(default="")
    evaluation = CharField(default="")  # 满意 / 基本满意 / 不满意
    evaluated_on = LocalDateField(null=True)
    first_evaluation = CharField(default="")  # the first 评价 received, kept through re-handling
    first_evaluated_on = LocalDateField(null=True)
    rehandle_started_on = LocalDateField(null=True)  # 不满意 received: 重新办理 starts
    rehandle_replied_on = LocalDateField(null=True)  # the new reply after 不满意
    disclosure = CharField(default="")  # 公开 / 部分公开 / 不公开
    disclosure_reason = TextField(default="")
    disclosed_on = LocalDateField(null=True)
    review_due = LocalDateField(null=True)  # 回头看 next date (B/C promises)
    reviewed_on = LocalDateField(null=True)
    closed_on = LocalDateField(null=True)
    # Co-units (schema 5): for a 主办 case, each 会办/汇办 unit's opinion and 会签; for a 分办 case,
    # each other unit's separate reply. Keyed by the unit's name as in `co_units` (store.co_units).
    unit_progress = JSONField(default=dict)
    units_expected = IntegerField(default=0)  # cache: opinions (主办) or replies (分办) expected
    units_received = IntegerField(default=0)  # cache: of which received
    reply_early_reason = TextField(default="")  # replied before every co-unit's opinion was in
    own_part = TextField(default="")  # 分办: the bureau's own part of the case
    # The evaluation form (征询意见表, schema 5); `evaluation` is its 办理结果, `evaluation_work` its 办理工作.
    form_sent_on = LocalDateField(null=True)
    form_sent_how = CharField(default="")  # 随答复 / 当面送达 / 电子
    form_holder = CharField(default="")  # who holds the form now (the proposer, a contact person …)
    form_due = LocalDateField(null=True)  # due back: form_return_working_days after sending
    form_urge_count = IntegerField(default=0)
    form_returned_on = LocalDateField(null=True)
    evaluation_work = CharField(default="")  # 办理工作: 满意 / 基本满意 / 不满意
    is_typical = BooleanField(default=False)  # 典型案例, for the year's summary
    typical_note = TextField(default="")
    version = IntegerField(default=1)
    # Caches rewritten by store.actions in the same transaction as each event:
    next_due = LocalDateField(null=True)
    next_milestone = CharField(default="")
    next_due_estimated = BooleanField(default=False)  # next_due counted through an unconfirmed year
    last_followup_on = LocalDateField(null=True)
    next_followup_on = LocalDateField(null=True)
    urge_count = IntegerField(default=0)
    urge_level = IntegerField(default=0)

    class Meta:
        indexes = (
            (("session", "number"), True),
            (("next_due", "number", "id"), False),  # the ledger's default order, NULLS LAST, id last
            (("version",), False),  # the ledger cache's fingerprint (count, sum of versions) read from it alone
        )


class Event(BaseModel):
    """跟进记录: one entry of a case's timeline — what happened, who recorded it, when.

    Never updated or deleted. `data` keeps what the event changed on the case (`before`
    and `after`), so an undo can be recorded as a later, compensating event.
    """

    id = AutoField()
    case = ForeignKeyField(Case, backref="events", on_delete="RESTRICT")
    at = UTCDateTimeField(index=True)  # when it was recorded (UTC)
    on_date = LocalDateField(null=True)  # the business date (reply date, contact date …)
    operator = CharField()
    kind = CharField()
    note = TextField(default="")
    method = CharField(default="")  # 沟通: 电话 / 上门拜访 / 座谈面商 / 共同调研
    stage = CharField(default="")  # 沟通: 办前 / 办中 / 办后
    target_division = ForeignKeyField(Division, null=True, on_delete="RESTRICT")  # 催办
    level = IntegerField(null=True)  # 催办: 1 一次催办, 2 二次催办, 3 领导督办
    respond_by = LocalDateField(null=True)  # 催办: respond by
    next_followup_on = LocalDateField(null=True)
    data = JSONField(default=dict)
    undoes = ForeignKeyField("self", null=True, backref="undone_by", on_delete="RESTRICT")
    version = IntegerField()  # the case's version after this event
    db_user = CharField(null=True)  # PostgreSQL: the login that wrote it (a server default); SQLite: none

    class Meta:
        indexes = (
            (("case", "id"), False),
            (("kind", "at"), False),  # 本周催办: urges since Monday, counted from the index
        )


class CalendarDay(BaseModel):
    """The office's own correction of one day: a holiday or a moved working day (调休)."""

    id = AutoField()
    day = LocalDateField(unique=True)
    is_working = BooleanField()
    note = CharField(default="")


class CalendarYear(BaseModel):
    """A year whose State Council notice the office has entered and confirmed."""

    year = IntegerField(primary_key=True)
    note = CharField(default="")


class ChangeRecord(BaseModel):
    """变更记录: a change to the office's own settings — its divisions and people, the
    calendar, a session's rules, the sessions themselves — with who made it and when.

    Like `Event` for cases: never updated or deleted; `data` holds `before` and `after`.
    """

    id = AutoField()
    at = UTCDateTimeField(index=True)
    operator = CharField()
    area = CharField()  # 处室 / 人员 / 日历 / 规则 / 届次
    subject = CharField(default="")  # what was changed: a name, a date, a year
    action = CharField()  # 新增 / 改名 / 调动 / 停用 / 设置 / 确认 …
    note = TextField(default="")
    data = JSONField(default=dict)
    db_user = CharField(null=True)  # PostgreSQL: the login that wrote it (a server default); SQLite: none

    class Meta:
        table_name = "change_record"


class WeeklyReview(BaseModel):
    """每周检查: the list of cases a week's review goes through, fixed when the review starts.

    Which of them were checked is not kept here: each check is a 查办 event whose `data`
    names the week (`{"weekly_review": "2026-W48"}`), so an undo takes it back.
    """

    id = AutoField()
    week = CharField(unique=True)  # ISO week, 2026-W48
    started_at = UTCDateTimeField()
    operator = CharField()
    case_ids = JSONField(default=list)


ALL_MODELS = [Meta, Session, Division, Person, Proposer, Case, Event, CalendarDay, CalendarYear, WeeklyReview,
              ChangeRecord]
