"""The desk in-process at 160×48: first paint, then each key a user presses, timed three ways.

`measure_desk` drives the real `DubanApp` headless through `App.run_test` and `Pilot`: first
paint and the whole ledger, the harness floor, `/` and typing, `enter` into a case and `esc`
back, `u` to the urge dialog and `enter` to urge; then the screens in bench/desk_screens.py
(`f`, `d`, `w`, `:`, `s`). For each key: raw (through the harness), to the first frame that
shows the effect, and idle to idle (see bench/harness.py `timed_press`).
"""

from __future__ import annotations

import asyncio
import gc
import time
from collections import Counter
from pathlib import Path
from typing import Any

from harness import (
    SIZE,
    DeskIdle,
    FrameClock,
    GcWatch,
    collect_apart,
    median,
    net,
    rss_now_mb,
    rss_peak_mb,
    say,
    timed_press,
    wait_idle,
    wait_until,
)

OPERATOR = "基准测试"


def filter_words(rows, count: int = 2) -> list[str]:
    """Two-character words from the titles whose first character matches 10–50% of them.

    Typing one exercises a broad match (the first character) and a narrower one (both).
    """
    sample = rows[:5000]
    chars: Counter[str] = Counter()
    pairs: Counter[str] = Counter()
    for row in sample:
        title = row.title
        chars.update(set(title))
        pairs.update({title[i:i + 2] for i in range(len(title) - 1) if title[i:i + 2].isalpha()})
    words: list[str] = []
    for pair, _ in pairs.most_common():
        if 0.1 <= chars[pair[0]] / len(sample) <= 0.5 and not set(pair) & set("".join(words)):
            words.append(pair)
        if len(words) == count:
            break
    return words or ["数据"]


class Profiling:
    """One cProfile of the UI thread per phase, when asked for (`--profile DIR`)."""

    def __init__(self, directory: Path | None) -> None:
        self.directory = directory
        self.profilers: dict[str, Any] = {}

    def __call__(self, phase: str | None) -> None:
        if self.directory is None:
            return
        import cProfile

        for profiler in self.profilers.values():
            profiler.disable()
        if phase is not None:
            self.profilers.setdefault(phase, cProfile.Profile()).enable()

    def dump(self, cases: int) -> None:
        if self.directory is None:
            return
        self.directory.mkdir(parents=True, exist_ok=True)
        for phase, profiler in self.profilers.items():
            profiler.dump_stats(self.directory / f"{phase}-{cases}.pstats")
        say(f"profiles           {self.directory}/<phase>-{cases}.pstats (UI thread only; timings are inflated)")


async def measure_desk(cases: int, repeat: int, profile: Path | None) -> dict[str, Any]:
    from desk_screens import measure_screens

    from tui.app import DubanApp
    from tui.screens.ledger import LedgerScreen
    from tui.widgets.ledger_table import LedgerTable

    result: dict[str, Any] = {}
    idle = DeskIdle()
    app = DubanApp(operator=OPERATOR)
    frames = FrameClock(app)
    tables: list[LedgerTable] = []
    profiling = Profiling(profile)

    def table() -> LedgerTable:
        if not tables or tables[0].screen is not app.screen:
            tables[:] = [app.screen.query_one(LedgerTable)]
        return tables[0]

    def on_ledger() -> bool:
        return isinstance(app.screen, LedgerScreen)

    first_rows: list[int] = []

    def first_rows_shown() -> bool:
        if on_ledger() and table().rows:
            first_rows.append(len(table().rows))
            return True
        return False

    first_frame = frames.expect(first_rows_shown)
    full_frame = frames.expect(lambda: on_ledger() and app.ledger.loaded and len(table().rows) == cases)
    profiling("first_paint")
    started = time.perf_counter()
    try:
        async with app.run_test(size=SIZE) as pilot:
            await wait_until(pilot, lambda: on_ledger() and len(table().rows) > 0, "the first rows", step=0.01)
            await pilot.pause()
            result["first_paint_poll_s"] = round(time.perf_counter() - started, 3)
            result["first_paint_s"] = round((await first_frame) - started, 3)
            result["first_window_rows"] = first_rows[0]
            say(f"first paint        {result['first_paint_s']:.3f} s  (frame; through the harness "
                f"{result['first_paint_poll_s']:.3f} s; {first_rows[0]} rows in the first frame)")
            await wait_until(pilot, lambda: app.ledger.loaded, "the snapshot", step=0.01)
            result["snapshot_loaded_s"] = round(time.perf_counter() - started, 3)
            await wait_until(pilot, lambda: len(table().rows) == cases, "the whole ledger in the table", step=0.01)
            await pilot.pause()
            result["full_table_s"] = round((await full_frame) - started, 3)
            result["loaded_idle_s"] = round(await wait_idle(pilot, idle, what="the loaded desk") - started, 3)
            profiling(None)
            say(f"snapshot loaded    {result['snapshot_loaded_s']:.3f} s  (all {cases} rows in the table "
                f"at {result['full_table_s']:.3f} s, desk idle at {result['loaded_idle_s']:.3f} s)")
            await asyncio.sleep(0.5)  # let the post-load refresh (urges this week) settle
            await pilot.pause()
            cpu = time.thread_time()
            gc.collect()
            result["gc_full_collect_ms"] = round((time.thread_time() - cpu) * 1000, 1)
            result["gc_tracked_objects"] = len(gc.get_objects())
            say(f"garbage collector  a full collection takes {result['gc_full_collect_ms']:.1f} ms CPU "
                f"({result['gc_tracked_objects']} tracked objects)")
            gc_watch = GcWatch()
            say(f"memory before measure_floor: now {rss_now_mb():.0f} MB, peak {rss_peak_mb():.0f} MB")
            await measure_floor(pilot, idle, repeat, result)
            say(f"memory before measure_filter: now {rss_now_mb():.0f} MB, peak {rss_peak_mb():.0f} MB")
            await measure_filter(pilot, frames, idle, table, repeat, result, profiling)
            say(f"memory before measure_open_case: now {rss_now_mb():.0f} MB, peak {rss_peak_mb():.0f} MB")
            await measure_open_case(pilot, frames, idle, table, on_ledger, repeat, result, profiling)
            say(f"memory before measure_urge: now {rss_now_mb():.0f} MB, peak {rss_peak_mb():.0f} MB")
            await measure_urge(pilot, frames, idle, table, on_ledger, repeat, result, profiling)
            say(f"memory before measure_screens: now {rss_now_mb():.0f} MB, peak {rss_peak_mb():.0f} MB")
            await measure_screens(pilot, frames, idle, on_ledger, repeat, result)
            gc_watch.close()
            result["gc_gen2_runs"] = gc_watch.runs
            result["gc_gen2_longest_ms"] = round(gc_watch.longest_ms, 1)
            result["gc_pause_max_ms"] = round(gc_watch.longest_pause_ms, 1)
            result["gc_collections"] = gc_watch.collections
            result["gc_pause_max_where"] = gc_watch.longest_pause_where
            result["gc_idle_tidies"] = gc_watch.idle_tidies
            result["gc_idle_tidy_max_ms"] = round(gc_watch.longest_tidy_ms, 1)
            say(f"garbage collector  {gc_watch.collections} collections while measuring keys, longest pause "
                f"{gc_watch.longest_pause_ms:.1f} ms ({gc_watch.longest_pause_where}); {gc_watch.runs} full, longest {gc_watch.longest_ms:.1f} ms CPU; "
                f"apart, {gc_watch.idle_tidies} idle tidies, longest {gc_watch.longest_tidy_ms:.1f} ms")
            result["rss_mb"] = round(rss_peak_mb(), 1)
            result["rss_now_mb"] = round(rss_now_mb(), 1)
            from tui import memory

            await asyncio.sleep(memory.QUIET_SECONDS + 1.5)  # a user reading the screen: the desk tidies
            await pilot.pause()
            result["rss_quiet_mb"] = round(rss_now_mb(), 1)
            say(f"memory             peak {result['rss_mb']:.1f} MB, now {result['rss_now_mb']:.1f} MB, "
                f"after {memory.QUIET_SECONDS + 1.5:.1f} s without a key {result['rss_quiet_mb']:.1f} MB")
    finally:
        idle.close()
    profiling.dump(cases)
    return result


async def measure_floor(pilot, idle: DeskIdle, repeat: int, result: dict[str, Any]) -> None:
    """A key bound to nothing: the harness's own floor, raw and idle to idle."""
    app = pilot.app
    noop = "x" if "x" not in app.active_bindings else "f12"
    floor, idle_floor = [], []
    for _ in range(max(repeat, 5)):
        started = time.perf_counter()
        await pilot.press(noop)
        await pilot.pause()
        floor.append((time.perf_counter() - started) * 1000)
    for _ in range(max(repeat, 5)):
        idle_floor.append((await timed_press(pilot, None, noop, lambda: True, "the no-op key", idle))[2])
    result["noop_key"] = noop
    result["noop_key_ms"] = median(floor)
    result["noop_idle_ms"] = median(idle_floor)
    say(f"no-op key ({noop})     {result['noop_key_ms']:.1f} ms raw, {result['noop_idle_ms']:.1f} ms idle to idle "
        f"(harness floors; raw runs {[round(v) for v in floor]})")


async def measure_filter(pilot, frames, idle, table, repeat, result, profiling) -> None:
    """`/` and type: each keystroke until the table shows the filtered rows."""
    app = pilot.app
    screen = app.screen
    words = filter_words(table().rows)
    await pilot.press("slash")
    await wait_until(pilot, lambda: app.focused is not None and app.focused.id == "filter", "the filter box")
    raw_filter, frame_filter, idle_filter, worst = [], [], [], ("", 0.0)
    profiling("filter")
    for word in words * max(1, (repeat + 3) // 4):
        for mode in (None, idle):  # the word typed and erased raw, then again idle to idle
            text = ""
            for key in [*word, "backspace", "backspace"]:
                text = text[:-1] if key == "backspace" else text + key
                expected = text
                raw, shown, settled = await timed_press(pilot, frames, key, lambda expected=expected: screen.filter_text == expected,
                                                        f"filter {expected!r}", mode)
                if mode is not None:
                    idle_filter.append(settled)
                    continue
                raw_filter.append(raw)
                if shown is not None:
                    frame_filter.append(shown)
                    if shown > worst[1]:
                        worst = (f"{key}→{expected or '(empty)'} ({len(table().rows)} rows)", shown)
                say(f"  filter {key:>9} → {expected or '(empty)':4} {len(table().rows):7} rows  "
                    f"{raw:6.1f} ms raw  {shown if shown is not None else '—':>6} ms to frame")
    profiling(None)
    await pilot.press("escape")
    await wait_until(pilot, lambda: screen.filter_text == "" and app.focused is table(), "the filter cleared")
    result["filter_words"] = words
    result["filter_ms"] = median(raw_filter)
    result["filter_ms_max"] = max(raw_filter)
    result["filter_frame_ms"] = median(frame_filter)
    result["filter_frame_ms_max"] = worst[1]
    result["filter_worst"] = worst[0]
    net(result, "filter_ms_net", idle_filter)
    result["filter_idle_ms_max"] = max(idle_filter)
    say(f"filter keystroke   {result['filter_ms']:.1f} ms raw, {result['filter_frame_ms']:.1f} ms to frame "
        f"(worst {worst[1]:.1f} ms: {worst[0]}), idle to idle net {result['filter_ms_net']:.1f} ms")


async def measure_open_case(pilot, frames, idle, table, on_ledger, repeat, result, profiling) -> None:
    """`enter` into a case until its card shows, `esc` back until the ledger shows."""
    from tui.screens.case import CaseScreen

    app = pilot.app
    collect_apart()
    rss_before_opens = rss_now_mb()
    raw_open, frame_open, idle_open, raw_back, frame_back, idle_back = [], [], [], [], [], []
    for _ in range(repeat):
        for mode in (None, idle):  # raw and to the frame, then idle to idle
            case_id = table().current_row.case_id
            profiling("open_case" if mode is None else None)
            raw, shown, settled = await timed_press(
                pilot, frames, "enter", lambda: isinstance(app.screen, CaseScreen) and app.screen.card is not None,
                "the case card", mode)
            profiling(None)
            assert app.screen.card.id == case_id, "opened another case"
            (raw_open if mode is None else idle_open).append(raw if mode is None else settled)
            if shown is not None:
                frame_open.append(shown)
            raw, shown, settled = await timed_press(pilot, frames, "escape", on_ledger, "the ledger again", mode)
            (raw_back if mode is None else idle_back).append(raw if mode is None else settled)
            if shown is not None:
                frame_back.append(shown)
            await pilot.press("down")
            await pilot.pause()
    collect_apart()
    result["open_case_rss_growth_mb"] = round(rss_now_mb() - rss_before_opens, 1)
    result["open_case_ms"] = median(raw_open)
    result["open_case_frame_ms"] = median(frame_open)
    net(result, "open_case_ms_net", idle_open)
    result["back_ms"] = median(raw_back)
    result["back_frame_ms"] = median(frame_back)
    net(result, "back_ms_net", idle_back)
    say(f"open case          {result['open_case_ms']:.1f} ms raw, {result['open_case_frame_ms']:.1f} ms to frame, "
        f"idle to idle net {result['open_case_ms_net']:.1f} ms (idle {idle_open}); "
        f"memory +{result['open_case_rss_growth_mb']:.1f} MB after {repeat} opens")
    say(f"esc back           {result['back_ms']:.1f} ms raw, {result['back_frame_ms']:.1f} ms to frame, "
        f"idle to idle net {result['back_ms_net']:.1f} ms (idle {idle_back})")


async def measure_urge(pilot, frames, idle, table, on_ledger, repeat, result, profiling) -> None:
    """`u` until its dialog shows, then `enter` in the dialog until the ledger row shows one more urge."""
    from tui.dialogs.urge import UrgeDialog

    app = pilot.app
    raw_urge, frame_urge, idle_urge, proposal_ms, idle_dialog = [], [], [], [], []
    next_index = 0
    for run in range(2 * repeat):  # even runs raw and to the frame, odd runs idle to idle
        mode = None if run % 2 == 0 else idle
        rows = table().rows
        next_index = next(i for i in range(next_index, len(rows))
                          if rows[i].division and rows[i].status not in ("已办结", "已反馈"))
        table().move_to(next_index)
        await pilot.pause()
        row = table().current_row
        case_id, before = row.case_id, row.urge_count
        if mode is None:
            profiling("urge_dialog")
            started = time.perf_counter()
            await pilot.press("u")
            await wait_until(pilot, lambda: isinstance(app.screen, UrgeDialog), "the urge dialog")
            proposal_ms.append(round((time.perf_counter() - started) * 1000, 1))
            profiling(None)
        else:
            idle_dialog.append((await timed_press(pilot, frames, "u", lambda: isinstance(app.screen, UrgeDialog),
                                                  "the urge dialog", idle))[2])
        await pilot.pause()

        def urged(case_id: int = case_id, before: int = before) -> bool:
            if not on_ledger():
                return False
            current = table().current_row
            if current is None or current.case_id != case_id:
                current = next((r for r in table().rows if r.case_id == case_id), None)
            return current is not None and current.urge_count == before + 1

        profiling("urge" if mode is None else None)
        raw, shown, settled = await timed_press(pilot, frames, "enter", urged, "the urge in the ledger", mode)
        profiling(None)
        if mode is not None:
            idle_urge.append(settled)
        else:
            raw_urge.append(raw)
            if shown is not None:
                frame_urge.append(shown)
        next_index += 1
        await asyncio.sleep(0.3)
        await pilot.pause()
    result["urge_ms"] = median(raw_urge)
    result["urge_frame_ms"] = median(frame_urge)
    net(result, "urge_ms_net", idle_urge)
    result["urge_dialog_ms"] = median(proposal_ms)
    net(result, "urge_dialog_ms_net", idle_dialog)
    say(f"urge               {result['urge_ms']:.1f} ms raw, {result['urge_frame_ms']:.1f} ms to frame, "
        f"idle to idle net {result['urge_ms_net']:.1f} ms (idle {idle_urge})")
    say(f"u to the dialog    {result['urge_dialog_ms']:.1f} ms raw, idle to idle net {result['urge_dialog_ms_net']:.1f} ms "
        f"(idle {idle_dialog})")
