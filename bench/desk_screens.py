"""The ledger's other keys, in-process: `f` to its dialog, `d`, `w`, `:` and `s`, each then `esc`.

Each key is pressed on the ledger with the desk idle and timed until its screen (or dialog) is
the current one and the desk is idle again — its worker done, no store call pending — so a
board or statistics screen counts only once its figures are in. Then `esc` back to the ledger.
Last, `open_case_after_statistics_ms`: `s`, `esc` as soon as the statistics screen shows, then
`enter` on the ledger, timed from that `enter` until the case card shows (it measures whether a
case waits behind the statistics still computing).
"""

from __future__ import annotations

import time
from typing import Any

from harness import median, net, rss_now_mb, rss_peak_mb, say, send_key, timed_press, wait_idle, wait_until

SCREEN_TIMEOUT = 300.0  # seconds for one of these keys to go idle before it is reported as timed out

# (figure, key, what it opens: module, class)
KEYS = [
    ("follow_up_dialog", "f", "tui.dialogs.follow_up", "FollowUpDialog"),
    ("divisions", "d", "tui.screens.divisions", "DivisionBoardScreen"),
    ("weekly", "w", "tui.screens.weekly", "WeeklyReviewScreen"),
    ("lookup", "colon", "tui.screens.lookup", "LookupScreen"),
    ("statistics", "s", "tui.screens.statistics", "StatisticsScreen"),
]


async def measure_screens(pilot, frames, idle, on_ledger, repeat: int, result: dict[str, Any],
                          statistics_repeat: int = 3) -> None:
    """`<figure>_ms` raw, `<figure>_frame_ms` to the first frame, `<figure>_ms_net` idle to idle."""
    import importlib

    app = pilot.app
    for figure, key, module, name in KEYS:
        kind = getattr(importlib.import_module(module), name)
        raw_runs, frame_runs, idle_runs = [], [], []
        try:
            for _ in range(statistics_repeat if figure == "statistics" else repeat):
                for mode in (None, idle):  # raw and to the frame, then idle to idle
                    raw, shown, settled = await timed_press(
                        pilot, frames, key, lambda kind=kind: isinstance(app.screen, kind), f"the {name}", mode,
                        timeout=SCREEN_TIMEOUT)
                    if mode is not None:
                        idle_runs.append(settled)
                    else:
                        raw_runs.append(raw)
                        if shown is not None:
                            frame_runs.append(shown)
                    await pilot.press("escape")
                    await wait_idle(pilot, idle, on_ledger, "the ledger again", timeout=SCREEN_TIMEOUT)
        except TimeoutError as exc:  # reported as such; the runs so far still count
            result.setdefault("timeouts", []).append(f"{figure}: {exc}")
            say(f"{key:>5} {name:<22} TIMED OUT: {exc}")
            await back_to_ledger(pilot, idle, on_ledger)
        result[f"{figure}_ms"] = median(raw_runs) if raw_runs else None
        result[f"{figure}_frame_ms"] = median(frame_runs) if frame_runs else None
        net(result, f"{figure}_ms_net", idle_runs)
        say(f"{key:>5} {name:<22} {result[f'{figure}_ms']} ms raw, {result[f'{figure}_frame_ms']} ms to "
            f"frame, idle to idle net {result[f'{figure}_ms_net']} ms (idle {idle_runs}); memory now {rss_now_mb():.0f} MB, peak {rss_peak_mb():.0f} MB")
    try:
        await measure_open_after_statistics(pilot, idle, on_ledger, result)
    except TimeoutError as exc:
        result.setdefault("timeouts", []).append(f"open_case_after_statistics: {exc}")
        say(f"open after s       TIMED OUT: {exc}")
        await back_to_ledger(pilot, idle, on_ledger)


async def back_to_ledger(pilot, idle, on_ledger) -> None:
    """After a timeout: `esc` until the ledger shows, then wait (up to SCREEN_TIMEOUT) for quiet."""
    for _ in range(5):
        if on_ledger():
            break
        await pilot.press("escape")
    try:
        await wait_idle(pilot, idle, on_ledger, "the ledger after a timeout", timeout=SCREEN_TIMEOUT)
    except TimeoutError as exc:
        say(f"still busy         {exc}")


async def measure_open_after_statistics(pilot, idle, on_ledger, result: dict[str, Any]) -> None:
    """`s`, `esc` at once, `enter`: ms from the `enter` until the case card is the screen."""
    from tui.screens.case import CaseScreen
    from tui.screens.statistics import StatisticsScreen

    app = pilot.app
    await wait_idle(pilot, idle, what="idle before s", timeout=SCREEN_TIMEOUT)
    send_key(app, "s")
    await wait_until(pilot, lambda: isinstance(app.screen, StatisticsScreen), "the statistics screen", step=0.002)
    send_key(app, "escape")
    await wait_until(pilot, on_ledger, "the ledger again", step=0.002)
    started = time.perf_counter()
    send_key(app, "enter")
    await wait_until(pilot, lambda: isinstance(app.screen, CaseScreen) and app.screen.card is not None,
                     "the case card", step=0.002)
    result["open_case_after_statistics_ms"] = round((time.perf_counter() - started) * 1000, 1)
    say(f"open after s       {result['open_case_after_statistics_ms']:.1f} ms from enter to the case card "
        f"(s, esc, enter in a row)")
    await pilot.press("escape")
    await wait_idle(pilot, idle, on_ledger, "the ledger again", timeout=SCREEN_TIMEOUT)
