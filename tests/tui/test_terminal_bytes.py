"""No stored or typed text reaches the terminal as a control sequence: the bytes the driver writes.

Control-laden text (OSC 2 retitle, ?1049l leave the alternate screen, ESC [2J clear, C1
CSI \\x9b, BEL, bidi overrides) is put into every stored text field; the desk is driven
through every screen and dialog at 80×24 and 160×48 with a driver that records everything
the app writes. Nothing but the desk's own sequences (SGR, cursor position, synchronized
output, the pointer shape) may appear, and the hostile text must show, made visible.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from desk_helpers import OPERATOR, TODAY, move_to_case, ready, wait_for
from textual import events
from textual.drivers.headless_driver import HeadlessDriver
from textual.screen import ModalScreen

from store import actions
from store.models import CalendarDay, Case, ChangeRecord, Division, Event, Person, Proposer, Session
from store.office_calendar import set_day
from tui.app import DubanApp
from tui.screens.case import CaseScreen
from tui.screens.ledger import LedgerScreen
from tui.text import visible

HOSTILE = "\x1b]2;PWNED\x07\x1b[?1049l\x9b2J\x07\x1b[2J\u202eRTL\u202c"
SHOWN = visible(HOSTILE)  # ␛]2;PWNED␇␛[?1049l⟨9B⟩2J␇␛[2J⟨U+202E⟩RTL⟨U+202C⟩

# What Textual itself writes: SGR, cursor positions, synchronized output, cursor show/hide,
# the pointer shape (OSC 22) and a clipboard copy (OSC 52, base64).
OWN = re.compile(r"\x1b\[[0-9;]*m|\x1b\[\d+;\d+H|\x1b\[\?(?:2026|25)[hl]|\x1b\]22;[a-z-]*\x07"
                 r"|\x1b\]52;c;[A-Za-z0-9+/=]*\x07")
BIDI = {chr(cp) for cp in (*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F, 0x061C)}


def foreign(output: str) -> list[str]:
    """Control characters left once the desk's own sequences are taken out (with context)."""
    rest = OWN.sub("", output)
    found = []
    for match in re.finditer(r"[\x00-\x09\x0b-\x1f\x7f-\x9f" + "".join(BIDI) + "]", rest):
        found.append(repr(rest[max(match.start() - 20, 0):match.end() + 20]))
    return found


class RecordingDriver(HeadlessDriver):
    """The headless driver, but the app paints through it (not headless) and it keeps every write."""

    written: list[str] = []

    @property
    def is_headless(self) -> bool:
        return False

    def write(self, data: str) -> None:
        if data != "\x07":  # the desk's own bell, written alone
            RecordingDriver.written.append(data)


def poison(ids: dict[str, int]) -> None:
    """Every stored text field holds the hostile text (each unique one made unique)."""
    soon = ids["soon"]
    actions.reply(soon, OPERATOR, on=TODAY, doc_no="深政数函" + HOSTILE + "号", result_class="C", summary=HOSTILE,
                  signed_by=HOSTILE)
    actions.record_disclosure(soon, OPERATOR, decision="不公开", reason=HOSTILE, on=TODAY)
    actions.log_follow_up(ids["overdue"], OPERATOR, kind="沟通", method="电话", stage="办中", note=HOSTILE,
                          participants=HOSTILE, on=TODAY)
    set_day(OPERATOR, TODAY + dt.timedelta(days=30), "休息日", note=HOSTILE)
    Case.update(title=HOSTILE + "关于" + Case.number + "的建议", summary=HOSTILE + "\n第二行", topic=HOSTILE,
                lead_unit=HOSTILE, co_units=[HOSTILE], cosigners=[HOSTILE, "刘洋"], post=HOSTILE).execute()
    Case.update(reply_doc_no=HOSTILE, reply_summary=HOSTILE, disclosure_reason=HOSTILE).where(Case.id == soon).execute()
    Proposer.update(name=HOSTILE + "代表", group=HOSTILE, unit_title=HOSTILE, phone=HOSTILE).execute()
    for division in Division.select():
        Division.update(name=f"{HOSTILE}处{division.id}").where(Division.id == division.id).execute()
    Person.update(name=HOSTILE + "人", post=HOSTILE).execute()
    Session.update(name=HOSTILE + "届次").execute()
    CalendarDay.update(note=HOSTILE).execute()
    # The timeline is append-only in the database: lift its triggers for this raw edit only.
    from store.db import database
    from store.ledger_schema import trigger_names, trigger_sql

    for name in trigger_names("sqlite"):
        database.obj.execute_sql(f"DROP TRIGGER {name}")
    Event.update(note=HOSTILE).where(Event.kind != "创建").execute()
    ChangeRecord.update(note=HOSTILE, subject=HOSTILE).execute()
    for statement in trigger_sql("sqlite"):
        database.obj.execute_sql(statement)


async def settle(pilot, seconds: float = 0.25) -> None:
    await pilot.pause(seconds)


async def close_modal(pilot) -> None:
    """esc until no dialog is open (a refused key opens none)."""
    for _ in range(3):
        if not isinstance(pilot.app.screen, ModalScreen):
            return
        await pilot.press("escape")
        await settle(pilot, 0.15)


async def back_to(pilot, screen_type) -> None:
    for _ in range(5):
        if isinstance(pilot.app.screen, screen_type):
            return
        await pilot.press("escape")
        await settle(pilot, 0.15)
    assert isinstance(pilot.app.screen, screen_type), pilot.app.screen


class Tour:
    """Where the tour has been, and the bytes written while each place was shown."""

    def __init__(self) -> None:
        self.marks: list[tuple[str, int]] = []

    def mark(self, name: str) -> None:
        self.marks.append((name, len(RecordingDriver.written)))

    def written_at(self, name: str) -> str:
        for (here, start), following in zip(self.marks, [*self.marks[1:], ("", None)]):
            if here == name:
                return "".join(RecordingDriver.written[start:following[1]])
        raise KeyError(name)


async def visit(pilot, tour: Tour, name: str, *keys: str, wait: float = 0.2) -> None:
    tour.mark(name)
    if keys:
        await pilot.press(*keys)
    await settle(pilot, wait)


CASE_KEYS = ("s", "t", "a", "p", "c", "h", "e", "r", "v", "g", "b", "k", "f", "u", "m", "M")


@pytest.mark.parametrize("size", [(80, 24), (160, 48)])
async def test_hostile_text_in_every_field_never_reaches_the_terminal_raw(desk, size):
    path, ids = desk
    poison(ids)
    RecordingDriver.written = []
    tour = Tour()
    app = DubanApp(operator=OPERATOR)
    app.driver_class = RecordingDriver
    async with app.run_test(size=size, headless=False) as pilot:
        tour.mark("ledger")
        table = await ready(pilot)
        await settle(pilot)
        # The filter: text pasted by the user, control characters and all.
        await visit(pilot, tour, "filter", "slash")
        pilot.app.screen.query_one("#filter").post_message(events.Paste(HOSTILE))
        await settle(pilot)
        await visit(pilot, tour, "filter cleared", "escape")
        await back_to(pilot, LedgerScreen)
        move_to_case(table, ids["overdue"])
        await visit(pilot, tour, "urge from the ledger", "u")
        await close_modal(pilot)
        # The case screen and every step key: a dialog opens (then esc) or the refusal is told.
        for key in ("overdue", "soon"):
            move_to_case(app.screen.query_one("LedgerTable"), ids[key])
            await visit(pilot, tour, f"case {key}", "enter")
            await wait_for(pilot, lambda: isinstance(app.screen, CaseScreen) and app.screen.card is not None)
            await settle(pilot)
            for step_key in CASE_KEYS:
                await visit(pilot, tour, f"case {key} {step_key}", step_key)
                await close_modal(pilot)
            await visit(pilot, tour, f"case {key} help", "question_mark")
            await visit(pilot, tour, f"case {key} help closed", "question_mark")
            await back_to(pilot, LedgerScreen)
        # The division board and its notice.
        await visit(pilot, tour, "board", "d")
        await visit(pilot, tour, "notice", "n", wait=0.6)
        await visit(pilot, tour, "notice copied", "c")
        await back_to(pilot, LedgerScreen)
        await visit(pilot, tour, "weekly", "w", wait=0.6)
        await back_to(pilot, LedgerScreen)
        await visit(pilot, tour, "statistics", "s", wait=0.8)
        await back_to(pilot, LedgerScreen)
        # Meeting lookup and its card.
        await visit(pilot, tour, "lookup", "colon")
        await pilot.press(*"RTL")
        await settle(pilot, 0.5)
        await visit(pilot, tour, "meeting card", "enter", wait=0.6)
        await back_to(pilot, LedgerScreen)
        # The palette finds a case by a word of its title.
        await visit(pilot, tour, "palette", "ctrl+p")
        await pilot.press(*"PWNED")
        await settle(pilot, 0.6)
        await back_to(pilot, LedgerScreen)
        # The office, its forms, the calendar, the sessions and their forms.
        await visit(pilot, tour, "office", "p", wait=0.6)
        await visit(pilot, tour, "division form", "e")
        await close_modal(pilot)
        await visit(pilot, tour, "person form", "n")
        await close_modal(pilot)
        await pilot.press("down", "down", "down")
        await visit(pilot, tour, "person edit", "e")
        await close_modal(pilot)
        await back_to(pilot, LedgerScreen)
        await visit(pilot, tour, "calendar", "c", wait=0.6)
        await visit(pilot, tour, "calendar day", "s")
        await close_modal(pilot)
        await back_to(pilot, LedgerScreen)
        await visit(pilot, tour, "sessions", "r", wait=0.6)
        await visit(pilot, tour, "rename session", "e")
        await close_modal(pilot)
        await visit(pilot, tour, "session rule", "m")
        await close_modal(pilot)
        await visit(pilot, tour, "new session", "n")
        await close_modal(pilot)
        await back_to(pilot, LedgerScreen)
        await visit(pilot, tour, "new case", "n", wait=0.6)
        await close_modal(pilot)
        await pilot.press("right_square_bracket")  # one session chosen: the import dialog is prefilled with it
        await settle(pilot)
        await visit(pilot, tour, "import", "i", wait=0.6)
        session_box = app.screen.query_one("#session")
        assert session_box.value == HOSTILE + "届次"  # the stored name itself, not its display form
        await close_modal(pilot)
        assert app.is_running

    output = "".join(RecordingDriver.written)
    assert output, "the driver recorded nothing"
    leaks = foreign(output)
    assert not leaks, leaks[:5]
    for bad in ("\x1b]2;", "\x1b[?1049l", "\x1b[2J", "\x9b", "\u202e"):
        assert bad not in output
    # The hostile text was really drawn (made visible) where stored text is shown.
    for place in ("ledger", "case overdue", "case overdue r", "case soon g", "case overdue c", "case soon m", "case soon M",
                  "notice", "statistics", "meeting card", "office", "calendar", "sessions", "import",
                  "rename session", "person edit"):
        assert "PWNED" in tour.written_at(place), place
    assert "␛]2;PWNED␇" in output


def test_the_recorder_sees_raw_bytes_when_text_skips_the_gate():
    """The check itself: text put on screen without the gate is caught in the driver's bytes."""
    from textual.app import App
    from textual.content import Content
    from textual.widgets import Static

    class Raw(App):
        def compose(self):
            yield Static(Content("标题" + HOSTILE))

    async def run():
        app = Raw()
        app.driver_class = RecordingDriver
        async with app.run_test(size=(40, 5), headless=False) as pilot:
            await pilot.pause(0.1)

    import asyncio

    RecordingDriver.written = []
    asyncio.run(run())
    assert foreign("".join(RecordingDriver.written))
