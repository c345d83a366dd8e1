"""Saving a text the office sends on (an urge notice, the summary paragraph) as a file.

UTF-8 with a byte-order mark and Windows line ends, so that Notepad on an older office PC
opens the Chinese text correctly; never over an existing file (then -2, -3 …); a failed
write leaves no half-written file. Every refusal is a LedgerError sentence.

A document is for people, not a copy of the data: control characters in stored text (ESC,
BEL, C1, bidi overrides) are written as visible stand-ins (`store.io.layout.show_controls`),
so `cat` of a saved notice cannot retitle or clear a terminal. Paragraphs are not
hard-wrapped: the reader's editor breaks them at its own width.
"""

from __future__ import annotations

import os
from pathlib import Path

from store.errors import LedgerError
from store.io.layout import show_controls


def save_text(text: str, folder, stem: str, *, what: str = "文件") -> Path:
    """Write `text` to `folder`/`stem`.txt (or `stem`-2.txt …) and return the path, controls made visible."""
    text = show_controls(text.replace("\r\n", "\n"), single_line=False)
    folder = Path(folder).expanduser()
    if not folder.exists():
        raise LedgerError(f"文件夹“{folder}”不存在，请先建立或另选文件夹。")
    if not folder.is_dir():
        raise LedgerError(f"“{folder}”不是文件夹，请另选保存位置。")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise LedgerError(f"无法在“{folder}”保存：没有写入权限，请另选文件夹。")
    for n in range(1, 1000):
        path = folder / (f"{stem}.txt" if n == 1 else f"{stem}-{n}.txt")
        try:
            handle = path.open("x", encoding="utf-8-sig", newline="\r\n")
        except FileExistsError:
            continue
        except OSError as exc:
            raise LedgerError(f"无法在“{folder}”保存{what}：{exc.strerror or exc}。") from None
        try:
            with handle:
                handle.write(text)
        except OSError as exc:
            path.unlink(missing_ok=True)
            raise LedgerError(f"保存{what}失败（{exc.strerror or exc}），未留下不完整的文件。") from None
        return path
    raise LedgerError(f"“{folder}”中同名的{what}已太多，请另选文件夹。")
