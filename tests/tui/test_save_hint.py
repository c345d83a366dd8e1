"""One way to save in every dialog: each dialog's hint names ctrl+s and says enter in a one-line
field saves too, in the same words (tui.dialogs.base.save_hint)."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import tui.dialogs
from tui.dialogs.base import ENTER_SAVES, ActionDialog


def dialog_classes():
    for info in pkgutil.iter_modules(tui.dialogs.__path__):
        module = importlib.import_module(f"tui.dialogs.{info.name}")
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, ActionDialog) and cls.__module__ == module.__name__:
                yield cls


def test_every_dialog_says_the_save_keys_in_the_same_words():
    found = list(dialog_classes())
    assert len(found) >= 20
    for cls in found:
        source = inspect.getsource(cls.hint) if "hint" in cls.__dict__ else "inherited"
        assert "hint" not in cls.__dict__ or "save_hint(" in source, f"{cls.__name__} writes its own save hint"
        dialog = cls.__new__(cls)
        dialog.__dict__.update(previewed=None, add_person=None, confirm_label="确认")
        text = cls.hint(dialog)
        assert text.count("ctrl+s ") == 1, (cls.__name__, text)
        assert ENTER_SAVES in text or "（enter 亦可）" in text, (cls.__name__, text)
        assert "esc " in text, (cls.__name__, text)


def test_every_dialog_binds_ctrl_s_to_save():
    for cls in dialog_classes():
        bindings = cls._merge_bindings().key_to_bindings.get("ctrl+s", [])
        keys = {binding.key: binding.action for binding in bindings}
        assert keys.get("ctrl+s") == "save", cls.__name__
