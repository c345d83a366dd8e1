"""Reading an assigning office's list: the cells of an XLSX (first sheet) or CSV (UTF-8 or GBK)
file, row by row, with a Chinese sentence for a file that is missing, of the wrong kind or
damaged. store/io/importer.py checks and writes what this reads."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

from store.errors import LedgerError
from store.io.progress import Progress, Ticker


def read_table(path: str | Path, *, progress: Progress | None = None) -> list[list]:
    """The file's cells, row by row (XLSX: the first sheet; CSV: UTF-8 or GBK)."""
    path = Path(path).expanduser()
    if not path.exists():
        raise LedgerError(f"导入文件“{path}”不存在。")
    if path.is_dir():
        raise LedgerError(f"“{path}”是一个文件夹，请给出 .xlsx 或 .csv 文件。")
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path, progress)
    if suffix == ".csv":
        return _read_csv(path, progress)
    if suffix == ".xls":
        raise LedgerError(f"“{path.name}”是旧版 Excel（.xls）文件，请在 Excel/WPS 中另存为 .xlsx 后再导入。")
    raise LedgerError(f"“{path.name}”不是 .xlsx 或 .csv 文件，无法导入。")


def _read_xlsx(path: Path, progress: Progress | None) -> list[list]:
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, EOFError) as exc:
        raise LedgerError(f"“{path.name}”不是有效的 Excel（.xlsx）文件，可能已损坏（{type(exc).__name__}）。") from None
    except Exception as exc:  # openpyxl's InvalidFileException and friends
        raise LedgerError(f"“{path.name}”无法作为 Excel 文件读取（{type(exc).__name__}），请检查文件。") from None
    try:
        sheet = workbook.worksheets[0] if workbook.worksheets else None
        if sheet is None:
            raise LedgerError(f"“{path.name}”中没有工作表。")
        ticker = Ticker(progress, _max_row(sheet), "读取")
        table = []
        for row in sheet.iter_rows(values_only=True):
            table.append(list(row))
            ticker.tick(len(table))
        ticker.finish(len(table))
        return table
    except LedgerError:
        raise
    except Exception as exc:
        raise LedgerError(f"“{path.name}”的内容无法读取（{type(exc).__name__}），文件可能已损坏。") from None
    finally:
        workbook.close()


def _max_row(sheet) -> int:
    try:
        return int(sheet.max_row or 0)  # from the sheet's recorded dimensions: 0 when it has none
    except (TypeError, ValueError):
        return 0


def _read_csv(path: Path, progress: Progress | None) -> list[list]:
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes nearly anything
        raise LedgerError(f"“{path.name}”的编码无法识别，请另存为 UTF-8 的 CSV。")
    if "\x00" in text:
        raise LedgerError(f"“{path.name}”含有空字符，不像是 CSV 文本文件。")
    table = [row for row in csv.reader(io.StringIO(text, newline=""))]
    Ticker(progress, len(table), "读取").finish()
    return table
