"""The GB/T 9704-2012 Word skeleton every DOCX template starts from: page, styles, page numbers.

The faces are declared in the East Asian slots (w:eastAsia), not only the Latin ones, so that Word and
WPS show 仿宋/小标宋/黑体/楷体 instead of their default font.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.section import Section
from docx.shared import Length, Mm, Pt
from docx.styles.style import CharacterStyle, ParagraphStyle
from docx.text.paragraph import Paragraph
from docx.text.run import Run
from lxml import etree

from docgen.render.measure import pt_to_eighths


FANGSONG, XIAOBIAOSONG, HEITI, KAITI, SONGTI = "仿宋_GB2312", "方正小标宋简体", "黑体", "楷体_GB2312", "宋体"
BODY_PT = 16                 # §5.2.3 3号
LINE = Pt(28.95)             # 225 mm / 22 lines
# LibreOffice adds a bottom_border() rule and its space to its paragraph's height (11.1 mm a line, measured): the
# ruled lines to write on are set this much smaller, at the PDF's pitch (.blankline), as many on a page
RULE_ALLOWANCE = Pt(2.5)
TITLE_PT = 22                # §7.3.3 2号

Builder = Callable[[], DocumentObject]   # templates/<slug>/<slug>_docx.py: build() -> the Word template


def set_font(target: CharacterStyle | Run, face: str, size_pt: float | None = None, bold: bool | None = None) -> None:
    """Set a style's or run's font in every script slot (ascii, hAnsi, eastAsia, cs)."""
    font = target.font
    font.name = face
    if size_pt:
        font.size = Pt(size_pt)
    if bold is not None:
        font.bold = bold
    rpr = target.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for slot in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(slot), face)


def paragraph_style(doc: DocumentObject, name: str, face: str, size: float, *, align: WD_ALIGN_PARAGRAPH | None = None,
                    indent_chars: float = 0, right_chars: float = 0, line: Length = LINE, bold: bool = False,
                    space_after: float = 0) -> ParagraphStyle:
    """Add a paragraph style on Normal: a face and size, exact line pitch, indents in characters of its size."""
    style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    assert isinstance(style, ParagraphStyle)
    style.base_style = doc.styles["Normal"]
    set_font(style, face, size, bold)
    fmt = style.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = line
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(space_after)
    if align is not None:
        fmt.alignment = align
    if indent_chars:
        fmt.first_line_indent = Pt(size * indent_chars)
    if right_chars:
        fmt.right_indent = Pt(size * right_chars)
    return style


def _page_number_footer(footer: Any, align: WD_ALIGN_PARAGRAPH) -> None:
    """§7.5: “— 1 —” in 4号宋体, one character in from the outer edge."""
    p = footer.paragraphs[0]
    p.alignment = align
    if align == WD_ALIGN_PARAGRAPH.RIGHT:
        p.paragraph_format.right_indent = Pt(14)
    else:
        p.paragraph_format.left_indent = Pt(14)
    add_with_fields(p, ("— ", "{PAGE}", " —"), SONGTI, 14)


def add_with_fields(paragraph: Paragraph, parts: Iterable[str], face: str, size_pt: float) -> None:
    """Append text and Word fields to a paragraph: parts like ("第 ", "{PAGE}", " 页 共 ", "{NUMPAGES}", " 页")."""
    for part in parts:
        field = part[1:-1] if part.startswith("{") and part.endswith("}") else None
        run = paragraph.add_run("" if field else part)
        set_font(run, face, size_pt)
        if field:
            for tag, attr in (("w:fldChar", "begin"), ("w:instrText", field), ("w:fldChar", "separate"),
                              ("w:t", "1"), ("w:fldChar", "end")):
                el = OxmlElement(tag)
                if tag == "w:fldChar":
                    el.set(qn("w:fldCharType"), attr)
                else:
                    el.text = attr
                    if tag == "w:instrText":
                        el.set(qn("xml:space"), "preserve")
                run._r.append(el)


def new_document(*, landscape: bool = False, page_numbers: bool = True) -> DocumentObject:
    """Return an empty A4 document with GB/T 9704 margins, styles and odd/even page numbers."""
    doc = Document()
    section = doc.sections[0]
    _page(section, landscape)
    _normal(doc)
    chinese_defaults(doc)
    _letter_styles(doc)
    if page_numbers:
        settings = doc.settings.element
        even_odd = OxmlElement("w:evenAndOddHeaders")
        settings.insert(0, even_odd)
        _page_number_footer(section.footer, WD_ALIGN_PARAGRAPH.RIGHT)
        _page_number_footer(section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)
    return doc


def _page(section: Section, landscape: bool) -> None:
    """Set A4 and the GB/T 9704 margins (portrait), or the tables' landscape page."""
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.footer_distance = Mm(22)
    section.header_distance = Mm(15)
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Mm(297), Mm(210)
        section.top_margin, section.bottom_margin = Mm(20), Mm(20)
        section.left_margin, section.right_margin = Mm(15), Mm(15)
        section.footer_distance = Mm(10)


def _normal(doc: DocumentObject) -> None:
    """Set Normal: 3号仿宋, no space after, Chinese as the East Asian language of the text."""
    normal = doc.styles["Normal"]
    assert isinstance(normal, ParagraphStyle)
    set_font(normal, FANGSONG, BODY_PT)
    normal.paragraph_format.space_after = Pt(0)
    lang = normal.element.get_or_add_rPr()
    el = OxmlElement("w:lang")
    el.set(qn("w:val"), "en-US")
    el.set(qn("w:eastAsia"), "zh-CN")
    lang.append(el)


def _letter_styles(doc: DocumentObject) -> None:
    """Add the styles of a letter: title, body, plain and signature paragraphs, headings, the 黑体 label."""
    # GB/T 9704 §7.3.3: 2号小标宋, its one face, not bolded (fonts/fonts.conf gives the free fallback's Bold)
    paragraph_style(doc, "DocTitle", XIAOBIAOSONG, TITLE_PT, align=WD_ALIGN_PARAGRAPH.CENTER, line=Pt(34),
                    space_after=28.95)
    # left, not justified: LibreOffice hangs a line-final “，” past the right edge (it reads w:overflowPunct
    # inverted, see chinese_defaults) and, in a justified line, does not print it at all — the text loses
    # its comma. Set for Word (val 0) the flag keeps LibreOffice hanging; set for LibreOffice (val 1) Word
    # would hang it. Lines of 28 characters fill the measure either way (Normal is condensed to 28 a line)
    paragraph_style(doc, "Body", FANGSONG, BODY_PT, align=WD_ALIGN_PARAGRAPH.LEFT, indent_chars=2)
    paragraph_style(doc, "Plain", FANGSONG, BODY_PT, align=WD_ALIGN_PARAGRAPH.LEFT)
    paragraph_style(doc, "RuledLine", FANGSONG, BODY_PT, align=WD_ALIGN_PARAGRAPH.LEFT, line=Pt(LINE.pt - RULE_ALLOWANCE.pt))
    paragraph_style(doc, "Signoff", FANGSONG, BODY_PT, align=WD_ALIGN_PARAGRAPH.RIGHT, right_chars=2)
    paragraph_style(doc, "Heading1CN", HEITI, BODY_PT, align=WD_ALIGN_PARAGRAPH.JUSTIFY, indent_chars=2)
    paragraph_style(doc, "Heading2CN", KAITI, BODY_PT, align=WD_ALIGN_PARAGRAPH.JUSTIFY, indent_chars=2)
    label = doc.styles.add_style("Label", WD_STYLE_TYPE.CHARACTER)
    assert isinstance(label, CharacterStyle)
    set_font(label, HEITI)


# the faces the templates name, as Word's font table lists them (charset 86 = GB2312, 宋体 family)
_FONTS = ((FANGSONG, "FangSong_GB2312", "roman"), (XIAOBIAOSONG, "FZXiaoBiaoSong-B05S", "roman"),
          (HEITI, "SimHei", "modern"), (KAITI, "KaiTi_GB2312", "roman"), (SONGTI, "SimSun", "auto"),
          ("Times New Roman", None, "roman"))
# GB/T 15834 禁则: no line starts with closing punctuation; “·” (阿不都热合曼·买买提) at neither end
NO_BREAK_BEFORE = "!%),.:;?]}¢°·’\"†‡›℃∶、。〃〆〕〗〞﹚﹜！＂％＇），．：；？］｝～–—•〉》」︰︱︲︳﹐﹑﹒﹓﹔﹕﹖﹘︶︸︺︼︾﹀﹂﹗｜､』】〙〟｠»ヽヾー"
NO_BREAK_AFTER = "([{£¥‘“‵〈《「『【〔〖（［｛￡￥〝︵︷︹︻︽︿﹁﹃﹙﹛﹝｟«·"


def chinese_defaults(doc: DocumentObject) -> None:
    """Declare zh-CN as the East Asian language everywhere Word and LibreOffice look, list the Chinese
    faces in the font table (python-docx's default template names MS Mincho/Gothic and ja-JP, with which
    LibreOffice picks Japanese glyph forms), and set the Chinese line-breaking rules."""
    styles = doc.styles.element
    for lang in styles.iter(qn("w:lang")):
        lang.set(qn("w:eastAsia"), "zh-CN")
    for ppr in _default_paragraph_properties(doc):
        _kinsoku(ppr)
    _condensed(doc)
    _line_break_settings(doc.settings.element)
    for rel in doc.part.rels.values():
        if rel.reltype.endswith("/fontTable"):
            _chinese_font_table(rel.target_part)
        if rel.reltype.endswith("/theme"):
            _chinese_theme(rel.target_part)


def _default_paragraph_properties(doc: DocumentObject) -> list[Any]:
    """Return Normal's paragraph properties and the document defaults' (LibreOffice reads the style's)."""
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    ppr_default = defaults.find(qn("w:pPrDefault")) if defaults is not None else None
    targets = [doc.styles["Normal"].element.get_or_add_pPr()]
    if ppr_default is not None:
        if ppr_default.find(qn("w:pPr")) is None:
            ppr_default.append(OxmlElement("w:pPr"))
        targets.append(ppr_default.find(qn("w:pPr")))
    return targets


def _kinsoku(ppr: Any) -> None:
    """Set Chinese line-breaking rules (kinsoku); no punctuation hung into the right margin (ECMA-376
    §17.3.1.21; Word honours it, LibreOffice reads the flag inverted — writerfilter's DomainMapper sets
    ParaIsHangingPunctuation = (val == 0) — and hangs a line-final “，” whichever way it is set for Word);
    no extra space between Chinese and Latin or digits (GB/T 9704 sets none; LibreOffice ignores
    autoSpaceDE/DN)."""
    spacing = ppr.find(qn("w:spacing"))   # CT_PPrBase order: these come before w:spacing
    for tag, value in (("w:kinsoku", None), ("w:overflowPunct", "0"), ("w:autoSpaceDE", "0"),
                       ("w:autoSpaceDN", "0")):
        el = OxmlElement(tag)
        if value is not None:
            el.set(qn("w:val"), value)
        if spacing is not None:
            spacing.addprevious(el)
        else:
            ppr.append(el)


def _condensed(doc: DocumentObject) -> None:
    """Condense Normal by 0.25 pt as the PDF is (gbt9704.css letter-spacing): GB/T 9704 §5.2.3, 28 characters
    fill the 156 mm line (16 pt each would take 158 mm), so a full line never pushes “，” or “：” past it."""
    rpr = doc.styles["Normal"].element.get_or_add_rPr()
    condensed = OxmlElement("w:spacing")
    condensed.set(qn("w:val"), "-5")
    size = rpr.find(qn("w:sz"))
    (size.addprevious if size is not None else rpr.append)(condensed)


def _line_break_settings(settings: Any) -> None:
    """Set the theme's East Asian language to zh-CN and list the 禁则 characters (NO_BREAK_*)."""
    for el in settings.iter(qn("w:themeFontLang")):
        el.set(qn("w:eastAsia"), "zh-CN")
    for tag, chars in (("w:noLineBreaksAfter", NO_BREAK_AFTER), ("w:noLineBreaksBefore", NO_BREAK_BEFORE)):
        el = OxmlElement(tag)
        el.set(qn("w:lang"), "zh-CN")
        el.set(qn("w:val"), chars)
        _insert_setting(settings, el)


# CT_Settings is a sequence: these two come after w:characterSpacingControl and before w:footnotePr …
_SETTINGS_AFTER = ("w:characterSpacingControl", "w:doNotValidateAgainstSchema", "w:saveInvalidXml",
                   "w:ignoreMixedContent", "w:alwaysShowPlaceholderText", "w:doNotDemarcateInvalidXml",
                   "w:saveXmlDataOnly", "w:useXSLTWhenSaving", "w:saveThroughXslt", "w:showXMLTags",
                   "w:alwaysMergeEmptyNamespace", "w:updateFields", "w:hdrShapeDefaults", "w:footnotePr",
                   "w:endnotePr", "w:compat")


def _insert_setting(settings: Any, el: Any) -> None:
    spacing = settings.find(qn("w:characterSpacingControl"))
    if spacing is not None:
        siblings = [c for c in settings if c.tag == el.tag or c.tag in (qn("w:noLineBreaksAfter"),)]
        (siblings[-1] if siblings else spacing).addnext(el)
        return
    for tag in _SETTINGS_AFTER[1:]:
        found = settings.find(qn(tag))
        if found is not None:
            found.addprevious(el)
            return
    settings.append(el)


def _chinese_font_table(part: Any) -> None:
    """List the faces the templates use, with their Chinese charset, instead of python-docx's defaults."""
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    root = part.element if hasattr(part, "element") else etree.fromstring(part.blob)
    for font in list(root):
        root.remove(font)
    for name, alt, family in _FONTS:
        font = etree.SubElement(root, f"{{{w}}}font", {f"{{{w}}}name": name})
        if alt:
            etree.SubElement(font, f"{{{w}}}altName", {f"{{{w}}}val": alt})
        etree.SubElement(font, f"{{{w}}}charset", {f"{{{w}}}val": "86" if alt else "00"})
        etree.SubElement(font, f"{{{w}}}family", {f"{{{w}}}val": family})
        etree.SubElement(font, f"{{{w}}}pitch", {f"{{{w}}}val": "variable"})
    if not hasattr(part, "element"):
        part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _chinese_theme(part: Any) -> None:
    """Name Chinese faces in the theme's East Asian slots (python-docx's theme leaves them empty and
    lists MS Mincho/Gothic for Japanese)."""
    blob = part.blob.decode("utf-8")
    blob = blob.replace('<a:ea typeface=""/>', '<a:ea typeface="宋体"/>', 2)
    blob = blob.replace('typeface="ＭＳ ゴシック"', 'typeface="黑体"').replace('typeface="ＭＳ 明朝"', 'typeface="宋体"')
    part._blob = blob.encode("utf-8")


def add(doc: Any, text: str, style: str = "Body") -> Paragraph:
    """Add a paragraph of one run (docxtpl needs each tag inside one run)."""
    p = doc.add_paragraph(style=style)
    p.add_run(text)
    return p


def bottom_border(paragraph: Paragraph, pt: float = 0.5) -> None:
    """Underline a whole paragraph with a rule `pt` thick: a ruled line to write on by hand."""
    ppr = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    # Word and LibreOffice merge neighbours with equal borders into one box: `between` keeps every line
    for edge in ("w:bottom", "w:between"):
        el = OxmlElement(edge)
        for key, value in (("w:val", "single"), ("w:sz", str(pt_to_eighths(pt))), ("w:space", "1"), ("w:color", "000000")):
            el.set(qn(key), value)
        borders.append(el)
    ppr.append(borders)


def add_paragraphs(doc: DocumentObject, name: str = "paragraphs", style: str = "Body") -> None:
    """Add a docxtpl loop printing each item of the context list `name` as a paragraph (blanks ruled)."""
    add(doc, f"{{%p for paragraph in {name} %}}", style)
    add(doc, "{{r paragraph|lines }}", style)
    add(doc, "{%p endfor %}", style)


def add_ruled_lines(doc: DocumentObject, name: str) -> None:
    """Add a docxtpl loop printing one ruled line to write on per item of the context list `name`."""
    add(doc, f"{{%p for line in {name} %}}", "Plain")
    bottom_border(add(doc, "{{ line }}", "RuledLine"))
    add(doc, "{%p endfor %}", "Plain")


def add_sections(doc: DocumentObject) -> None:
    """Add the context's labelled `sections` (label：text, more paragraphs, ruled lines to write on), as the 公示
    and the 鉴定材料 print them (templates/_base/sections.html in the PDF)."""
    add(doc, "{%p for section in sections %}")
    add(doc, "{{r section.text|lines(2, section.label) }}")
    add_paragraphs(doc, "section.more")
    add_ruled_lines(doc, "section.lines")
    add(doc, "{%p endfor %}")


def keep_with_signoff(doc: DocumentObject, first: int) -> None:
    """Keep paragraphs from index `first` to the end on one page with the signature block (§7.3.5)."""
    for paragraph in doc.paragraphs[first:-1]:
        paragraph.paragraph_format.keep_with_next = True


def simple_letter() -> DocumentObject:
    """Return the letter most short documents are: title, paragraphs, signatures and date."""
    doc = new_document()
    add(doc, "{{ title }}", "DocTitle")
    add_paragraphs(doc)
    add_signoff(doc)
    return doc


def add_signoff(doc: DocumentObject) -> None:
    """The signature lines and 成文日期 after room for a seal, placed by signoff() (GB/T 9704 §7.3.5.1:
    the date four characters in, each line centred over it) through each paragraph's right indent."""
    add(doc, "", "Plain")
    add(doc, "{%p for line in signoff(signatures, date) %}", "Signoff")
    p = add(doc, "{{r line.text|ruled }}", "Signoff")
    ind = OxmlElement("w:ind")
    ind.set(qn("w:right"), "{{ line.twips }}")
    ind.set(qn("w:rightChars"), "0")
    p._p.get_or_add_pPr().append(ind)
    add(doc, "{%p endfor %}", "Signoff")


RENDERED_STYLES = ("Label",)   # named by runs the `lines` filter writes at render time (docgen/render/jinja.py)
_UNUSED_PARTS = ("stylesWithEffects", "customXml", "thumbnail", "webSettings")


def slim(doc: DocumentObject) -> None:
    """Drop what python-docx's default template carries and no docgen template uses.

    Its styles.xml (350 KB of latent and unused styles) and stylesWithEffects.xml (440 KB) are parsed
    and re-zipped on every render: they cost docxtpl most of its time. Keep the styles the document,
    headers and footers name (and what those are based on), and the defaults.
    """
    styles = doc.styles.element
    by_id = {el.get(qn("w:styleId")): el for el in styles.iter(qn("w:style"))}
    used = _used_styles(doc, by_id)
    for style_id, el in by_id.items():
        if style_id not in used and el.get(qn("w:default")) != "1":
            styles.remove(el)
    latent = styles.find(qn("w:latentStyles"))
    if latent is not None:
        styles.remove(latent)
    for owner in (doc.part, doc.part.package):
        for rid, rel in list(owner.rels.items()):
            if any(name in str(rel.target_ref) for name in _UNUSED_PARTS):
                owner.drop_rel(rid) if hasattr(owner, "drop_rel") else owner.rels.pop(rid)


def _used_styles(doc: DocumentObject, by_id: dict[str, Any]) -> set[str]:
    """Return the ids of the styles the document, its headers and footers name, and those they are based on."""
    used: set[str] = set(RENDERED_STYLES)
    parts = [doc.part] + [rel.target_part for rel in doc.part.rels.values()
                          if rel.reltype.endswith(("/footer", "/header"))]
    for part in parts:
        for tag in ("w:pStyle", "w:rStyle", "w:tblStyle"):
            used.update(el.get(qn("w:val")) for el in part.element.iter(qn(tag)))
    todo = list(used)
    while todo:
        el = by_id.get(todo.pop())
        based = el.find(qn("w:basedOn")) if el is not None else None
        if based is not None and based.get(qn("w:val")) not in used:
            used.add(based.get(qn("w:val")))
            todo.append(based.get(qn("w:val")))
    return used
