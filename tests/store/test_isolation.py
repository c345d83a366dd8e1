"""The store knows nothing of the UI: importing every store module loads neither Textual nor Rich;
and no store module grows much past 400 lines (split by area instead)."""

import pkgutil
import subprocess
import sys
from pathlib import Path

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


def test_no_store_module_is_much_over_four_hundred_lines():
    root = Path(store.__file__).parent
    files = sorted(root.rglob("*.py"))
    assert len(files) >= 30, files  # the package, its sub-packages and their modules
    long = {str(path.relative_to(root)): n for path in files
            if (n := len(path.read_text(encoding="utf-8").splitlines())) > 450}
    assert long == {}, f"split these by area: {long}"
