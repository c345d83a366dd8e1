"""A `Letter` as a Word file (.docx, python-docx), in the layout of an official letter.

The layout follows GB/T 9704 (党政机关公文格式) in spirit: A4 with margins of 3.7 cm (top),
3.5 cm (bottom), 2.8 cm (left) and 2.6 cm (right); the title centred in 方正小标宋简体 二号
(22 pt); the 文号 centred under it; 主送 flush left with a full-width colon; body paragraphs in
仿宋_GB2312 三号 (16 pt), the first line indented two characters, lines at a fixed 28 pt;
headings (一、…) in 黑体, subheadings (（一）…) in 楷体_GB2312; tables in the "Table Grid"
style with a bold header row; 落款 and date on the right; 抄送 at the end.

Fonts are named, never looked for: Word substitutes a font a PC does not have, and the file's
font table gives each its usual fallback (方正小标宋简体 → 黑体, 仿宋_GB2312 → 仿宋,
楷体_GB2312 → 楷体), as the office's own templates do.

Text is written as stored except that control characters are made visible
(`store.io.layout.show_controls`, as for the .txt forms) and what XML cannot hold at all
(surrogates, U+FFFE/U+FFFF) is drawn as ⟨U+XXXX⟩: python-docx refuses such text, and a reader
should see it. `save_docx` writes a new file whole or not at all; `save_letter` saves a
letter's .txt and .docx side by side under one free name; `docx_texts` reads a saved file
back as `Letter.paragraphs` lists it (for tests, and to check a file).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from store.errors import LedgerError
from store.io.files import save_text
from store.io.layout import show_controls
from store.io.letter import HEADING, SUBHEADING, TABLE, Letter, date_text, letter_text

TITLE_FONT = "方正小标宋简体"
HEADING_FONT = "黑体"
SUBHEADING_FONT = "楷体_GB2312"
BODY_FONT = "仿宋_GB2312"
LATIN_FONT = "Times New Roman"
FALLBACKS = {TITLE_FONT: HEADING_FONT, BODY_FONT: "仿宋", SUBHEADING_FONT: "楷体"}
"""The font Word is told to use when a PC lacks the named one (w:altName in the font table)."""

TITLE_SIZE = 22  # 二号
BODY_SIZE = 16  # 三号
TABLE_SIZE = 12  # 小四: a table of many columns still fits the page
LINE_PITCH = 28  # fixed line spacing, points
MARGINS_CM = {"top": 3.7, "bottom": 3.5, "left": 2.8, "right": 2.6}

_WORD_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def docx_safe(text: str | None) -> str:
    """Stored text as a Word file can hold it: controls made visible (line breaks kept), and
    characters XML cannot carry (surrogates, U+FFFE, U+FFFF) drawn as ⟨U+XXXX⟩."""
    shown = show_controls(text or "", single_line=False)
    if all(_xml_ok(ch) for ch in shown):
        return shown
    return "".join(ch if _xml_ok(ch) else f"⟨U+{ord(ch):04X}⟩" for ch in shown)


def _xml_ok(ch: str) -> bool:
    code = ord(ch)
    return (code in (0x9, 0xA, 0xD) or 0x20 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD
            or 0x10000 <= code <= 0x10FFFF)


# ----------------------------------------------------------------------------- building


def _set_font(run_or_style, east_asian: str, size: float | None = None, *, bold: bool | None = None) -> None:
    """Name the East Asian font on w:rFonts (python-docx's `font.name` sets only the Latin ones)."""
    from docx.oxml.ns import qn
    from docx.shared import Pt

    font = run_or_style.font
    font.name = LATIN_FONT
    if size is not None:
        font.size = Pt(size)
    if bold is not None:
        font.bold = bold
    rpr = run_or_style.element.get_or_add_rPr()
    rfonts = rpr.get_or_add_rFonts()
    rfonts.set(qn("w:eastAsia"), east_asian)


def _spacing(paragraph, *, before: float = 0, after: float = 0, exact: float | None = LINE_PITCH) -> None:
    from docx.enum.text import WD_LINE_SPACING
    from docx.shared import Pt

    fmt = paragraph.paragraph_format
    fmt.space_before = Pt(before)
    fmt.space_after = Pt(after)
    if exact is not None:
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = Pt(exact)


def _add(document, text: str, font: str, size: float, *, align=None, indent: bool = False, bold: bool = False,
         before: float = 0, after: float = 0, exact: float | None = LINE_PITCH):
    from docx.shared import Pt

    paragraph = document.add_paragraph()
    if align is not None:
        paragraph.alignment = align
    if indent:
        paragraph.paragraph_format.first_line_indent = Pt(2 * size)  # two characters
    _spacing(paragraph, before=before, after=after, exact=exact)
    run = paragraph.add_run(docx_safe(text))
    _set_font(run, font, size, bold=bold)
    return paragraph


def _table(document, rows: tuple[tuple[str, ...], ...]) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    width = max((len(row) for row in rows), default=0)
    if not width:
        return
    grid = document.add_table(rows=len(rows), cols=width)
    grid.style = document.styles["Table Grid"]
    for r, row in enumerate(rows):
        for c in range(width):
            cell = grid.cell(r, c)
            paragraph = cell.paragraphs[0]
            if r == 0:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            _spacing(paragraph, exact=None)
            run = paragraph.add_run(docx_safe(row[c] if c < len(row) else ""))
            _set_font(run, HEADING_FONT if r == 0 else BODY_FONT, TABLE_SIZE, bold=r == 0)
    if len(rows) > 1:
        from docx.oxml.ns import qn
        from docx.oxml import OxmlElement

        header = grid.rows[0]._tr.get_or_add_trPr()  # the header row repeats on each page
        repeat = OxmlElement("w:tblHeader")
        repeat.set(qn("w:val"), "true")
        header.append(repeat)


def _page(document) -> None:
    from docx.shared import Cm

    for section in document.sections:
        section.page_width, section.page_height = Cm(21.0), Cm(29.7)
        section.top_margin = Cm(MARGINS_CM["top"])
        section.bottom_margin = Cm(MARGINS_CM["bottom"])
        section.left_margin = Cm(MARGINS_CM["left"])
        section.right_margin = Cm(MARGINS_CM["right"])


def _font_table(document) -> None:
    """Give each named font its fallback in word/fontTable.xml (w:altName)."""
    from lxml import etree

    for rel in document.part.rels.values():
        if not rel.reltype.endswith("/fontTable"):
            continue
        part = rel.target_part
        root = etree.fromstring(part.blob)
        w = f"{{{_WORD_NS}}}"
        known = {font.get(f"{w}name") for font in root.findall(f"{w}font")}
        for name in (TITLE_FONT, HEADING_FONT, SUBHEADING_FONT, BODY_FONT):
            if name in known:
                continue
            font = etree.SubElement(root, f"{w}font", {f"{w}name": name})
            if name in FALLBACKS:
                etree.SubElement(font, f"{w}altName", {f"{w}val": FALLBACKS[name]})
            etree.SubElement(font, f"{w}charset", {f"{w}val": "86"})  # GB2312
            etree.SubElement(font, f"{w}family", {f"{w}val": "modern" if name == HEADING_FONT else "roman"})
            etree.SubElement(font, f"{w}pitch", {f"{w}val": "variable"})
        part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
        return


def letter_document(letter: Letter):
    """The letter as a python-docx Document (not yet saved)."""
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    document = docx.Document()
    _page(document)
    _font_table(document)
    _set_font(document.styles["Normal"], BODY_FONT, BODY_SIZE)
    centre, right = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.RIGHT
    _add(document, letter.title, TITLE_FONT, TITLE_SIZE, align=centre, exact=None, after=0 if letter.doc_no else 24)
    if letter.doc_no:
        _add(document, letter.doc_no, BODY_FONT, BODY_SIZE, align=centre, before=6, after=24)
    if letter.to:
        _add(document, f"{letter.to}：", BODY_FONT, BODY_SIZE)
    for block in letter.body:
        if block.kind == TABLE:
            _table(document, block.rows)
        elif block.kind == HEADING:
            _add(document, block.text, HEADING_FONT, BODY_SIZE, indent=True)
        elif block.kind == SUBHEADING:
            _add(document, block.text, SUBHEADING_FONT, BODY_SIZE, indent=True)
        else:
            _add(document, block.text, BODY_FONT, BODY_SIZE, indent=True)
    if letter.signer:
        _add(document, letter.signer, BODY_FONT, BODY_SIZE, align=right, before=2 * LINE_PITCH)
    if letter.date:
        _add(document, date_text(letter.date), BODY_FONT, BODY_SIZE, align=right,
             before=0 if letter.signer else 2 * LINE_PITCH)
    if letter.cc:
        _add(document, f"抄送：{letter.cc}", BODY_FONT, 14, before=LINE_PITCH)  # 四号
    for note in letter.notes:
        _add(document, note, BODY_FONT, BODY_SIZE)
    return document  # `letter.drafting_notes` are for the office, not part of the document


# ------------------------------------------------------------------------------ saving


def save_docx(letter: Letter, path) -> Path:
    """Write the letter to `path` (.docx) and return it; a failed write leaves no file behind.

    An existing file at `path` is replaced whole (the command line's --out); the desk saves
    through `save_letter`, which never overwrites.
    """
    path = Path(path).expanduser()
    folder = path.parent
    if not folder.is_dir():
        raise LedgerError(f"文件夹“{folder}”不存在，请先建立或另选文件夹。")
    document = letter_document(letter)
    try:
        handle, scratch = tempfile.mkstemp(prefix=".~", suffix=".docx", dir=folder)
    except OSError as exc:
        raise LedgerError(f"无法在“{folder}”保存Word文件：{exc.strerror or exc}。") from None
    os.close(handle)
    try:
        document.save(scratch)
        os.replace(scratch, path)
    except OSError as exc:
        Path(scratch).unlink(missing_ok=True)
        raise LedgerError(f"保存Word文件失败（{exc.strerror or exc}），未留下不完整的文件。") from None
    return path


def save_letter(letter: Letter, folder, stem: str, *, what: str = "文件", text: str | None = None) -> tuple[Path, Path]:
    """Save the letter as `stem`.txt and `stem`.docx in `folder` (then `stem`-2 …, never over a
    file); `text` is the .txt's content when the document has its own text form (the 催办通知)."""
    folder = Path(folder).expanduser()
    if not folder.is_dir():
        raise LedgerError(f"文件夹“{folder}”不存在，请先建立或另选文件夹。")
    for n in range(1, 1000):
        name = stem if n == 1 else f"{stem}-{n}"
        if (folder / f"{name}.txt").exists() or (folder / f"{name}.docx").exists():
            continue
        plain = save_text(letter_text(letter) if text is None else text, folder, name, what=what)
        word = plain.with_suffix(".docx")
        if word.exists():  # someone took the name meanwhile: keep the pair together
            plain.unlink(missing_ok=True)
            continue
        try:
            return plain, save_docx(letter, word)
        except LedgerError:
            plain.unlink(missing_ok=True)
            raise
    raise LedgerError(f"“{folder}”中同名的{what}已太多，请另选文件夹。")


def docx_texts(path) -> list[str]:
    """The text of a saved .docx in document order: each paragraph, each table row's cells
    joined by tabs — the file's `Letter.paragraphs`."""
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    document = docx.Document(str(path))
    texts = []
    for item in document.iter_inner_content():
        if isinstance(item, Paragraph):
            texts.append(item.text)
        elif isinstance(item, Table):
            texts.extend("\t".join(cell.text for cell in row.cells) for row in item.rows)
    return texts


def expected_texts(letter: Letter) -> list[str]:
    """`Letter.paragraphs` as the Word file holds them (controls made visible, cell by cell)."""
    texts = [docx_safe(letter.title)]
    if letter.doc_no:
        texts.append(docx_safe(letter.doc_no))
    if letter.to:
        texts.append(docx_safe(f"{letter.to}："))
    for block in letter.body:
        if block.kind == TABLE:
            width = max((len(row) for row in block.rows), default=0)
            texts.extend("\t".join(docx_safe(row[c] if c < len(row) else "") for c in range(width))
                         for row in block.rows)
        else:
            texts.append(docx_safe(block.text))
    texts.extend(docx_safe(piece) for piece in (letter.signer, date_text(letter.date),
                                                 f"抄送：{letter.cc}" if letter.cc else "") if piece)
    texts.extend(docx_safe(note) for note in letter.notes)
    return texts
