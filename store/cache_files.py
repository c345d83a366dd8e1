"""Where the desk keeps what it can make again: the ledger's rows between runs
(store/ledger_cache.py) and the holiday tables (store/calendar.py).

The user's cache folder (`platformdirs.user_cache_dir("duban")`), or the folder named by
`DUBAN_CACHE_DIR`; `DUBAN_CACHE_DIR=off` keeps nothing. Nothing here is ever the record:
a file that is missing, damaged or older is made again.
"""

from __future__ import annotations

import os
from pathlib import Path


def cache_dir(part: str) -> Path | None:
    """The folder for one kind of kept file (None: keep nothing)."""
    override = os.environ.get("DUBAN_CACHE_DIR", "").strip()
    if override.lower() == "off":
        return None
    if override:
        return Path(override).expanduser() / part
    import platformdirs

    return Path(platformdirs.user_cache_dir("duban", appauthor=False)) / part


def write_private(path: Path, blob: bytes) -> None:
    """Write `blob` to `path` readable by the user alone, whole or not at all."""
    import tempfile

    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    handle, part = tempfile.mkstemp(dir=path.parent, prefix=f"{path.name}.", suffix=".part")  # mode 0600
    try:
        with open(handle, "wb") as stream:
            stream.write(blob)
        os.replace(part, path)
    except BaseException:
        Path(part).unlink(missing_ok=True)
        raise
