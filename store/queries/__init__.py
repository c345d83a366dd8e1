"""Read models: plain frozen dataclasses built from a fixed number of queries.

The UI and the command line read the ledger only through these: `ledger_rows` (the 台账
table), `case_card` (one case with its milestones and full timeline), `session_statistics`
(the figures behind the year's summary), `division_board` (each division's load) and
`urge_targets` (what an urge or an urge notice says of each case). Nothing returned is a
live model object.

The reads live by area: `common` (how a case is named, calendar, rules, sessions), `ledger`
(the 台账 and the live refresh), `case` (the case card, urge defaults, undo, extension limit),
`office` (the 分派 pickers), `board` (the division board and urge targets), and
`store.statistics` (the session's figures). Every name is importable from `store.queries`.
"""

# The areas live in their own modules; every name stays importable from here as before.
from store.queries.common import (  # noqa: F401
    WORKING_DAY_MILESTONES,
    SessionInfo,
    _all_rules,
    case_label,
    find_session,
    format_number,
    load_calendar,
    rules_for,
    sessions,
)
from store.queries.ledger import (  # noqa: F401
    _ORDERS,
    LedgerRow,
    _RowView,
    _Sharer,
    _as_date,
    _rows_of,
    cases_changed_since,
    latest_event_id,
    ledger_count,
    ledger_query,
    ledger_rows,
    urges_since,
)
from store.queries.case import (  # noqa: F401
    CHANGE_FIELD_NAMES,
    CaseCard,
    MilestoneView,
    TimelineEntry,
    UndoableEvent,
    UrgeProposal,
    _change_text,
    _with_undone_labels,
    case_card,
    extension_limit,
    last_undoable_event,
    mask_phone,
    planned_follow_up,
    urge_proposal,
)
from store.queries.office import (  # noqa: F401
    DivisionInfo,
    PersonInfo,
    divisions,
    people,
)
from store.queries.board import (  # noqa: F401
    ANSWERING_KINDS,
    OPEN_EXCLUDED,
    UNASSIGNED,
    DivisionLoad,
    UrgeTarget,
    _unanswered_urges,
    division_board,
    division_cases,
    urge_targets,
)

# Names the module imported before the split (callers reach some of them through it).
from store.calendar import WorkCalendar  # noqa: F401
from store.models import (  # noqa: F401
    URGE_LEVELS,
    CalendarDay,
    CalendarYear,
    Case,
    ChangeRecord,
    Division,
    Event,
    Person,
    Proposer,
    Session,
)
from store.rules import (  # noqa: F401
    DEFAULT_RULES,
    RuleSet,
    add_months,
    countdown_text,
    is_stale,
    milestone_countdown,
    milestones,
    reply_due,
)
from store.vocabulary import milestone_label, role_label  # noqa: F401

# The session's figures moved to store/statistics.py; kept importable from here.
from store.statistics import SessionStatistics, session_statistics  # noqa: F401
