"""The keys panel (`?`): Textual's HelpPanel whose descriptions fold instead of ending in "…".

Textual's bindings table cuts a description that does not fit with an ellipsis; Chinese has no
spaces to wrap at, so every description longer than the column was cut. Here the table's
columns fold (a long description takes a second line), and tui/app.tcss makes the panel wide
enough that at 160 columns most fit on one line.
"""

from __future__ import annotations

from rich.table import Table
from textual.app import ComposeResult
from textual.widgets import HelpPanel, KeyPanel, Markdown
from textual.widgets._key_panel import BindingsTable


class DeskBindingsTable(BindingsTable):
    """The bindings table, its descriptions folded at the panel's width."""

    def render_bindings_table(self) -> Table:
        table = super().render_bindings_table()
        for column in table.columns:
            column.overflow = "fold"
        return table


class DeskKeyPanel(KeyPanel):
    """The key list of the help panel (a KeyPanel: Textual's own CSS still applies)."""

    def compose(self) -> ComposeResult:
        yield DeskBindingsTable(shrink=True, expand=False)


class DeskHelpPanel(HelpPanel):
    """The help panel the desk mounts on `?` (a HelpPanel: `query("HelpPanel")` finds it)."""

    def compose(self) -> ComposeResult:
        yield Markdown(id="widget-help")
        yield DeskKeyPanel(id="keys-help")
