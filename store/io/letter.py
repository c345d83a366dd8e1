"""A document the office sends (催办通知, 征询意见表, 督办周报, 工作总结) in the parts of an official letter.

Each document is built once as a `Letter` — title, 文号, 主送, the body's blocks, 落款 and
date — and written out from it as plain text (`letter_text`, the text forms the desk has always
saved) or as a Word file (`store.io.docx_letter.save_docx`). Text in a letter is kept exactly
as stored; whoever writes it out makes control characters visible.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

HEADING = "heading"  # 一、基本情况 (黑体 in the Word file)
SUBHEADING = "subheading"  # （一）加强组织领导 (楷体 where it exists, else bold)
PARAGRAPH = "paragraph"  # a body paragraph, first line indented two characters
TABLE = "table"  # rows of cells; the first row is the header
BLOCK_KINDS = (HEADING, SUBHEADING, PARAGRAPH, TABLE)


@dataclass(frozen=True)
class Block:
    """One part of a letter's body."""

    kind: str
    text: str = ""
    rows: tuple[tuple[str, ...], ...] = ()  # TABLE only

    def __post_init__(self) -> None:
        if self.kind not in BLOCK_KINDS:
            raise ValueError(f"unknown block kind {self.kind!r}")


def heading(text: str) -> Block:
    return Block(HEADING, text)


def subheading(text: str) -> Block:
    return Block(SUBHEADING, text)


def paragraph(text: str) -> Block:
    return Block(PARAGRAPH, text)


def table(rows) -> Block:
    return Block(TABLE, rows=tuple(tuple(str(cell) for cell in row) for row in rows))


@dataclass(frozen=True)
class Letter:
    """An official letter: 标题, 文号, 主送, 正文, 落款, 日期 (and 抄送)."""

    title: str
    body: tuple[Block, ...] = ()
    to: str = ""  # 主送: "市人大办公厅、市政府督查室" (the colon is added when written)
    doc_no: str = ""  # 深政数函〔2023〕84号
    signer: str = ""  # 落款: the bureau or 局办公室
    date: dt.date | None = None
    cc: str = ""  # 抄送
    notes: tuple[str, ...] = field(default_factory=tuple)  # lines after the date (附注: 联系人 …)
    drafting_notes: tuple[str, ...] = field(default_factory=tuple)
    """Notes for the office about the draft (what it must still write), shown on the desk and on
    stderr; never part of the document itself."""

    @property
    def paragraphs(self) -> list[str]:
        """Every piece of text of the letter in order, tables' cells joined by tabs (for tests and search)."""
        texts = [self.title]
        if self.doc_no:
            texts.append(self.doc_no)
        if self.to:
            texts.append(f"{self.to}：")
        for block in self.body:
            if block.kind == TABLE:
                texts.extend("\t".join(row) for row in block.rows)
            else:
                texts.append(block.text)
        texts.extend(piece for piece in (self.signer, date_text(self.date), f"抄送：{self.cc}" if self.cc else "")
                     if piece)
        texts.extend(self.notes)
        return texts


def date_text(day: dt.date | None) -> str:
    """2023年9月19日 (no leading zeros), as a letter is dated; "" for no date."""
    return f"{day.year}年{day.month}月{day.day}日" if day else ""


def letter_text(letter: Letter) -> str:
    """The letter as plain text: title, 文号, 主送, body (paragraphs indented with two full-width
    spaces, tables as tab-separated lines), 落款 and date on the right, as offices type it."""
    lines = [letter.title]
    if letter.doc_no:
        lines.append(letter.doc_no)
    lines.append("")
    if letter.to:
        lines.extend([f"{letter.to}：", ""])
    for block in letter.body:
        if block.kind == TABLE:
            lines.extend("\t".join(row) for row in block.rows)
        else:
            lines.append(f"　　{block.text}")
        lines.append("")
    if letter.signer:
        lines.append(letter.signer)
    if letter.date:
        lines.append(date_text(letter.date))
    if letter.cc:
        lines.extend(["", f"抄送：{letter.cc}"])
    lines.extend(letter.notes)
    return "\n".join(lines).rstrip("\n") + "\n"
