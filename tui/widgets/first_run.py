"""The first-run guide (第一次使用): shown instead of the ledger table while it has no case.

Each step names its key and shows a tick once the ledger holds what it sets up, so an office
that starts from nothing sees where to begin and how far it has come.
"""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from store.first_run import SetupProgress
from tui.text import paragraphs, visible


def guide_lines(progress: SetupProgress | None, target: str = "") -> list[tuple[str, str]]:
    """(text, style) lines of the guide; `progress` None while it is being read."""
    lines: list[tuple[str, str]] = [
        ("这本台账还没有案件。第一次使用，可以按下面的顺序开始：", "bold"),
        ("", ""),
    ]
    if progress is None:
        steps = [(False, key, text) for key, text in STEPS]
    else:
        done = {
            "i": progress.cases > 0,
            "p": progress.divisions > 0 and progress.people > 0,
            "c": progress.calendar_known,
            "r": progress.sessions > 0,
            "n": progress.cases > 0,
        }
        counts = {
            "p": f"（已有处室{progress.divisions}个、人员{progress.people}人）" if progress.divisions else "",
            "c": (f"（{progress.year}年的安排已知" if progress.calendar_known
                  else f"（{progress.year}年的节假日尚未公布或未录入：期限按推算")
                 + ("" if progress.next_year_known else f"；{progress.year + 1}年的尚未录入，跨年期限按推算")
                 + "）",
            "r": f"（已有{progress.sessions}个届次）" if progress.sessions else "",
        }
        steps = [(done[key], key, text + counts.get(key, "")) for key, text in STEPS]
    for finished, key, text in steps:
        lines.append((f"  {'✓' if finished else '○'}  {key}  {text}", "$text-muted" if finished else ""))
    lines += [
        ("", ""),
        ("  ?  本屏所有按键　　q  退出", "$text-muted"),
    ]
    if target:
        lines.append((f"  台账文件：{visible(target)}", "$text-muted"))
    return lines


STEPS = (
    ("i", "导入交办机关的清单（.xlsx 或 .csv，也可用 duban import 清单.xlsx）"),
    ("p", "录入本局的处室和人员（也可用 duban org import 处室人员.xlsx）"),
    ("c", "核对今年的工作日历：节假日和调休上班日"),
    ("r", "届次与期限规则：新建届次，核对签收、答复等期限"),
    ("n", "手工录入一件建议或提案（纸质交办、闭会期间、补交办）"),
)


class FirstRunGuide(Static):
    """第一次使用的步骤, each with its key and a tick when done."""

    def show(self, progress: SetupProgress | None, target: str = "") -> None:
        parts = []
        for text, style in guide_lines(progress, target):
            parts.append(Content.styled(text, style) if style else Content(text))
        self.update(paragraphs(Content("\n").join(parts)))  # broken by 禁则, not at the line's last space
