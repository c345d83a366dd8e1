"""What every action dialog shares: a title naming the case, an error line, save and cancel.

A dialog saves through the `submit` coroutine it is given. When the store refuses (a bad
date, a step out of order, a case changed elsewhere) the dialog stays open with the reason
shown and every field as the user typed it: nothing entered is lost. `esc` writes nothing.

A dialog that writes to the ledger (`WRITES`, all but a few) does not open on a ledger that
cannot be written: the App refuses it with the reason (tui/app.py `push_screen`).

A dialog opens doing only the work that shows (`ActionDialog`, "Opening, drawn once"); its
Selects make their lists when first opened (`tui.widgets.quick_select.QuickSelect`).
"""

from __future__ import annotations

import sys
from collections.abc import Awaitable, Callable
from typing import Any, ClassVar

from rich.segment import Segment
from rich.style import Style as RichStyle
from textual import events
from textual._context import NoActiveAppError
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.renderables.background_screen import BackgroundScreen
from textual.screen import ModalScreen
from textual.strip import Strip
from textual.visual import RichVisual
from textual.widget import AwaitMount, Widget
from textual.widgets import Static

from store.errors import LedgerError
from tui.text import plain

Submit = Callable[[dict[str, Any]], Awaitable[Any]]

ENTER_SAVES = "单行框中 enter 亦可"
"""The rule of every dialog: ctrl+s saves; enter in a one-line field saves too."""


CHECKED = "-valid"
"""The class Textual's Input gives a field without validators as soon as its value is set. A
field made with it (`SafeInput(..., classes=CHECKED)`) is not restyled by that first check
before it is even mounted (about 1 ms a field on the desk's stylesheet)."""


def save_hint(verb: str = "保存", *, extra: str = "", cancel: str = "esc 取消，不保存", enter: str = ENTER_SAVES) -> str:
    """The save keys in the same words in every dialog: `ctrl+s 保存（单行框中 enter 亦可）　esc 取消，不保存`."""
    return f"ctrl+s {verb}（{enter}）{extra}　{cancel}"


class _KeptBackground(RichVisual):
    """The screen under a dialog, tinted (Textual's `BackgroundScreen`), drawn again only when it changed.

    Textual tints the whole screen beneath a translucent dialog each time the dialog is drawn —
    three times as it opens. Here the tinted lines are kept with what they were drawn from (the
    screen beneath, the size, the tint and the base style); the same inputs give the kept lines.
    Whatever changes on the screen beneath reaches the dialog as a refresh of those regions
    (Textual's way of repainting a background), which drops the kept lines
    (`ActionDialog.refresh`); any change draws them afresh, each distinct style tinted once.
    """

    def __init__(self, widget: Widget, background: BackgroundScreen, kept: list) -> None:
        super().__init__(widget, background)
        self._kept = kept

    def render_strips(self, width, height, style, options):
        background = self._renderable
        key = (background.screen, background.color, width, height,
               style.rich_style, self._widget.link_style if self._widget.auto_links else None)
        if self._kept and self._kept[0] == key:
            return self._kept[1]
        beneath = background.screen._compositor.render_strips()
        strips = self._tinted(beneath, width, height, style.rich_style)
        if strips is None:
            strips = super().render_strips(width, height, style, options)
        self._kept[:] = [key, strips]
        return strips

    def _tinted(self, beneath: list[Strip], width: int, height: int | None, base: RichStyle) -> list[Strip] | None:
        """The lines beneath tinted as Textual tints them (`BackgroundScreen.process_segments`, then the
        widget's base style added as `Widget.post_render` does), each distinct style worked out once.
        None when Textual's own path is needed (lines not of the screen's width, control codes, a
        transparent tint or no base style)."""
        color = self._renderable.color
        if color.a == 0 or not base or base._meta is not None or any(strip.cell_length != width for strip in beneath):
            return None
        tints: dict = {}

        def tinted(style: RichStyle | None) -> RichStyle:
            found = tints.get(style)
            if found is None:
                found = tints[style] = base + next(iter(BackgroundScreen.process_segments(
                    [Segment(" ", style)], color))).style
            return found

        lines = []
        for strip in beneath[:height]:
            segments = []
            for text, style, control in strip:
                if control:
                    return None
                segments.append(Segment(text, tinted(style)))
            lines.append(Strip(segments, width))
        return lines


class ActionDialog(ModalScreen[Any]):
    """A modal form that saves through `submit` and stays open on a refusal."""

    BINDINGS = [
        Binding("escape", "cancel", "取消", id="dialog.cancel", tooltip="关闭，不保存任何内容"),
        Binding("ctrl+s", "save", "保存", id="dialog.save", tooltip="保存"),
    ]

    WRITES: ClassVar[bool] = True
    """Saving writes to the ledger: on a read-only ledger the dialog does not open. False for a
    dialog that writes elsewhere or only reads (the operator's name, a backup copy)."""

    VERTICAL_BREAKPOINTS = [(0, "-short"), (30, "-tall")]
    """A terminal under 30 rows gives the box its whole height and drops the blank padding."""

    def __init__(self, *, heading: str, case_text: str, submit: Submit) -> None:
        super().__init__()
        self.heading = heading
        self.case_text = case_text
        self.submit = submit
        self._saving = False
        self._background: list = []
        """The tinted screen beneath, with what it was drawn from (see `_KeptBackground`)."""
        self._opened = False
        self._showing = False
        self._resized = False
        try:
            self.add_class(*self.breakpoint_classes(self.app), update=False)  # styled as it mounts
        except NoActiveAppError:  # made outside a running desk: Textual sets them on the first resize
            pass

    def breakpoint_classes(self, app) -> set[str]:
        """The classes Textual gives the dialog for `VERTICAL_BREAKPOINTS` on its first resize.

        Given as it is made, the dialog is styled once, for its real height, instead of being
        styled, then styled again and drawn a third time when the resize adds `-tall` or `-short`.
        """
        classes = set()
        width, height = app.size
        for dimension, mine, apps in ((width, self.HORIZONTAL_BREAKPOINTS, app.HORIZONTAL_BREAKPOINTS),
                                      (height, self.VERTICAL_BREAKPOINTS, app.VERTICAL_BREAKPOINTS)):
            breakpoints = (apps if mine is None else mine) or []
            classes.update([next((name for at, name in sorted(breakpoints, reverse=True) if dimension >= at), None)])
        classes.discard(None)
        return classes

    # Opening, drawn once. A new dialog is styled as its widgets mount, then laid out and drawn
    # whole as it first shows, and laid out again when the widgets it sized answer (Textual's
    # two passes, both needed). Four more things Textual does as any screen opens change nothing
    # for a dialog just made, and are left out here — each only for the opening, each pinned by
    # tests/tui/test_dialog_fast.py: (1) the whole dialog styled again (`ScreenResume`);
    # (2) the dialog drawn whole again right after its first draw (`Screen._on_screen_resume`);
    # (3) every screen beneath laid out again at the same size (`Screen._on_resize`), which marks
    # the screen beneath changed, so the dialog tints and draws it all once more; (4) the whole
    # dialog laid out and drawn again once the App sees it mounted (`AwaitMount`).

    def on_screen_resume(self, event: events.ScreenResume) -> None:
        # Called before Textual's own handler (the subclass first); a later resume (a dialog
        # shown again after one above it closed) restyles and draws as Textual does.
        if self._opened:
            return
        self._opened = True
        if not self.css_path and not self.CSS:  # a dialog bringing CSS of its own loads it as it opens
            event.refresh_styles = False  # (1)
        self._showing = True
        self.call_next(self._shown)

    def _shown(self) -> None:
        self._showing = False

    def on_resize(self, event: events.Resize) -> None:
        # The first Resize is the echo of the dialog's own first layout, at the size it was laid
        # out for. Textual's handler lays the dialog out again (kept), lays out the screens
        # beneath (3: on a real resize the App sends each its own Resize) and sets the breakpoint
        # classes — left to Textual unless the dialog already has them (`breakpoint_classes`).
        first, self._resized = not self._resized, True
        if first and event.size == self._size and self._has_breakpoint_classes():
            event.prevent_default()
            self._screen_resized(event.size)

    def _has_breakpoint_classes(self) -> bool:
        app = self.app
        names = {name for breakpoints in (self.HORIZONTAL_BREAKPOINTS, app.HORIZONTAL_BREAKPOINTS,
                                          self.VERTICAL_BREAKPOINTS, app.VERTICAL_BREAKPOINTS)
                 for _, name in breakpoints or []}
        return self.classes & names == self.breakpoint_classes(app)

    def refresh(self, *regions, **kwargs):
        laid_out = self._size == self.app.size  # and drawn whole
        if regions:  # the screen beneath changed there (see `_KeptBackground`)
            self._background.clear()
        elif self._showing and not kwargs and laid_out:
            return self  # (2)
        elif kwargs == {"layout": True} and self._pushed_by(sys._getframe(1)) and laid_out:
            return self  # (4)
        return super().refresh(*regions, **kwargs)

    def _pushed_by(self, frame) -> bool:
        """Whether `frame` is the App's wait for this dialog to mount (`App.push_screen` hands
        back an `AwaitMount` of the screen alone; a mount inside the dialog waits for its own)."""
        waiting = frame.f_locals.get("self") if frame.f_code.co_name == "await_mount" else None
        return isinstance(waiting, AwaitMount) and list(waiting._widgets) == [self]

    def render(self):
        rendered = super().render()
        if isinstance(rendered, BackgroundScreen):
            return _KeptBackground(self, rendered, self._background)
        return rendered

    def frame(self, *children: Widget) -> Vertical:
        """The dialog box: the title and the case held at the top, the error and the save keys
        at the bottom, and `children` between them, scrolling when the terminal is short."""
        box = Vertical(
            Vertical(
                Static(plain(self.heading), classes="dialog-title"),
                Static(plain(self.case_text), classes="dialog-case"),
                classes="dialog-head",
            ),
            Vertical(*children, classes="dialog-body"),
            Vertical(
                Static("", id="dialog-error", classes="dialog-error"),
                Static(Content(self.hint()), classes="dialog-hint"),
                classes="dialog-foot",
            ),
            classes="dialog",
        )
        return box

    def on_mount(self) -> None:
        # Focusing the first field asks Textual to bring it to the centre once laid out, which
        # can leave the fields scrolled past their first label: then start them from the top.
        self.call_after_refresh(self._scroll_fields_home)

    def _scroll_fields_home(self) -> None:
        for body in self.query(".dialog-body"):
            top = body.scrollable_content_region
            focus = self.focused
            if focus is None or focus.region.bottom - top.y + body.scroll_offset.y <= top.height:
                body.scroll_home(animate=False)  # queued after Textual's own scroll to the focus

    def hint(self) -> str:
        return save_hint()

    def show_error(self, message: str, field: Widget | None = None) -> None:
        self.query_one("#dialog-error", Static).update(plain(message, single_line=False))
        for widget in self.query(".-invalid"):
            widget.remove_class("-invalid")
        if field is not None:
            field.add_class("-invalid")
            field.focus()

    def planned_date(self, box, what: str) -> tuple[bool, Any]:
        """Read a planned date (today or later) from `box`: (True, date or None if empty), or
        (False, None) after marking the field with what is wrong."""
        from store import clock

        if not box.value.strip():
            return True, None
        try:
            day = clock.parse_date(box.value)
        except ValueError as exc:
            self.show_error(str(exc), box)
            return False, None
        if day < clock.today():
            self.show_error(f"{what}{day:%Y-%m-%d}已经过去，请选择今天或以后的日期。", box)
            return False, None
        return True, day

    def values(self) -> dict[str, Any] | None:
        """The form's values, or None after marking what is wrong."""
        raise NotImplementedError

    def action_cancel(self) -> None:
        self.dismiss(None)

    async def action_save(self) -> None:
        if self._saving:
            return
        values = self.values()
        if values is None:
            return
        self._saving = True
        try:
            result = await self.submit(values)
        except LedgerError as exc:
            self.show_error(exc.message, self.field_for_error(exc.message))
            return
        finally:
            self._saving = False
        self.dismiss(result)

    def field_for_error(self, message: str) -> Widget | None:
        """The field a store refusal is about, to mark it (None: no single field)."""
        return None
