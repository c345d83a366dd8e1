"""Chinese throughout: no Latin word outside a short allow-list on any screen or dialog.

The desk is driven through every screen and dialog at 160×48, the keys panel (`?`) and the
palette included. At each stop the test reads what the screen shows (the screenshot's text),
what each widget renders (the footer's keys beyond the edge too), tooltips and placeholders,
splits it into ASCII words and flags every word the allow-list does not hold.
"""

from __future__ import annotations

import html
import re
from collections import defaultdict

from desk_helpers import OPERATOR, move_to_case, ready, wait_for
from rich.text import Text
from textual.command import CommandPalette
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input
from textual.widgets._footer import FooterKey

from tui.app import DubanApp
from tui.screens.case import CaseScreen
from tui.screens.ledger import LedgerScreen
from tui.widgets.help_panel import DeskBindingsTable

# Key names, file kinds, database names and date patterns; a single letter is a key.
ALLOWED = {
    "A", "B", "C", "D", "xlsx", "csv", "md", "json", "txt", "ctrl", "esc", "enter", "tab", "space", "shift",
    "PgUp", "PgDn", "pgup", "pgdn", "Home", "End", "home", "end", "del", "delete", "backspace", "SQLite",
    "PostgreSQL", "YYYY", "MM", "DD", "Www", "OSC", "up", "down", "left", "right", "super", "alt", "insert",
    "docx", "Word",  # the office's name for the documents it exchanges (Word 文件, .docx)
}
WORD = re.compile(r"[A-Za-z]{2,}")


def latin_words(text: str) -> set[str]:
    return {word for word in WORD.findall(text) if word not in ALLOWED}


def screen_text(app) -> list[str]:
    """Everything the screen shows or would show: the drawn rows, each widget's render, tooltips."""
    rows: dict[float, list[tuple[float, str]]] = defaultdict(list)  # the drawn cells, row by row
    for m in re.finditer(r'<text [^>]*x="([\d.]+)" y="([\d.]+)"[^>]*>(.*?)</text>', app.export_screenshot(), re.S):
        rows[float(m.group(2))].append((float(m.group(1)), html.unescape(re.sub(r"<[^>]+>", "", m.group(3)))))
    texts = ["".join(text for _, text in sorted(row)) for row in rows.values()]
    for widget in app.screen.query("*"):
        if not widget.display:
            continue
        try:
            rendered = widget.render()
        except Exception:  # a widget that renders only inside a layout pass
            rendered = None
        if isinstance(rendered, (str, Text, Content)):
            texts.append(str(rendered) if not isinstance(rendered, Text) else rendered.plain)
        for attribute in ("tooltip", "border_title", "border_subtitle"):
            value = getattr(widget, attribute, None)
            if isinstance(value, (str, Text, Content)):
                texts.append(value.plain if isinstance(value, Text) else str(value))
        if isinstance(widget, Input):  # a Select's prompt is on the screen when shown: the rows hold it
            value = widget.placeholder
            if isinstance(value, (str, Text, Content)):
                texts.append(value.plain if isinstance(value, Text) else str(value))
    return texts


class Findings:
    """Latin words found, by stop."""

    def __init__(self) -> None:
        self.found: dict[str, set[str]] = {}
        self.stops: list[str] = []

    def look(self, pilot, name: str) -> None:
        self.stops.append(name)
        words = set()
        for text in screen_text(pilot.app):
            words |= latin_words(text)
        if words:
            self.found[name] = words


async def stop(pilot, findings: Findings, name: str, *keys: str, wait: float = 0.25) -> None:
    if keys:
        await pilot.press(*keys)
    await pilot.pause(wait)
    findings.look(pilot, name)


async def close_modal(pilot) -> None:
    for _ in range(3):
        if not isinstance(pilot.app.screen, ModalScreen):
            return
        await pilot.press("escape")
        await pilot.pause(0.15)


async def back_to(pilot, screen_type) -> None:
    for _ in range(5):
        if isinstance(pilot.app.screen, screen_type):
            return
        await pilot.press("escape")
        await pilot.pause(0.15)
    assert isinstance(pilot.app.screen, screen_type), pilot.app.screen


async def help_panel(pilot, findings: Findings, name: str) -> None:
    """The keys panel open over this stop (as `?` opens it; in a text field `?` is typed), then closed."""
    pilot.app.action_show_help_panel()
    await stop(pilot, findings, f"{name} ?", wait=0.3)
    assert pilot.app.screen.query("HelpPanel"), name
    pilot.app.action_hide_help_panel()
    await pilot.pause(0.1)


async def with_help(pilot, findings: Findings, name: str) -> None:
    """The stop, then the same stop with the keys panel open."""
    await stop(pilot, findings, name)
    await help_panel(pilot, findings, name)


CASE_KEYS = ("s", "t", "a", "p", "c", "h", "e", "r", "v", "g", "b", "k", "f", "u", "m", "M")


async def test_every_screen_and_dialog_speaks_chinese(desk):
    path, ids = desk
    findings = Findings()
    app = DubanApp(operator=OPERATOR)
    async with app.run_test(size=(160, 48)) as pilot:
        table = await ready(pilot)
        await with_help(pilot, findings, "ledger")
        await stop(pilot, findings, "filter", "slash")
        await help_panel(pilot, findings, "filter")  # an Input focused: its keys
        await pilot.press("escape")
        await back_to(pilot, LedgerScreen)
        move_to_case(table, ids["overdue"])
        await stop(pilot, findings, "urge from the ledger", "u")
        await close_modal(pilot)
        for key in ("overdue", "soon", "unsigned"):
            move_to_case(app.screen.query_one("LedgerTable"), ids[key])
            await pilot.press("enter")
            await wait_for(pilot, lambda: isinstance(app.screen, CaseScreen) and app.screen.card is not None)
            await with_help(pilot, findings, f"case {key}")
            for step_key in CASE_KEYS:
                await stop(pilot, findings, f"case {key} {step_key}", step_key)
                if isinstance(app.screen, ModalScreen) and app.screen.query("TextArea, Input, Select"):
                    await help_panel(pilot, findings, f"case {key} {step_key}")
                await close_modal(pilot)
            await back_to(pilot, LedgerScreen)
        await stop(pilot, findings, "board", "d", wait=0.5)
        await with_help(pilot, findings, "board")
        await stop(pilot, findings, "notice", "n", wait=0.6)
        await with_help(pilot, findings, "notice")
        await back_to(pilot, LedgerScreen)
        await stop(pilot, findings, "weekly", "w", wait=0.6)
        await with_help(pilot, findings, "weekly")
        await back_to(pilot, LedgerScreen)
        await stop(pilot, findings, "statistics", "s", wait=0.8)
        await with_help(pilot, findings, "statistics")
        await back_to(pilot, LedgerScreen)
        await stop(pilot, findings, "lookup", "colon")
        await with_help(pilot, findings, "lookup")
        await pilot.press(*"数据")
        await pilot.pause(0.5)
        await stop(pilot, findings, "meeting card", "enter", wait=0.6)
        await with_help(pilot, findings, "meeting card")
        await back_to(pilot, LedgerScreen)
        await stop(pilot, findings, "palette", "ctrl+p", wait=0.5)
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"数据")
        await stop(pilot, findings, "palette search", wait=0.6)
        await back_to(pilot, LedgerScreen)
        await stop(pilot, findings, "office", "p", wait=0.6)
        await with_help(pilot, findings, "office")
        await stop(pilot, findings, "division form", "e")
        await close_modal(pilot)
        await stop(pilot, findings, "person form", "n")
        await close_modal(pilot)
        await back_to(pilot, LedgerScreen)
        await stop(pilot, findings, "calendar", "c", wait=0.6)
        await with_help(pilot, findings, "calendar")
        await stop(pilot, findings, "calendar day", "s")
        await close_modal(pilot)
        await back_to(pilot, LedgerScreen)
        await stop(pilot, findings, "sessions", "r", wait=0.6)
        await with_help(pilot, findings, "sessions")
        for name, key in (("rename session", "e"), ("session rule", "m"), ("new session", "n")):
            await stop(pilot, findings, name, key)
            await close_modal(pilot)
        await back_to(pilot, LedgerScreen)
        await stop(pilot, findings, "new case", "n", wait=0.6)
        await help_panel(pilot, findings, "new case")
        await close_modal(pilot)
        await stop(pilot, findings, "import", "i", wait=0.6)
        await close_modal(pilot)
        assert app.is_running

    assert len(findings.stops) > 60, findings.stops
    assert not findings.found, "\n".join(f"{stop}: {sorted(words)}" for stop, words in findings.found.items())


def test_the_word_check_flags_english():
    """The check itself: Textual's English is found, the allow-list and Chinese are not."""
    assert latin_words("Scroll Left 向左滚动 Focus Next") == {"Scroll", "Left", "Focus", "Next"}
    assert latin_words("ctrl+s 保存　esc 取消　导出 xlsx、csv　q 退出　SQLite") == set()


async def test_help_and_quit_lead_the_footer_at_80_columns_on_every_screen(desk):
    """`?` 帮助 and `q` 退出 are drawn whole inside an 80-column footer wherever the desk is."""
    path, ids = desk
    app = DubanApp(operator=OPERATOR)
    seen = []
    async with app.run_test(size=(80, 24)) as pilot:
        table = await ready(pilot)

        async def check(name: str) -> None:
            await pilot.pause(0.3)
            keys = {key.action.removeprefix("app."): key for key in app.screen.query(FooterKey)}
            for action in ("help", "quit"):
                region = keys[action].region
                assert region.width > 0 and region.right <= 80, (name, action, region)
            assert keys["help"].region.x < keys["quit"].region.x, name
            seen.append(name)

        await check("ledger")
        move_to_case(table, ids["overdue"])
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, CaseScreen) and app.screen.card is not None)
        await check("case")
        await back_to(pilot, LedgerScreen)
        for name, key in (("board", "d"), ("weekly", "w"), ("statistics", "s"), ("office", "p"),
                          ("calendar", "c"), ("sessions", "r")):
            await pilot.press(key)
            await pilot.pause(0.4)
            await check(name)
            if name == "board":
                await pilot.press("n")
                await pilot.pause(0.5)
                await check("notice")
            await back_to(pilot, LedgerScreen)
        await pilot.press("colon")
        await pilot.pause(0.3)
        # The lookup's text field takes ? and q as typed characters: the footer does not offer them there.
        assert not {key.action for key in app.screen.query(FooterKey)} & {"app.help", "app.quit", "help", "quit"}
        seen.append("lookup")
        await pilot.press(*"数据")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await pilot.pause(0.5)
        await check("meeting card")
    assert len(seen) == 11, seen


async def test_the_keys_panel_descriptions_are_not_cut(desk):
    """At 160 columns no description in the keys panel ends in …; at 80 long ones fold onto a
    second line (the ledger's → key's tooltip is read whole across its lines)."""
    path, ids = desk
    for size in ((160, 48), (80, 24)):
        async with DubanApp(operator=OPERATOR).run_test(size=size) as pilot:
            await ready(pilot)
            await pilot.press("question_mark")
            await pilot.pause(0.4)
            panel = pilot.app.screen.query_one("HelpPanel")
            assert panel.region.width >= 40
            table = panel.query_one(DeskBindingsTable)
            console = pilot.app.console
            lines = console.render_lines(table.render(), console.options.update_width(table.size.width), pad=False)
            rows = ["".join(segment.text for segment in line).rstrip() for line in lines]
            assert len(rows) > 10 and not any("…" in row for row in rows), rows
            assert "显示下一组列" in "".join(row.strip() for row in rows), rows


def test_every_textual_binding_the_desk_can_show_is_in_chinese():
    """Input, TextArea, DataTable, Select, OptionList, the Screen and the App: after `keys_zh.apply`
    (run when tui.app is imported) no description, tooltip or group title is English."""
    from textual.app import App
    from textual.containers import ScrollableContainer
    from textual.screen import Screen
    from textual.widgets import DataTable, OptionList, Select, TextArea

    from tui.app import DubanApp as _  # noqa: F401 (applies the table)

    classes = (App, DubanApp, Screen, ScrollableContainer, Input, TextArea, DataTable, Select, OptionList)
    for cls in classes:
        for _key, binding in cls._merged_bindings:
            if binding.system:
                continue
            assert not latin_words(binding.description) and not latin_words(binding.tooltip), (cls, binding)
        assert not latin_words(cls.BINDING_GROUP_TITLE or ""), cls
