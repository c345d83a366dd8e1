"""The store knows nothing of the UI: importing every store module loads neither Textual nor Rich."""

import pkgutil
import subprocess
import sys

import store


def test_store_modules_do_not_load_textual_or_rich():
    names = ["store"] + [m.name for m in pkgutil.walk_packages(store.__path__, "store.")]
    code = (
        "import importlib, sys\n"
        f"for name in {names!r}:\n"
        "    importlib.import_module(name)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich'))\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert len(names) >= 8, names
    assert result.stdout.strip() == "", f"store loaded UI modules: {result.stdout}"
