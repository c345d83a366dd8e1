"""Benchmark: 导入交办清单 of N rows into a fresh ledger — check, write, memory, I/O, write lock.

    python bench/import.py --rows 50000 [--format xlsx|csv] [--keep DIR]

Three processes, so no figure counts another's work:

1. a child writes the synthetic list (`--format`, default xlsx; what `read_table` reads):
   one 人大 session, numbers 2026xxxxx, every role (汇办 rows name their lead unit, 承办
   rows no co-units), 2,000 proposers across 15 代表团, two co-signers a row, a summary;
2. this process creates an empty ledger (`open_database`), closes it, and starts the
   **lock probe**: a thread with its own `sqlite3` connection (timeout 0) that tries
   `BEGIN IMMEDIATE` (then `ROLLBACK`) every 20 ms and records the longest span during
   which it could not get the write lock — what another workstation would feel;
3. a child imports the file with `store.io.importer` (`read_table`, then `import_table`),
   timing the phases from the importer's own progress calls (the first 检查 call starts
   the check, the first 写入 call the write; the write ends when `import_table` returns,
   after the commit). It reports:
   - `read_s`, `check_s`, `write_s`, `total_s` (wall clock, `time.perf_counter`);
   - `peak_rss_mb`: the child's `ru_maxrss` (peak resident memory of the importing
     process, file reading included), and `rss_before_mb` at the start for reference;
   - `write_bytes` and `wchar`: the delta of the child's `/proc/self/io` around the
     import (`write_bytes`: what reached the block layer — 0 on tmpfs; `wchar`: every
     byte handed to write(2)), and `bytes_per_row` from `wchar`;
   - `ledger_bytes`, `wal_bytes`: the ledger and its WAL file after the import.

`lock_held_s` is the probe's longest span. The last line is one JSON object of all figures.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SESSION = "市八届人大二次会议"
HEADER = ["序号", "编号", "案由", "领衔代表", "代表团", "单位及职务", "联系电话", "附议代表", "办理方式", "主办单位",
          "会办单位", "类别", "内容摘要", "交办日期"]
GROUPS = ["福田", "罗湖", "南山", "盐田", "宝安", "龙岗", "龙华", "坪山", "光明", "大鹏", "前海", "解放军", "企业界",
          "科技界", "教育界"]
TOPICS = ["城市建设", "教育", "医疗卫生", "交通", "营商环境", "生态环境", "社会保障", "数字政府"]
ROLES = ["主办", "承办", "分办", "会办"]
SURNAMES = "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华金魏陶姜"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰"


def _name(i: int) -> str:
    return SURNAMES[i % len(SURNAMES)] + GIVEN[(i // len(SURNAMES)) % len(GIVEN)] + GIVEN[(i // 7) % len(GIVEN)]


def synthetic_rows(count: int, assigned: dt.date):
    for i in range(count):
        role = ROLES[i % 4]
        proposer = i % 2000
        yield [i + 1, f"2026{i + 1:05d}", f"关于推进第{i + 1}项民生工作的建议", _name(proposer),
               f"{GROUPS[proposer % len(GROUPS)]}代表团", "某区某单位负责人", f"138{proposer:08d}",
               f"{_name(i + 7)}、{_name(i + 11)}", role, "市发展改革委" if role == "会办" else "本局",
               "" if role == "承办" else "市政务服务数据管理局", TOPICS[i % len(TOPICS)],
               "建议加强统筹协调，完善工作机制，" * 3, assigned]


def make_file(path: Path, count: int, assigned: dt.date) -> None:
    if path.suffix == ".csv":
        import csv

        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(HEADER)
            for row in synthetic_rows(count, assigned):
                writer.writerow([v.isoformat() if isinstance(v, dt.date) else v for v in row])
        return
    import openpyxl

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("交办清单")
    sheet.append([f"{SESSION}代表建议交办清单"])
    sheet.append(HEADER)
    for row in synthetic_rows(count, assigned):
        sheet.append(row)
    workbook.save(path)


def _proc_io() -> dict[str, int]:
    try:
        with open("/proc/self/io") as handle:
            return {k: int(v) for k, v in (line.split(":") for line in handle)}
    except OSError:
        return {}


def run_import(listing: Path, ledger: Path) -> dict:
    """In the child: read, check and write; the figures as a dict."""
    from store.db import close_database, open_database
    from store.io import importer

    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    open_database(ledger)
    marks: dict[str, float] = {}

    def progress(done, total, phase):
        marks.setdefault(phase, time.perf_counter())

    io_before = _proc_io()
    start = time.perf_counter()
    table = importer.read_table(listing)
    read_end = time.perf_counter()
    result = importer.import_table(table, "基准测试", session=SESSION, progress=progress)
    end = time.perf_counter()
    io_after = _proc_io()
    close_database()
    rows = result.total
    wchar = io_after.get("wchar", 0) - io_before.get("wchar", 0)
    return {
        "rows": rows, "created": len(result.created),
        "read_s": round(read_end - start, 2),
        "check_s": round(marks.get("写入", end) - marks.get("检查", read_end), 2),
        "write_s": round(end - marks.get("写入", end), 2),
        "total_s": round(end - start, 2),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "rss_before_mb": round(rss_before, 1),
        "write_bytes": io_after.get("write_bytes", 0) - io_before.get("write_bytes", 0),
        "wchar": wchar, "bytes_per_row": round(wchar / rows) if rows else None,
    }


class LockProbe(threading.Thread):
    """Tries BEGIN IMMEDIATE every 20 ms on its own connection; keeps the longest refusal."""

    def __init__(self, path: Path) -> None:
        super().__init__(daemon=True)
        self.connection = sqlite3.connect(path, timeout=0, isolation_level=None, check_same_thread=False)
        self.stop = threading.Event()
        self.longest = 0.0
        self.refusals = 0

    def run(self) -> None:
        since = None
        while not self.stop.is_set():
            now = time.perf_counter()
            try:
                self.connection.execute("BEGIN IMMEDIATE")
                self.connection.execute("ROLLBACK")
                if since is not None:
                    self.longest = max(self.longest, now - since)
                since = None
            except sqlite3.OperationalError:
                self.refusals += 1
                since = since if since is not None else now
            time.sleep(0.02)
        if since is not None:
            self.longest = max(self.longest, time.perf_counter() - since)
        self.connection.close()


def main() -> int:
    parser = argparse.ArgumentParser(description="导入交办清单的基准测试")
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--format", choices=("xlsx", "csv"), default="xlsx")
    parser.add_argument("--keep", type=Path, default=None, help="keep the list and the ledger in this folder")
    parser.add_argument("--make", type=Path, help=argparse.SUPPRESS)  # child: write the list
    parser.add_argument("--run", nargs=2, type=Path, help=argparse.SUPPRESS)  # child: import LIST into LEDGER
    args = parser.parse_args()
    assigned = dt.date.today() - dt.timedelta(days=30)
    if args.make:
        make_file(args.make, args.rows, assigned)
        return 0
    if args.run:
        print(json.dumps(run_import(*args.run)))
        return 0

    folder = Path(args.keep or tempfile.mkdtemp(prefix="duban-import-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    listing, ledger = folder / f"清单-{args.rows}.{args.format}", folder / f"ledger-{args.rows}.db"
    for stale in (ledger, Path(f"{ledger}-wal"), Path(f"{ledger}-shm")):
        stale.unlink(missing_ok=True)
    began = time.perf_counter()
    subprocess.run([sys.executable, __file__, "--rows", str(args.rows), "--make", str(listing)], check=True)
    print(f"清单 {listing.name}: {args.rows} 行，{listing.stat().st_size / 1e6:.1f} MB（{time.perf_counter() - began:.1f} s）")

    from store.db import close_database, open_database

    open_database(ledger)
    close_database()
    probe = LockProbe(ledger)
    probe.start()
    child = subprocess.run([sys.executable, __file__, "--run", str(listing), str(ledger)], capture_output=True,
                           text=True)
    probe.stop.set()
    probe.join()
    if child.returncode != 0:
        print(child.stderr, file=sys.stderr)
        return 1
    figures = json.loads(child.stdout.strip().splitlines()[-1])
    figures.update({
        "format": args.format, "lock_held_s": round(probe.longest, 2), "lock_refusals": probe.refusals,
        "ledger_bytes": ledger.stat().st_size,
        "wal_bytes": Path(f"{ledger}-wal").stat().st_size if Path(f"{ledger}-wal").exists() else 0,
        "loadavg": round(os.getloadavg()[0], 2),
    })
    print(f"读取 {figures['read_s']} s，检查 {figures['check_s']} s，写入 {figures['write_s']} s，"
          f"共 {figures['total_s']} s；写锁最长占用 {figures['lock_held_s']} s；"
          f"峰值内存 {figures['peak_rss_mb']} MB；写出 {figures['wchar'] / 1e6:.1f} MB（每行 {figures['bytes_per_row']} B）")
    print(json.dumps(figures, ensure_ascii=False))
    if args.keep is None:
        import shutil

        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
