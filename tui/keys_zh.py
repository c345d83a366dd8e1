"""Textual's own keys in Chinese: one table of descriptions, applied once at startup.

The help panel (`?`) and the footer show the bindings of the focused widget, the screen and
the App, Textual's own ones included (Scroll Left, Focus Next, Copy selected text, Input's
and TextArea's cursor keys …). `apply()` rewrites those bindings' descriptions and tooltips
from `CHINESE` on every Textual class loaded (its `BINDINGS`, so a subclass made later
inherits the Chinese ones, and its merged bindings, so a subclass made earlier has them too).
Keys are left as they are: only the words change. A description the table does not know
stays as it is — the Latin-words test (tests/tui/test_chinese_screens.py) finds it.
"""

from __future__ import annotations

import dataclasses

from textual.binding import Binding
from textual.dom import DOMNode

# English description or tooltip (as Textual 8.2 writes it) → the office's words.
CHINESE: dict[str, str] = {
    # App and Screen
    "Quit": "退出",
    "Quit the app and return to the command prompt.": "退出督办台，回到命令行",
    "Open the command palette": "命令面板：查找案件",
    "palette": "查找",
    "Focus Next": "下一栏",
    "Focus Previous": "上一栏",
    "Copy selected text": "复制选中的文字",
    # Scrolling containers
    "Scroll Up": "向上滚动", "Scroll Down": "向下滚动", "Scroll Left": "向左滚动", "Scroll Right": "向右滚动",
    "Scroll Home": "滚到开头", "Scroll End": "滚到末尾", "Page Up": "上一页", "Page Down": "下一页",
    "Page Left": "左一页", "Page Right": "右一页",
    # DataTable, ListView, OptionList, Tree
    "Select": "选中", "Cursor up": "上移", "Cursor down": "下移", "Cursor right": "右移", "Cursor left": "左移",
    "Cursor Up": "上移", "Cursor Down": "下移", "Page up": "上一页", "Page down": "下一页",
    "Top": "第一行", "Bottom": "最后一行", "Home": "行首", "End": "行尾",
    "Up": "上移", "Down": "下移", "First": "第一项", "Last": "最后一项",
    "Cursor to parent": "到上一级", "Cursor to next ancestor": "到上一级的下一项",
    "Cursor to previous sibling": "到同级上一项", "Cursor to next sibling": "到同级下一项",
    "Toggle": "切换", "Expand or collapse all": "全部展开或收起",
    # Input
    "Move cursor left": "光标左移", "Move cursor left and select": "左移并选中",
    "Move cursor left a word": "光标左移一词", "Move cursor left a word and select": "左移一词并选中",
    "Move cursor right or accept the completion suggestion": "光标右移（或接受补全）",
    "Move cursor right and select": "右移并选中", "Move cursor right a word": "光标右移一词",
    "Move cursor right a word and select": "右移一词并选中", "Delete character left": "删除左边一字",
    "Select all": "全选", "Go to start": "到开头", "Go to end": "到末尾", "Select line start": "选到开头",
    "Select line end": "选到末尾", "Delete character right": "删除右边一字", "Submit": "提交",
    "Delete left to start of word": "删除左边一词", "Delete all to the left": "删除左边全部",
    "Delete right to start of word": "删除右边一词", "Delete all to the right": "删除右边全部",
    "Cut selected text": "剪切选中的文字", "Paste text from the clipboard": "粘贴",
    # TextArea
    "Cursor word left": "光标左移一词", "Cursor word right": "光标右移一词", "Cursor line start": "到行首",
    "Cursor line end": "到行尾", "Cursor page up": "上一页", "Cursor page down": "下一页",
    "Cursor left word select": "左移一词并选中", "Cursor right word select": "右移一词并选中",
    "Cursor line start select": "选到行首", "Cursor line end select": "选到行尾",
    "Cursor up select": "上移并选中", "Cursor down select": "下移并选中", "Cursor left select": "左移并选中",
    "Cursor right select": "右移并选中", "Select line": "选中本行", "Cut": "剪切", "Copy": "复制",
    "Paste": "粘贴", "Delete to line start": "删到行首", "Delete to line end": "删到行尾",
    "Delete line": "删除本行", "Undo": "撤销", "Redo": "重做",
    # Select, buttons, switches, tabs, palette
    "Show menu": "展开选项", "Dismiss menu": "收起选项", "Press button": "按下", "Toggle collapsible": "展开或收起",
    "Next option": "下一项", "Previous option": "上一项", "Toggle option": "选中或取消", "Open link": "打开链接",
    "Previous tab": "上一页签", "Next tab": "下一页签",
    "Go to bottom": "到最后", "Go to top": "到最前", "Next command": "下一条", "Previous command": "上一条",
    "Exit the command palette": "关闭命令面板", "Next page": "下一页", "Previous page": "上一页",
}


GROUP_TITLES: dict[str, str] = {"Input": "输入框", "Collapsible": "折叠块"}
"""Textual's titles of a widget's keys in the help panel (BINDING_GROUP_TITLE)."""


def chinese(binding: Binding) -> Binding:
    """The binding with its description and tooltip in Chinese (itself if nothing to change)."""
    description = CHINESE.get(binding.description, binding.description)
    tooltip = CHINESE.get(binding.tooltip, binding.tooltip)
    if (description, tooltip) == (binding.description, binding.tooltip):
        return binding
    return dataclasses.replace(binding, description=description, tooltip=tooltip)


def _chinese_bindings(bindings: list) -> list:
    return [chinese(item if isinstance(item, Binding) else Binding(*item)) for item in bindings]


def _classes(root: type = DOMNode):
    seen: set[type] = set()
    stack = [root]
    while stack:
        for sub in stack.pop().__subclasses__():
            if sub not in seen:
                seen.add(sub)
                stack.append(sub)
    return seen


def _load_widgets() -> None:
    """Import the Textual widgets whose keys the desk shows (textual.widgets loads lazily)."""
    import textual.command  # noqa: F401
    import textual.containers  # noqa: F401
    from textual import widgets

    for name in ("Button", "Checkbox", "Collapsible", "DataTable", "Footer", "Header", "HelpPanel", "Input",
                 "KeyPanel", "Label", "ListView", "Markdown", "OptionList", "RadioSet", "Select", "SelectionList",
                 "Static", "Switch", "TabbedContent", "Tabs", "TextArea", "Tree"):
        getattr(widgets, name)


def _header_icon_tooltip() -> None:
    """The header's ⭘ (click: the palette) says so in Chinese; Textual sets an English tooltip on mount."""
    from textual.widgets._header import HeaderIcon

    if getattr(HeaderIcon.on_mount, "chinese", False):
        return

    def on_mount(self) -> None:
        if self.app.ENABLE_COMMAND_PALETTE:
            self.tooltip = CHINESE["Open the command palette"]
        else:
            self.disabled = True

    on_mount.chinese = True
    HeaderIcon.on_mount = on_mount


_done: set[type] = set()  # the classes `apply` has given Chinese words


def apply(*, load: bool = True) -> None:
    """Give every loaded Textual class's bindings Chinese words (idempotent). `load`: import
    every Textual widget whose keys the desk may show first (0.1 s of CPU); without it only the
    classes loaded so far, and those alone that were not done before — cheap enough to call
    before each screen is shown (the desk does, `DubanApp.push_screen`), so that a widget a
    dialog imported when it first opened speaks Chinese too."""
    if load:
        _load_widgets()
    _header_icon_tooltip()
    classes = _classes() - _done
    if not classes:
        return
    _done.update(classes)
    for cls in classes:
        own = cls.__dict__.get("BINDINGS")
        if own and cls.__module__.startswith("textual"):
            cls.BINDINGS = _chinese_bindings(list(own))
        title = cls.__dict__.get("BINDING_GROUP_TITLE")
        if title in GROUP_TITLES:
            cls.BINDING_GROUP_TITLE = GROUP_TITLES[title]
    for cls in classes:  # every class merges its bases' BINDINGS again, the desk's own subclasses too
        cls._merged_bindings = cls._merge_bindings()
