"""Mends for Textual bugs the desk runs into, applied once when `tui.app` is imported.

Each is small, keeps Textual's behaviour and is pinned by tests/tui/test_textual_fixes.py, so
that a Textual release that changes the code mended here fails loudly instead of quietly.

- `StylesCache.get_inner_outer` (Textual 8.2, textual/_styles_cache.py) is an `lru_cache(1024)`
  on what was meant to be a class method but is an instance method: its key holds the
  `StylesCache` itself, and with it every line the widget last drew, each with its own caches of
  cut and styled copies. Up to 1,024 closed widgets' drawings stay alive: at 100,000 cases each
  case opened and closed kept ~1.4 MB (30 opens: +46 MB of live objects, RSS 221 → 299 MB).
  Reported upstream as Textualize/textual#6665. Here the same two styles are cached by the two
  colours alone.
- A widget that watches one of the App's reactives (`Header` its title and sub-title,
  `TextArea` its theme) is listed among the App's watchers, and Textual drops a closed widget
  from that list only when the watched value next changes — for the title, never. Each closed
  screen with a `Header` (统计, 处室, 查找 …) and each closed dialog with a text box stayed alive
  with its widgets. Here a widget, as it closes, is taken off the App's lists too.
"""

from __future__ import annotations

from functools import lru_cache

from textual._context import active_app
from textual._styles_cache import StylesCache
from textual.color import Color
from textual.reactive import Reactive
from textual.style import Style


TEXTUAL_GET_INNER_OUTER = StylesCache.__dict__["get_inner_outer"]
"""Textual's own method, as imported (the test compares the styles it makes with ours)."""


@lru_cache(1024)
def inner_outer(base_background: Color, background: Color) -> tuple[Style, Style]:
    """The inner and outer background styles of a widget's lines, as Textual's method makes them."""
    return Style(background=base_background + background), Style(background=base_background)


def _get_inner_outer(self: StylesCache, base_background: Color, background: Color) -> tuple[Style, Style]:
    return inner_outer(base_background, background)


TEXTUAL_CLEAR_WATCHERS = Reactive.__dict__["_clear_watchers"].__func__
"""Textual's own (it clears the watchers on the closing object itself)."""


def _clear_watchers(cls, obj) -> None:
    """Textual's, and the closing object taken off the App's watcher lists."""
    TEXTUAL_CLEAR_WATCHERS(cls, obj)
    app = active_app.get(None)
    watchers = getattr(app, "__watchers", None) if app is not None and app is not obj else None
    for name, listed in (watchers or {}).items():
        if any(node is obj for node, _ in listed):
            listed[:] = [(node, callback) for node, callback in listed if node is not obj]


def apply() -> None:
    """Put the mends in place (once; applying again changes nothing)."""
    StylesCache.get_inner_outer = _get_inner_outer
    Reactive._clear_watchers = classmethod(_clear_watchers)


apply()
