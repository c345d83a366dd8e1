"""Every write the office makes: one transaction each, each leaving an event.

Each action takes the operator (who is acting), checks its input and the case's state, and
in one write transaction (`BEGIN IMMEDIATE` on SQLite, a row lock on PostgreSQL) changes
the case, bumps its version, refreshes the ledger caches and appends an `Event` holding
what changed (`before`/`after`). Nothing is deleted: `undo` appends a compensating event.

Pass `expected_version` (the version the user saw) and a case changed elsewhere in the
meantime raises `VersionConflict`, naming what changed; nothing is overwritten. Every
refusal is a `LedgerError` whose message is a Chinese sentence for the user, saying why
and what has to come first.

The rules of the road (which step a case can take now, and the sentence when it cannot) live
in `store.steps`: each action calls `require(case, step)` and refuses with exactly its answer.
The checks of a typed date live here (`common`): a business date is never before 交办, never in the future, and never before the step it
follows (签收 before 汇办意见 and 答复; the latest reply before 评价, 公开 and 回头看; the
不满意 evaluation before the new reply; the last reply or opinion before 办结).

The writes live by area: `common` (input checks, the transaction, `_record`), `reference`
(sessions, divisions, people, proposers found or created), `signing` (交办, 签收, 申请调整, 分派),
`follow_up` (查办, 沟通, weekly check, 催办), `replies` (汇办意见, 延期, 答复, 评价, 公开, 回头看,
办结), `evaluation_form` (送征询表, 催收征询表) and `edits` (修改, 撤销). Every name is importable from `store.actions`.
"""

# The areas live in their own modules; every name stays importable from here as before.
from store.actions.common import (  # noqa: F401
    ACTIVITY_KINDS,
    CORRECTION_KINDS,
    MAX_NOTE,
    MAX_TITLE,
    Recorded,
    _choice,
    _date,
    _field_value,
    _jsonable,
    _load,
    _not_before,
    _operator,
    _planned,
    _record,
    _refresh_next_due,
    _text,
    _transaction,
)
from store.actions.reference import (  # noqa: F401
    CALENDAR_OPERATOR,
    confirm_calendar_year,
    ensure_division,
    ensure_person,
    ensure_proposer,
    ensure_session,
    set_calendar_day,
)
from store.actions.signing import (  # noqa: F401
    ADJUSTMENT_APPROVED,
    ADJUSTMENT_REFUSED,
    KIND_OF_BODY,
    _adjustment_date,
    assign,
    check_case_shape,
    create_case,
    record_adjustment_result,
    request_adjustment,
    sign_for,
)
from store.actions.follow_up import (  # noqa: F401
    _default_respond_by,
    _urge,
    log_follow_up,
    mark_reviewed,
    next_urge_level,
    urge_cases,
    urge_division,
)
from store.actions.replies import (  # noqa: F401
    _latest_reply,
    close,
    extend,
    record_disclosure,
    record_evaluation,
    record_opinion_sent,
    record_review,
    reply,
)
from store.actions.typical import mark_typical  # noqa: F401
from store.actions.evaluation_form import chase_form, send_form  # noqa: F401
from store.actions.co_units import (  # noqa: F401
    record_split_reply,
    record_unit_opinion,
    urge_unit,
)
from store.actions.edits import (  # noqa: F401
    EDITABLE,
    EDITABLE_LABELS,
    _recompute_activity,
    edit_case,
    undo,
)

# Names the module imported before the split (callers reach some of them through it).
from store.db import database  # noqa: F401
from store.errors import LedgerError, VersionConflict  # noqa: F401
from store.models import (  # noqa: F401
    BODIES,
    CONTACT_METHODS,
    CONTACT_STAGES,
    DISCLOSURES,
    EVALUATIONS,
    FOLLOW_UP_KINDS,
    RESULT_CLASSES,
    URGE_LEVELS,
    Case,
    Division,
    Event,
    Person,
    Proposer,
    Session,
)
from store.queries import case_label, load_calendar, rules_for  # noqa: F401
from store.rules import add_months, next_open  # noqa: F401
from store.steps import extension_terms, not_late_sentence, require  # noqa: F401
from store.vocabulary import case_words, checked_role, words  # noqa: F401
