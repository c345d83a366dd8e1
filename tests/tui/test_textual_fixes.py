"""The mends to Textual bugs (tui/textual_fixes.py): in place, the same results, and the leak gone."""

from __future__ import annotations

import gc
import weakref

import pytest
from textual._styles_cache import StylesCache
from textual.app import App
from textual.color import Color
from textual.screen import Screen
from textual.widgets import Header, Static, TextArea

from tui import textual_fixes


def test_the_mend_is_in_place_over_textuals_cached_instance_method():
    assert StylesCache.get_inner_outer is textual_fixes._get_inner_outer
    # what it mends: Textual's method is an lru_cache whose key holds the StylesCache itself
    assert hasattr(textual_fixes.TEXTUAL_GET_INNER_OUTER, "cache_info")
    assert textual_fixes.TEXTUAL_GET_INNER_OUTER.__wrapped__.__code__.co_varnames[:3] == (
        "cls", "base_background", "background")


@pytest.mark.parametrize("colours", [
    (Color(18, 18, 18), Color(36, 47, 56)),
    (Color(36, 47, 56), Color(0, 0, 0, 0)),
    (Color(255, 255, 255), Color(10, 20, 30, 0.5)),
])
def test_the_same_styles_as_textuals_own(colours):
    cache = StylesCache()
    ours = cache.get_inner_outer(*colours)
    textuals = textual_fixes.TEXTUAL_GET_INNER_OUTER.__wrapped__(cache, *colours)
    assert ours == textuals


class _Mounting(App):
    def compose(self):
        yield Static("台账", id="keep")


async def test_a_removed_widget_lets_its_drawing_go():
    """Without the mend, each removed widget's StylesCache (every line it drew) stays alive in
    Textual's lru_cache (all 20 here); with it, none does but perhaps the last, until a frame."""
    app = _Mounting()
    gone: list[weakref.ref] = []
    async with app.run_test(size=(40, 10)) as pilot:
        for i in range(20):
            widget = Static(f"第{i}号　关于完善12345热线的提案", classes="card")
            await app.screen.mount(widget)
            await pilot.pause()  # drawn: its StylesCache holds its lines
            assert widget._styles_cache._cache
            gone.append(weakref.ref(widget._styles_cache))
            await widget.remove()
            await pilot.pause()
            del widget
        gc.collect()
        alive = sum(ref() is not None for ref in gone)
    assert alive <= 1, f"{alive} of 20 removed widgets' drawings still alive"  # the last may wait for a frame


class _WithHeader(Screen):
    def compose(self):
        yield Header()
        yield TextArea("跟进内容")


class _Stacking(App):
    def compose(self):
        yield Static("台账")


async def test_a_closed_screen_with_a_header_and_a_text_box_is_let_go():
    """Header watches the App's title and TextArea its theme; without the mend each closed screen's
    Header and TextArea stay on the App's watcher lists (the title never changes) and so alive."""
    app = _Stacking()
    gone: list[weakref.ref] = []
    async with app.run_test(size=(60, 12)) as pilot:
        for _ in range(5):
            screen = _WithHeader()
            await app.push_screen(screen)
            await pilot.pause()
            gone += [weakref.ref(screen.query_one(Header)), weakref.ref(screen.query_one(TextArea))]
            app.pop_screen()
            await pilot.pause()
            del screen
        await pilot.pause()
        gc.collect()
        alive = sum(ref() is not None for ref in gone)
        listed = sum(len(listed) for listed in getattr(app, "__watchers", {}).values())
    assert alive <= 2, f"{alive} of 10 closed widgets still alive"  # the last screen's may wait for a frame
    assert listed <= 6  # the App's own and at most the last screen's
