"""What the desk remembers for one login: the operator's name.

Kept as JSON in the user's config folder (`platformdirs.user_config_dir("duban")`, or the
folder named by `DUBAN_CONFIG_DIR`), so the desk asks for the name once and every later
start — the desk or a command — records the same person. `--operator` and
`DUBAN_OPERATOR` still win.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

APP_NAME = "duban"


def config_dir() -> Path:
    override = os.environ.get("DUBAN_CONFIG_DIR", "").strip()
    if override:
        return Path(override).expanduser()
    import platformdirs

    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))


def settings_path() -> Path:
    return config_dir() / "settings.json"


def _load() -> dict:
    try:
        data = json.loads(settings_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):  # none yet, unreadable or damaged: as if new
        return {}
    return data if isinstance(data, dict) else {}


def remembered_operator() -> str | None:
    """The name saved by an earlier start, if any and still a valid name."""
    from store.actions import _operator
    from store.errors import LedgerError

    name = _load().get("operator")
    if not isinstance(name, str):
        return None
    try:
        return _operator(name)
    except LedgerError:
        return None


def remember_operator(name: str) -> Path:
    """Save the operator's name for this login (written beside, then renamed into place).

    Raises OSError when the config folder cannot be written; the caller says so.
    """
    data = _load()
    data["operator"] = name
    path = settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".tmp")
    partial.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    os.replace(partial, path)
    return path
