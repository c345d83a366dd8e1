"""文书 (`d` on the case screen): save one of the case's documents as .txt and .docx.

The list is the store's answer (`store.io.documents.case_documents`): the case's 征询意见表,
and on a 主办 case a 单位催办函 for each co-unit whose opinion is still out. The chosen one is
built and saved into 文档/督办台 off the UI thread; the screen says both paths. Making a
document records nothing on the case, so the dialog opens on a read-only ledger too.
"""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.content import Content
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from tui.dialogs.base import ActionDialog, Submit, save_hint
from tui.dialogs.form import StepDialog
from tui.text import visible


class DocumentsDialog(ActionDialog):
    """Pick a document of the case; ctrl+s (or enter) saves it as .txt and .docx."""

    DEFAULT_CLASSES = "case-documents"
    WRITES = False  # the files go to the documents folder; the ledger is only read

    def __init__(self, case_text: str, documents, *, submit: Submit) -> None:
        """`documents`: the store's `CaseDocument`s, in the order offered."""
        super().__init__(heading="文书", case_text=case_text, submit=submit)
        self.documents = list(documents)

    def hint(self) -> str:
        return save_hint("保存为文本和 Word 文件", enter="enter 亦可")

    def compose(self) -> ComposeResult:
        options = [Option(Content(visible(doc.label)), id=f"doc-{n}") for n, doc in enumerate(self.documents)]
        yield self.frame(
            StepDialog.cell("要保存的文书", OptionList(*options, id="documents")),
            StepDialog.facts("保存到 文档/督办台，同名时加 -2、-3，不覆盖已有文件。"),
        )

    def on_mount(self) -> None:
        super().on_mount()
        chooser = self.query_one("#documents", OptionList)
        if self.documents:
            chooser.highlighted = 0
        chooser.focus()

    def values(self) -> dict[str, Any] | None:
        chooser = self.query_one("#documents", OptionList)
        index = chooser.highlighted
        if index is None or not 0 <= index < len(self.documents):
            self.show_error("请先选择要保存的文书。", chooser)
            return None
        chosen = self.documents[index]
        return {"what": chosen.what, "unit": chosen.unit}

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.run_worker(self.action_save(), exclusive=True, group="save")


async def open_documents(app, case_id: int, case_text: str) -> None:
    """Read the case's documents off the UI thread and open the dialog; saving says both paths."""
    from store.errors import LedgerError
    from store.io import documents
    from tui.screens.notice import notice_folder

    try:
        choices = await app.gateway.call(documents.case_documents, case_id)
    except LedgerError as exc:
        app.say(exc.message, error=True, title="无法生成文书")
        return

    async def submit(values: dict[str, Any]):
        paths = await app.gateway.call(documents.save_case_document, case_id, values["what"], notice_folder(),
                                       unit=values["unit"], today=app.ledger.today)
        app.say(f"已保存：{paths[0]}、{paths[1]}")
        return paths

    app.push_screen(DocumentsDialog(case_text, choices, submit=submit))
