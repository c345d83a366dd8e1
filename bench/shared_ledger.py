"""Benchmark: one ledger shared by 3 desks while 3 writers make 1,000 writes each (issue 13).

    python bench/shared_ledger.py [--db postgresql://…] [--engine sqlite] [--cases 2000]
                                  [--writes 1000] [--pause 0.01] [--logs DIR]

Server: `--db URL` uses that PostgreSQL database (seeded when it holds no case); otherwise a
throwaway cluster is started with tests/pg_server.py's `Server` (initdb as nobody when root) and
stopped at the end. `--engine sqlite` runs the same on a SQLite file in a temporary folder.
The ledger is seeded as `duban seed --fixture synthetic --cases 2000` does (`fixtures.seed`).

Desks (3 processes, spawn): each opens the ledger (`store.db.open_database`) and runs the desk's
own code, `tui.ledger_data.LedgerData` over a `tui.gateway.StoreGateway` inside `asyncio.run`:
`first_look()`, `load_all()`, then `check()` on a fixed 1.0 s tick (`tui.app.REFRESH_SECONDS`,
as the App's `set_interval`). After each check that reports anything, the desk compares every row
of its snapshot with what it last saw and records (case id, version, urge_count, time.time())
for each row that changed — the snapshot being what the desk shows, whether `check()` brought the
row in by itself or by a whole reload. At the end it dumps its snapshot (case id → version,
urge_count) and its sightings to a JSON file.

Writers (3 processes, spawn), once every desk has loaded: 1,000 writes each (or 10 minutes),
with a random pause of 0–`--pause` s (10 ms) after each. A write is, at random: 35% `urge_division`,
35% `log_follow_up` (查办), each on one case (80% from a hot set of 50 cases, 20% from the other
cases that can be urged and followed up), with `expected_version` read from the case just before
(so a case another writer changed meanwhile is a `VersionConflict`); 30% `urge_cases` on 3–10 cases
of the hot set, in random order. The actions are called directly in the writer's thread (as the
command line does), so a driver error is not wrapped and surfaces as itself. Each write carries a
unique note; the writer logs kind, case ids, outcome (ok / conflict / busy = `BUSY_REFUSAL` /
refused = another `LedgerError`, with its text / error = any other exception), the versions the
write produced (from the returned `Recorded`s) and time.time() when the call returned.

Figures, once the writers are done and the desks have had 5 s more to catch up:
- writes: ok / conflict / busy / refused / error (a deadlock or other exception surfacing: bad).
- lost: ok writes whose events (by note) are not all in the database with the versions returned;
  phantom: refused writes with any event in the database; duplicate versions: two events of this
  run on one case with the same version; drift: touched cases whose `version` is not their newest
  event's version (all by plain SQL); PostgreSQL: the server's own deadlock count for the database
  (pg_stat_database.deadlocks: deadlocks met and retried by `retrying`, not surfaced).
- stale: (desk, case) pairs where the desk's final snapshot differs from the database's
  (version, urge_count).
- wait: for each ok write and each desk, time.time() of the desk's first sighting of every case of
  the write at a version ≥ the one written, minus the write's return (the longest of its cases;
  a sighting before the return — the desk read the commit before the writer's call came back —
  counts 0): max, p50, p95 over (write, desk) pairs, and how many were never seen.
A readable table goes to stdout, then, last, one JSON line with all the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import multiprocessing as mp
import random
import shutil
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OPERATOR = "基准写入"
HOT = 50
WRITER_LIMIT = 600.0
CATCH_UP = 5.0


# ------------------------------------------------------------------------------- desks


def desk_main(target: str, index: int, ready, stop, out: str) -> None:
    from store.db import open_database

    open_database(target)
    asyncio.run(_desk(index, ready, stop, out))


async def _desk(index: int, ready, stop, out: str) -> None:
    from store.errors import ConnectionLost
    from tui.app import REFRESH_SECONDS
    from tui.gateway import StoreGateway
    from tui.ledger_data import LedgerData

    gateway = StoreGateway()
    data = LedgerData(gateway)
    started = time.monotonic()
    await data.first_look()
    await data.load_all()
    load_s = time.monotonic() - started
    seen = {row.case_id: (row.version, row.urge_count) for row in data.snapshot.rows()}
    sightings, check_ms, problems = [], [], []
    reloads = fired = 0
    ready.set()
    tick = time.monotonic() + REFRESH_SECONDS
    while not stop.is_set():
        await asyncio.sleep(max(0.0, tick - time.monotonic()))
        tick = max(tick + REFRESH_SECONDS, time.monotonic())
        begun = time.monotonic()
        try:
            changed = await data.check()
        except ConnectionLost as exc:
            problems.append(f"ConnectionLost: {exc}")
            continue
        except Exception as exc:  # noqa: BLE001 - every failure is a figure
            problems.append(f"{type(exc).__name__}: {exc}")
            continue
        check_ms.append((time.monotonic() - begun) * 1000)
        if changed is None:
            continue
        fired += 1
        reloads += changed == []
        now = time.time()
        for row in data.snapshot.rows():
            state = (row.version, row.urge_count)
            if seen.get(row.case_id) != state:
                seen[row.case_id] = state
                sightings.append((row.case_id, row.version, row.urge_count, now))
    final = {row.case_id: (row.version, row.urge_count) for row in data.snapshot.rows()}
    await data.close()
    gateway.close()
    Path(out).write_text(json.dumps({
        "desk": index, "load_s": load_s, "checks": len(check_ms), "fired": fired, "reloads": reloads,
        "check_ms_max": max(check_ms, default=0), "check_ms_p50": _pct(check_ms, 50),
        "problems": problems, "sightings": sightings, "final": final}))


# ------------------------------------------------------------------------------ writers


def writer_main(target: str, index: int, hot: list[int], cold: list[int], writes: int, pause: float,
                tag: str, go, out: str) -> None:
    from store import actions
    from store.actions.common import BUSY_REFUSAL
    from store.db import open_database
    from store.errors import LedgerError, VersionConflict
    from store.models import Case

    open_database(target)
    rng = random.Random(f"{tag}-{index}")
    go.wait()
    deadline = time.monotonic() + WRITER_LIMIT
    log = []
    for n in range(writes):
        if time.monotonic() > deadline:
            break
        kind = rng.choices(("urge", "follow_up", "batch"), weights=(35, 35, 30))[0]
        note = f"{tag}-w{index}-{n}"
        if kind == "batch":
            ids = rng.sample(hot, rng.randint(3, 10))
        else:
            ids = [rng.choice(hot) if rng.random() < 0.8 or not cold else rng.choice(cold)]
        entry = {"n": n, "kind": kind, "ids": ids, "note": note, "start": time.time(), "versions": {}}
        try:
            if kind == "batch":
                done = actions.urge_cases(ids, OPERATOR, note=note)
            else:
                expected = Case.select(Case.version).where(Case.id == ids[0]).scalar()
                if kind == "urge":
                    done = [actions.urge_division(ids[0], OPERATOR, note=note, expected_version=expected)]
                else:
                    done = [actions.log_follow_up(ids[0], OPERATOR, kind="查办", note=note,
                                                  expected_version=expected)]
            entry["outcome"] = "ok"
            entry["versions"] = {str(r.case_id): r.version for r in done}
        except VersionConflict as exc:
            entry["outcome"], entry["text"] = "conflict", exc.message
        except LedgerError as exc:
            entry["outcome"] = "busy" if exc.message == BUSY_REFUSAL else "refused"
            entry["text"] = exc.message
        except Exception as exc:  # noqa: BLE001 - a driver error surfacing is what we look for
            entry["outcome"], entry["text"] = "error", f"{type(exc).__name__}: {exc}"
        entry["end"] = time.time()
        log.append(entry)
        time.sleep(rng.uniform(0, pause))
    Path(out).write_text(json.dumps(log))


# ---------------------------------------------------------------------------------- run


def _pct(values, p):
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


def _pg_server():
    spec = importlib.util.spec_from_file_location("pg_server", ROOT / "tests" / "pg_server.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.Server()


def prepare(target: str, cases: int, seed: str) -> tuple[list[int], list[int], int]:
    """Seed the ledger when it is empty; the hot set and the other writable cases."""
    import fixtures
    from store.db import close_database, open_database
    from store.models import Case
    from store.steps import refusal

    open_database(target)
    if Case.select().count() == 0:
        fixtures.seed("synthetic", cases=cases)
    total = Case.select().count()
    able = sorted(c.id for c in Case.select() if refusal(c, "urge") is None and refusal(c, "follow_up") is None)
    close_database()
    rng = random.Random(seed)
    hot = rng.sample(able, min(HOT, len(able)))
    return hot, sorted(set(able) - set(hot)), total


def database_state(target: str, tag: str):
    from store.db import close_database, database, open_database

    open_database(target)
    sql = database.obj.execute_sql
    cases = {cid: (v, u) for cid, v, u in sql('SELECT id, version, urge_count FROM "case"').fetchall()}
    events = sql("SELECT note, case_id, version FROM event WHERE note LIKE %s" if database.obj.param == "%s"
                 else "SELECT note, case_id, version FROM event WHERE note LIKE ?", (f"{tag}-%",)).fetchall()
    newest = dict(sql("SELECT case_id, MAX(version) FROM event GROUP BY case_id").fetchall())
    deadlocks = (sql("SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()").fetchone()[0]
                 if database.obj.param == "%s" else None)
    close_database()
    return cases, events, newest, deadlocks


def figures(logs: list[dict], desks: list[dict], cases: dict, events: list, newest: dict) -> dict:
    by_note: dict[str, set] = {}
    for note, case_id, version in events:
        by_note.setdefault(note, set()).add((case_id, version))
    outcomes = Counter(entry["outcome"] for entry in logs)
    ok = [e for e in logs if e["outcome"] == "ok"]
    lost = [e["note"] for e in ok if by_note.get(e["note"], set()) != {(int(c), v) for c, v in e["versions"].items()}]
    phantom = [e["note"] for e in logs if e["outcome"] != "ok" and e["note"] in by_note]
    pairs = Counter((case_id, version) for _, case_id, version in events)
    duplicates = sorted(k for k, n in pairs.items() if n > 1)
    touched = {case_id for _, case_id, _ in events}
    drift = sorted(c for c in touched if cases[c][0] != newest.get(c))
    stale = [(d["desk"], int(c), tuple(d["final"].get(str(c), (None, None))), cases[c]) for d in desks
             for c in cases if tuple(d["final"].get(str(c), (None, None))) != cases[c]]
    waits, unseen, worst = [], [], (0.0, None)
    for desk in desks:
        seen_at: dict[int, list] = {}
        for case_id, version, _, at in desk["sightings"]:
            seen_at.setdefault(case_id, []).append((version, at))
        for e in ok:
            longest = 0.0
            for c, v in e["versions"].items():
                at = next((t for ver, t in seen_at.get(int(c), []) if ver >= v), None)
                if at is None:
                    longest = None
                    break
                longest = max(longest, at - e["end"])
            if longest is None:
                unseen.append((desk["desk"], e["note"]))
            else:
                waits.append(longest)
                if longest > worst[0]:
                    worst = (longest, f"desk {desk['desk']} {e['note']} {e['kind']} {e['ids']}")
    texts = Counter(e.get("text", "")[:120] for e in logs if e["outcome"] in ("refused", "error", "busy"))
    return {
        "writes": len(logs), **{k: outcomes.get(k, 0) for k in ("ok", "conflict", "busy", "refused", "error")},
        "batch_ok": sum(e["kind"] == "batch" for e in ok), "cases_written": sum(len(e["versions"]) for e in ok),
        "lost": len(lost), "lost_notes": lost[:10], "phantom": len(phantom), "phantom_notes": phantom[:10],
        "duplicate_versions": len(duplicates), "duplicate_examples": duplicates[:10],
        "version_drift": len(drift), "drift_cases": drift[:10],
        "stale": len(stale), "stale_examples": stale[:10],
        "wait_pairs": len(waits), "never_seen": len(unseen), "never_seen_examples": unseen[:10],
        "wait_max_s": round(max(waits), 3) if waits else None,
        "wait_p50_s": round(_pct(waits, 50), 3) if waits else None,
        "wait_p95_s": round(_pct(waits, 95), 3) if waits else None, "worst_wait": worst[1],
        "refusal_texts": dict(texts.most_common(5)),
        "write_ms_p50": round(_pct([(e["end"] - e["start"]) * 1000 for e in logs], 50) or 0, 1),
        "write_ms_max": round(max(((e["end"] - e["start"]) * 1000 for e in logs), default=0), 1),
        "desks": [{k: d[k] for k in ("desk", "load_s", "checks", "fired", "reloads", "check_ms_max",
                                     "check_ms_p50", "problems")} for d in desks],
    }


def run(args) -> dict:
    folder = Path(tempfile.mkdtemp(prefix="duban-shared-"))
    server = None
    try:
        if args.engine == "sqlite":
            target = str(folder / "ledger.db")
        elif args.db:
            target = args.db
        else:
            server = _pg_server().start()
            target = server.new_database()
        tag = f"bench-{uuid.uuid4().hex[:8]}"
        hot, cold, total = prepare(target, args.cases, tag)
        print(f"ledger: {args.engine}, {total} cases, hot set {len(hot)}, others {len(cold)}", flush=True)
        ctx = mp.get_context("spawn")
        stop, go = ctx.Event(), ctx.Event()
        readies = [ctx.Event() for _ in range(args.desks)]
        desks = [ctx.Process(target=desk_main, args=(target, i, readies[i], stop, str(folder / f"desk{i}.json")))
                 for i in range(args.desks)]
        writers = [ctx.Process(target=writer_main, args=(target, i, hot, cold, args.writes, args.pause, tag, go,
                                                         str(folder / f"writer{i}.json"))) for i in range(args.writers)]
        procs = desks + writers
        try:
            for p in procs:
                p.start()
            for ready in readies:
                if not ready.wait(180):
                    raise RuntimeError("a desk did not load within 180 s")
            began = time.monotonic()
            go.set()
            for w in writers:
                w.join(max(1.0, WRITER_LIMIT + 60 - (time.monotonic() - began)))
            wrote_s = time.monotonic() - began
            print(f"writers done in {wrote_s:.1f} s; desks catch up for {CATCH_UP:.0f} s", flush=True)
            time.sleep(CATCH_UP)
            stop.set()
            for d in desks:
                d.join(60)
        finally:
            stop.set()
            go.set()
            for p in procs:
                if p.is_alive():
                    print(f"terminating {p.name} (pid {p.pid})", flush=True)
                    p.terminate()
                    p.join(10)
        logs = [e for i in range(args.writers) if (folder / f"writer{i}.json").exists()
                for e in json.loads((folder / f"writer{i}.json").read_text())]
        desk_data = [json.loads((folder / f"desk{i}.json").read_text()) for i in range(args.desks)
                     if (folder / f"desk{i}.json").exists()]
        if args.logs:
            Path(args.logs).mkdir(parents=True, exist_ok=True)
            for log in folder.glob("*.json"):
                shutil.copy(log, Path(args.logs) / log.name)
        cases, events, newest, deadlocks = database_state(target, tag)
        result = figures(logs, desk_data, cases, events, newest)
        result.update(server_deadlocks=deadlocks, engine=args.engine, cases=total, desks_reported=len(desk_data), writers=args.writers,
                      writes_each=args.writes, pause_s=args.pause, writing_s=round(wrote_s, 1))
        return result
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(folder, ignore_errors=True)


def report(r: dict) -> None:
    rows = [
        ("engine", r["engine"]), ("cases in ledger", r["cases"]),
        ("writes (writers × each)", f"{r['writes']} ({r['writers']} × {r['writes_each']}) in {r['writing_s']} s"),
        ("ok / conflict / busy", f"{r['ok']} / {r['conflict']} / {r['busy']}"),
        ("refused (other) / errors", f"{r['refused']} / {r['error']}"),
        ("case writes landed (batch ok)", f"{r['cases_written']} ({r['batch_ok']})"),
        ("lost / phantom", f"{r['lost']} / {r['phantom']}"),
        ("duplicate versions / drift", f"{r['duplicate_versions']} / {r['version_drift']}"),
        ("deadlocks the server saw (retried)", r["server_deadlocks"]),
        ("stale desk rows after 5 s", r["stale"]),
        ("wait max / p50 / p95 (s)", f"{r['wait_max_s']} / {r['wait_p50_s']} / {r['wait_p95_s']}"),
        ("(write, desk) pairs / unseen", f"{r['wait_pairs']} / {r['never_seen']}"),
        ("worst wait", r["worst_wait"]),
        ("write ms p50 / max", f"{r['write_ms_p50']} / {r['write_ms_max']}"),
    ]
    for d in r["desks"]:
        line = (f"load {d['load_s']:.2f} s, {d['checks']} checks ({d['fired']} fired, {d['reloads']} reloads), "
                f"check p50 {d['check_ms_p50'] or 0:.1f} ms max {d['check_ms_max']:.1f} ms, {len(d['problems'])} problems")
        rows.append((f"desk {d['desk']}", line))
    width = max(len(k) for k, _ in rows)
    for key, value in rows:
        print(f"  {key:<{width}}  {value}")
    for text, n in r["refusal_texts"].items():
        print(f"  refusal ×{n}: {text}")
    for d in r["desks"]:
        for problem in d["problems"][:3]:
            print(f"  desk {d['desk']} problem: {problem}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", choices=("postgresql", "sqlite"), default="postgresql")
    parser.add_argument("--db", help="a PostgreSQL URL (default: a throwaway cluster)")
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--writes", type=int, default=1000)
    parser.add_argument("--desks", type=int, default=3)
    parser.add_argument("--writers", type=int, default=3)
    parser.add_argument("--pause", type=float, default=0.01, help="longest random pause after a write (s)")
    parser.add_argument("--logs", help="a folder to keep the desks' and writers' JSON logs in")
    args = parser.parse_args(argv)
    result = run(args)
    report(result)
    print(json.dumps(result, ensure_ascii=False), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
