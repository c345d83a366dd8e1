"""行首禁则 and visible control characters (store.io.layout), without the UI."""

from __future__ import annotations

import random

import pytest

from store.io.layout import CLOSING, OPENING, cell_width, for_terminal, line_starts, show_controls, wrap_cjk

NOTICE_ITEM = ("一、第20260101号《关于推进公共数据开放共享的建议》（主办），答复期限2026年11月19日，已逾期8天；"
               "二、第20260102号《关于优化一网通办服务体验的建议》（主办），答复期限2026年12月2日，还剩5天。")
SUMMARY = ("截至2023年12月31日，签收方面，按时签收19件，逾期签收1件，按时签收率95%；答复方面，已书面答复20件，"
           "其中按时答复20件，按时答复率100%；另有3件尚未答复、未到答复期限。深政数函〔2023〕84号答复。")


def assert_laid_out(text: str, width: int) -> list[str]:
    """Every line fits, none starts with a closing mark or ends with an opening one, no number is cut."""
    lines = wrap_cjk(text, width)
    for line in lines:
        assert cell_width(line) <= width, (line, width)
    for before, line in zip(lines, lines[1:]):
        if not before or not line:
            continue
        assert line[0] not in CLOSING, (before, line)
        assert before[-1] not in OPENING, (before, line)
    for paragraph in text.split("\n"):
        for start in line_starts(paragraph, width):
            assert not (paragraph[start - 1].isdigit() and (paragraph[start].isdigit() or paragraph[start] in "%％.")), \
                (paragraph[:start], paragraph[start:])
    return lines


def test_the_reproductions_no_longer_happen():
    # "…已逾期8天⏎；" and "按时答复率1⏎00%": at every width they used to come at, and all between
    for width in range(10, 161):
        for text in (NOTICE_ITEM, SUMMARY):
            lines = assert_laid_out(text, width)
            assert "".join(lines) == text  # nothing lost, nothing added
            assert any("100%" in line for line in wrap_cjk(SUMMARY, width))
            if width >= 14:  # the document number alone is 12 cells (and 号 takes 。 with it)
                assert any("〔2023〕84号" in line for line in wrap_cjk(SUMMARY, width))


def test_at_80_and_160_columns_the_notice_keeps_its_marks_and_numbers():
    for width in (78, 80, 158, 160):
        lines = wrap_cjk(NOTICE_ITEM * 3, width)
        assert all(not line.startswith("；") for line in lines)
        assert any(line.endswith(("；", "天；")) or "8天；" in line for line in lines)
        assert not any(line.endswith("1") and following.startswith("00%")
                       for line, following in zip(lines, lines[1:]))


ALPHABET = list("的一是在不了有和人这中大为上个国我以要他时来用们生到作地于") + list("。，、；：？！）」』】％”’…") \
    + list("（「『【《“‘") + list("0123456789") + ["%", " ", "ab", "Word", "2023年9月6日", "〔2023〕84号"]


def random_text(rng: random.Random) -> str:
    pieces, closers = [], 0
    for _ in range(rng.randint(1, 120)):
        piece = rng.choice(ALPHABET)
        closers = closers + 1 if piece in CLOSING else 0
        if closers > 2:  # a run of marks wider than a line has no right answer
            continue
        pieces.append(piece)
    return "".join(pieces).lstrip("".join(CLOSING))


@pytest.mark.parametrize("seed", range(8))
def test_no_line_at_any_width_starts_with_a_closing_mark(seed):
    rng = random.Random(seed)
    for _ in range(150):
        text = random_text(rng)
        width = rng.randint(10, 120)
        lines = assert_laid_out(text, width)
        assert "".join(lines).replace(" ", "") == text.replace(" ", "")
        starts = line_starts(text, width)
        assert starts == sorted(set(starts)) and all(0 < s < len(text) for s in starts)


def test_paragraphs_keep_their_breaks_and_an_empty_text_is_one_empty_line():
    assert wrap_cjk("", 20) == [""]
    assert wrap_cjk("甲\n\n乙", 20) == ["甲", "", "乙"]
    assert wrap_cjk("一二三四五。", 10) == ["一二三四", "五。"]  # the mark goes down with the character before it


def test_control_characters_are_made_visible_once():
    text = "a\x1b]2;x\x07\x9b\u202e\tb\nc"
    shown = show_controls(text)
    assert shown == "a␛]2;x␇⟨9B⟩⟨U+202E⟩ b⏎c"
    assert show_controls(shown) == shown
    assert show_controls(text, single_line=False).endswith("    b\nc")
    assert len(show_controls(text, same_length=True)) == len(text)
    assert for_terminal("x\x1b[2J\r\ny\n") == "x␛[2J\ny\n"
    assert show_controls(None) == ""


def test_a_saved_document_has_its_control_characters_made_visible(tmp_path):
    from store.io.files import save_text

    path = save_text("催办通知\r\n《\x1b]2;PWNED\x07标题\x9b》\n", tmp_path, "催办通知-测试")
    data = path.read_bytes()
    assert b"\x1b" not in data and b"\x07" not in data and "\x9b".encode() not in data
    assert data.decode("utf-8-sig") == "催办通知\r\n《␛]2;PWNED␇标题⟨9B⟩》\r\n"  # Windows line ends kept
