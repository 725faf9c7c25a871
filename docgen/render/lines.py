"""docgen's own line breaker: a letter paragraph's text → the lines both its PDF and its DOCX set (禁则, 28 字).

The PDF (WeasyPrint) and the DOCX (Word, LibreOffice) used to break lines each on its own, and LibreOffice breaks
Chinese between any two characters: names, dates and labels split (issue 21.2). Here the lines are broken once,
with the advance widths of the face the PDF prints with (docgen.render.fonts), and each renderer sets those lines
and fills each line but the last to the measure with character spacing it is told (`fill_spacing`).
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from docgen.render import fonts
from docgen.render.measure import mm_to_pt

BODY_FACE, LABEL_FACE, BODY_PT = "仿宋_GB2312", "黑体", 16   # GB/T 9704 §5.2.3: 3号仿宋
MEASURE_EMS = 28                 # §5.2.3: 28 字 a line
MEASURE_PT = mm_to_pt(156)       # §5.2.2: 版心宽 156 mm
INDENT_EMS = 2                   # a paragraph's first line is indented two characters
# a line this much short per character (pt) broke before something long that could not follow it (an ID number,
# a name): spreading it would open gaps a reader takes for spaces; it stays flush left (as docgen.render.justify)
MAX_SPACING_PT = 0.15 * BODY_PT

# GB/T 15834 禁则: never at a line's start, never at its end
NO_START = "，。、；：？！）》」』】〕〉’”·…—%,.;:!?)]"
NO_END = "（《「『【〔〈‘“(["
BLANK = re.compile(r"_{3,}")     # a blank to write in by hand: drawn as one rule, never broken
HAN = r"\u3400-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
LABELS = ("身份证号码", "身份证号", "统一社会信用代码", "（公章）", "（签章）", "（签字）", "（盖章）", "（签名）")
# kept on one line: dates, ID numbers (masked too, with their label), USCC, Latin and digit runs, the fixed labels,
# and (DOTTED) transliterated names the payload does not name (阿不都热合曼·买买提: a run of Han around “·”)
KEEP = re.compile(
    r"\d{4}年(?:\d{1,2}月(?:\d{1,2}日)?)?"
    r"|(?:身份证号(?:码)?[：:]?)?\d{6}[\d*]{8}\d{3}[\dXx]"
    r"|[0-9A-HJ-NPQRTUWXY]{18}"
    r"|[A-Za-z0-9][A-Za-z0-9.\-/%]*"
    + "".join(f"|{re.escape(label)}" for label in LABELS))
DOTTED = re.compile(rf"[{HAN}]{{1,6}}(?:·[{HAN}]{{1,6}})+")
NAME_PART = re.compile(r"[^·]+·?")   # a name too long for its line breaks after a “·” first
# LibreOffice spaces Latin and digits from Chinese (2019 年 8 月) whatever w:autoSpaceDE/DN say (FACTS.md):
# measured 3.45 pt at 3号. Word does not: there a line with digits stops short of the measure by that much
AUTOSPACE_EMS = 3.45 / BODY_PT
SCRIPT_CHANGE = re.compile(rf"(?<=[{HAN}])(?=[A-Za-z0-9_])|(?<=[A-Za-z0-9_])(?=[{HAN}])")   # _: a blank's spaces
# a blank is drawn half an em an underscore (the DOCX's no-break spaces are not condensed: a little more), and
# the PDF keeps the last underscore's advance after it (gbt9704.css .blank: margin-right 0.278em, what its
# negative letter-spacing takes back, so the next character does not sit on the rule)
BLANK_EMS = 0.51
BLANK_TAIL_EMS = 0.278
TAIL = 4   # the last characters of a text go together: no line holds one character alone


def segments(text: str, names: Iterable[str] = ()) -> list[tuple[str, str]]:
    """Split a text into ("text" | "keep" | "blank", part): what may break, what must not, blanks to rule."""
    text = str(text)
    named = [m.span() for name in names if name and len(name) > 1 for m in re.finditer(re.escape(name), text)]
    dotted = [m.span() for m in DOTTED.finditer(text)
              if not any(start < m.end() and m.start() < end for start, end in named)]
    spans = [m.span() for m in KEEP.finditer(text)] + named + dotted
    blanks = [m.span() for m in BLANK.finditer(text)]
    if len(text) >= 2 * TAIL and not any(end > len(text) - TAIL for _, end in blanks):
        spans.append((len(text) - TAIL, len(text)))
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if any(b_start < end and start < b_end for b_start, b_end in blanks):
            continue
        if merged and start < merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    marks = sorted([(s, e, "keep") for s, e in merged] + [(s, e, "blank") for s, e in blanks])
    out, at = [], 0
    for start, end, kind in marks:
        if start > at:
            out.append(("text", text[at:start]))
        out.append((kind, text[start:end]))
        at = end
    if at < len(text):
        out.append(("text", text[at:]))
    return out


def _atoms(text: str, names: Iterable[str]) -> list[str]:
    """Return the text as the pieces no line break enters: kept spans, blanks, single characters, each
    with the closing punctuation after it and the opening punctuation before it (禁则)."""
    pieces: list[str] = []
    for kind, part in segments(text, names):
        pieces += list(part) if kind == "text" else [part]
    atoms: list[str] = []
    glue_next = False
    for piece in pieces:
        if atoms and (glue_next or piece[0] in NO_START):
            atoms[-1] += piece
        else:
            atoms.append(piece)
        glue_next = piece[-1] in NO_END
    return atoms


@dataclass(frozen=True)
class Measure:
    """The widths the breaker reads: the body face, ems a line holds, and the first line's."""

    face: fonts.Face
    width_ems: float = MEASURE_EMS
    first_ems: float = MEASURE_EMS - INDENT_EMS

    def ems(self, text: str) -> float:
        """Return the advance of a piece of a line in em, as the wider of the formats sets it: a blank
        BLANK_EMS per underscore and BLANK_TAIL_EMS after it, and LibreOffice's space between Chinese and Latin or digits (AUTOSPACE_EMS)."""
        blanks = BLANK.findall(text)
        return (self.face.ems(BLANK.sub("", text)) + sum(len(b) * BLANK_EMS + BLANK_TAIL_EMS for b in blanks)
                + len(SCRIPT_CHANGE.findall(text)) * AUTOSPACE_EMS)


def body_measure(indent_ems: float = INDENT_EMS, lead_ems: float = 0) -> Measure:
    """Return the measure of a letter's paragraph: 28 字, its first line less its indent and any lead (a label)."""
    return Measure(fonts.face(BODY_FACE), MEASURE_EMS, MEASURE_EMS - indent_ems - lead_ems)


def break_lines(text: str, measure: Measure, names: Iterable[str] = ()) -> list[str]:
    """Break a paragraph into lines of at most the measure: no break inside a name, date, ID number, USCC, label
    or blank (unless it is longer than a line), none that puts closing punctuation first or opening last."""
    return list(_broken(str(text), measure, tuple(names)))


@lru_cache(maxsize=1024)
def _broken(text: str, measure: Measure, names: tuple[str, ...]) -> tuple[str, ...]:
    """Break as break_lines does (kept: the DOCX of a letter breaks the paragraphs its PDF fit broke)."""
    lines: list[str] = []
    line, used = "", 0.0
    for atom in _atoms(text, names):
        for piece in _fitting(atom, measure):
            width = measure.ems(piece)
            if line and SCRIPT_CHANGE.match(line[-1] + piece[0], 1):   # LibreOffice's gap where they meet
                width += AUTOSPACE_EMS
            room = measure.first_ems if not lines else measure.width_ems
            if line and used + width > room + 1e-9:
                lines.append(line)
                line, used = "", measure.ems(piece)
            else:
                used += width
            line += piece
    return (*lines, line)


def _fitting(atom: str, measure: Measure) -> list[str]:
    """Return an atom, or when it is longer than a line (a name in a table cell) its parts: a transliterated
    name's after each “·” (阿不都热合曼· / 买买提), else its characters, punctuation glued."""
    if measure.ems(atom) <= measure.first_ems or BLANK.fullmatch(atom):
        return [atom]
    parts = NAME_PART.findall(atom)
    if len(parts) > 1:
        return [piece for part in parts for piece in _fitting(part, measure)]
    out: list[str] = []
    for ch in atom:
        if out and (ch in NO_START or out[-1][-1] in NO_END):
            out[-1] += ch
        else:
            out.append(ch)
    return out


def wrap(text: str, width_ems: float, face: fonts.Face) -> list[str]:
    """Break a table cell's text (the roster's) into lines of at most `width_ems` of `face`, as a letter's."""
    return break_lines(text, Measure(face, width_ems, width_ems))


def balanced(text: str, width_ems: float, face: fonts.Face) -> list[str]:
    """Wrap into as few lines as `wrap` does, but of even length (拟晋升专业 / 技术职务)."""
    lines = wrap(text, width_ems, face)
    target = face.ems(text) / len(lines)
    while target < width_ems:
        even = wrap(text, target, face)
        if len(even) == len(lines):
            return even
        target += 0.5
    return lines


def lead_ems(label: str) -> float:
    """Return the advance of a 黑体 label that opens a paragraph's first line (基本信息：), in em."""
    return fonts.face(LABEL_FACE).ems(label) if label else 0.0


def fill_spacing(natural_pt: float, spaced: int, room_pt: float) -> float | None:
    """Return the letter spacing (pt) after each of `spaced` characters that makes a line fill its room, or None
    when that would open gaps wider than MAX_SPACING_PT (the line stays as it is, flush left)."""
    if spaced < 1:
        return None
    spacing = (room_pt - natural_pt) / spaced
    return spacing if spacing <= MAX_SPACING_PT else None


@dataclass(frozen=True)
class Drawn:
    """How a format draws a letter's text: its letter spacing (pt, GB/T 9704 condensing), one underscore of a
    blank (pt), the space it puts between Chinese and Latin or digits (pt), how much short of the measure a
    filled line stops (pt), and whether it is a word processor (`portions`: Word spaces every character,
    LibreOffice none at the end of a run of one script, so a line is spread for the one and condensed for the
    other to fit both)."""

    base_spacing_pt: float
    blank_pt: float
    blank_tail_pt: float = 0.0   # after each blank (the PDF: BLANK_TAIL_EMS)
    autospace_pt: float = 0.0
    slack_pt: float = 0.0
    portions: bool = False
    hung_pt: float = 0.0         # how far a line ending in a blank prints past where it is aligned (LibreOffice:
                                 # its last no-break space hangs past the edge, 1.8 mm measured)

    def natural_pt(self, line: str) -> float:
        """Return the advance (pt) of a line as this format draws it before letter spacing: the body face's
        characters, each blank's underscores and the tail after it, the gaps between Chinese and Latin or digits."""
        return (fonts.face(BODY_FACE).ems(BLANK.sub("", line)) * BODY_PT
                + sum(len(b) * self.blank_pt + self.blank_tail_pt for b in BLANK.findall(line))
                + len(SCRIPT_CHANGE.findall(line)) * self.autospace_pt)

    def tail_pt(self, line: str) -> float:
        """Return how far a line's aligned advance runs past what it prints (negative: short of it), by the blank
        that ends it: the PDF's tail after its rule, LibreOffice's hung last space."""
        return self.blank_tail_pt - self.hung_pt if BLANK.search(line[-3:]) else 0.0


@dataclass(frozen=True)
class Line:
    """A line as set: its text and the letter spacing (pt) after each character that fills it, or None (the
    paragraph's last line, or one too short to fill): the format's base spacing."""

    text: str
    spacing: float | None


def _script_runs(line: str) -> int:
    """Count the runs of one script in a line's text (LibreOffice's portions: Chinese, and Latin with “·”),
    its blanks apart."""
    runs = 0
    for part in BLANK.split(line):
        latin = [ord(ch) < 0x2000 for ch in part]
        runs += bool(part) + sum(a != b for a, b in zip(latin, latin[1:], strict=False))
    return runs


def _gaps(line: str, characters: int, drawn: Drawn, spread: bool) -> int:
    """Count the characters whose spacing widens or narrows a line as a format draws it."""
    if not drawn.portions:   # WeasyPrint: every character but the line's last
        return characters - (0 if line.endswith("___") else 1)
    return characters if spread else characters - _script_runs(line)


def set_lines(text: str, drawn: Drawn, *, names: Iterable[str] = (), indent_ems: float = INDENT_EMS,
              label: str = "") -> list[Line]:
    """Break a paragraph (after an optional 黑体 label) and give each line but the last the spacing that fills
    the 156 mm measure as this format draws it."""
    lead = lead_ems(label)
    lines = break_lines(text, body_measure(indent_ems, lead), names)
    label_pt = lead * BODY_PT + len(label) * drawn.base_spacing_pt
    out = []
    for i, line in enumerate(lines):
        room = MEASURE_PT - drawn.slack_pt - (indent_ems * BODY_PT + label_pt if i == 0 else 0)
        natural = drawn.natural_pt(line)
        spacing = fill_spacing(natural, _gaps(line, len(BLANK.sub("", line)), drawn, room > natural), room)
        if i == len(lines) - 1 and spacing is not None and spacing >= drawn.base_spacing_pt:
            spacing = None   # the last line is not spread, only condensed when it would not fit
        out.append(Line(line, spacing))
    return out
