"""Post-processing a rendered document as its Kind declares: watermark, verification QR code, copies for
duplex printing, and the masking of a blind (盲评) copy; a preview's mark is a watermark like any other.
Knows no document type by name.

- PDF (pikepdf; FACTS.md: 6× faster than pypdf): N copies one after another, each padded to an even page
  count with blank pages (duplex: every copy starts on a front side); on every page, under the content,
  the light-grey watermark, and over it the QR code and the copy mark 第1份/共2份, all drawn as filled
  vector outlines — no text, so the PDF's text stays the document's own.
- DOCX: N copies as N sections, each from the 2nd on starting on an odd page (Word pads for duplex) with
  page numbers restarting at 1; each section's header holds the watermark (a transparent page-sized PNG
  anchored behind the text), the QR code and the copy mark, all pictures: the DOCX's text, like the PDF's,
  is the document's own (what LibreOffice or Word show of it compares equal with the PDF).
"""
from __future__ import annotations

import copy
import io
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from docgen.render import qr, signature, watermark
from docgen.render import seal as seal_render
from docgen.render.measure import mm_to_pt
from docgen.render.outlines import stamp_font
from docgen.render.package import BODY, Package
from docgen.render.package import xml as part_xml
from docgen.render.pictures import Picture
from docgen.render.seal import Seal

MASK = "■■■■"              # what a blind copy prints instead of a masked value
MM = mm_to_pt(1)             # points a millimetre
QR_MM = 20                   # the code's side; a module is ≥ 0.4 mm for the URLs docgen makes (version 5, 37 modules)
QR_BOTTOM_MM = 7             # in the bottom margin (GB/T 9704: 35 mm), centred, clear of the page number and text
MARK_PT, MARK_TOP_MM, MARK_LEFT_MM = 10.5, 24, 28
COPY_MARK = "第{n}份/共{total}份"


class Unsealable(ValueError):
    """A DOCX's pages are not where a 骑缝章's strips can be anchored (a part of the form runs over its page)."""


@dataclass(frozen=True)
class Archive:
    """The XMP metadata of a PDF/A copy (ISO 19005-2 §6.6): what the archive files it under."""

    title: str      # dc:title, the document's Chinese title
    subject: str    # dc:description (/Subject): the applicant, or the unit for a unit's list
    author: str     # dc:creator (/Author): the unit that issues it


@dataclass(frozen=True)
class Finish:
    """What to add to a rendered file."""

    document_id: str
    watermark: str | None = None       # wording; under it the note, by default the document id
    verify_url: str | None = None      # the QR code's link
    copies: int = 1
    watermark_note: str | None = None  # the line under the wording, instead of the document id
    pad: bool = True                   # each copy to an even page count (duplex); a preview pads as its issue
    seal: Seal | None = None           # the unit's seal over the 署名 and 成文日期 (docgen.render.seal)
    cross_seal: Seal | None = None     # the unit's seal as a 骑缝章 across each copy's sheets (a DOCX: copy_pages)
    archive: Archive | None = None     # PDF/A-2b: keep its output intent and write this XMP metadata
    signer: Any = None                 # docgen.render.signature.Signer: PAdES, its field the seal's box
    copy_pages: int = 0                # a DOCX copy's pages as the PDF lays them out (0: unknown, not padded)

    @property
    def needed(self) -> bool:
        return bool(self.watermark or self.verify_url or self.copies > 1 or self.seal or self.cross_seal
                    or self.archive or self.signer)

    @property
    def note(self) -> str:
        """Return the line under the watermark's wording: the note given, else the document id."""
        return self.watermark_note if self.watermark_note is not None else watermark.id_line(self.document_id)


def mask(context: dict, paths: tuple[str, ...]) -> dict:
    """Return a copy of a template context with the values at dotted paths masked (text → ■■■■, a Picture →
    its band blacked out (Picture.masked), anything else → None), and those texts masked wherever else they
    occur (the unit in the work history)."""
    out = copy.deepcopy(context)
    secrets = []
    for path in paths:
        *parents, last = path.split(".")
        node: Any = out
        for key in parents:
            node = node.get(key) if isinstance(node, dict) else None
        if isinstance(node, dict) and last in node:
            if isinstance(node[last], str) and len(node[last]) >= 2:
                secrets.append(node[last])
            node[last] = _masked(node[last])
    return _mask_texts(out, sorted(secrets, key=len, reverse=True))


def _masked(value: Any) -> Any:
    if isinstance(value, str):
        return MASK
    return value.masked() if isinstance(value, Picture) else None


def _mask_texts(value: Any, secrets: list[str]) -> Any:
    if isinstance(value, str):
        for secret in secrets:
            value = value.replace(secret, MASK)
        return value
    if isinstance(value, dict):
        return {key: _mask_texts(item, secrets) for key, item in value.items()}
    if isinstance(value, list):
        return [_mask_texts(item, secrets) for item in value]
    return value


def copy_mark(n: int, total: int) -> str:
    return COPY_MARK.format(n=n, total=total)


# --- PDF

def pdf(content: bytes, finish: Finish) -> bytes:
    """Return the finished PDF: copies, each padded to an even page count, every page stamped."""
    import pikepdf

    if not finish.needed:
        return content
    source = pikepdf.open(io.BytesIO(content))
    out = pikepdf.new()
    size = source.pages[0].mediabox
    width, height = float(size[2]) - float(size[0]), float(size[3]) - float(size[1])
    under = _form(out, watermark.pdf_ops(finish.watermark, finish.note, width, height)
                  if finish.watermark else "", width, height)
    qr_ops = _qr_ops(finish.verify_url, width) if finish.verify_url else ""
    box = _seal_box(source, finish.seal) if finish.seal else None
    sealed = (box.page, _seal_form(out, seal_render.pdf_ops(box), seal_render.pdf_image(out, finish.seal), width,
                                   height)) if box and finish.seal else None
    for n in range(1, finish.copies + 1):
        first = len(out.pages)
        out.pages.extend(source.pages)
        if finish.pad and (len(out.pages) - first) % 2:
            out.add_blank_page(page_size=(width, height))
        mark = _mark_ops(copy_mark(n, finish.copies), height) if finish.copies > 1 else ""
        over = _form(out, "\n".join(filter(None, (qr_ops, mark))), width, height)
        for page in out.pages[first:]:
            if finish.watermark:
                page.add_underlay(under, None)
            if qr_ops or mark:
                page.add_overlay(over, None)
        if sealed is not None:
            out.pages[first + sealed[0]].add_overlay(sealed[1], None)
        if finish.cross_seal is not None:
            _seal_across(out, first, finish.cross_seal, width, height)
    _carry_document(out, source)
    if finish.archive:
        _archival(out, finish.archive, signature.producer() if finish.signer else None)
    buffer = io.BytesIO()
    # the XMP names no PDF version to fix; the writer's version kept (a new file says 1.3, older than its soft masks)
    out.save(buffer, compress_streams=True, fix_metadata_version=False, min_version=source.pdf_version)
    return _signed(buffer.getvalue(), finish, box) if finish.signer else buffer.getvalue()


def _carry_document(out: Any, source: Any) -> None:
    """Carry the rendered file's document information (its title, the document id in /Keywords) and its language
    (zh-CN, what screen readers and search read) into the finished file."""
    out.docinfo = out.copy_foreign(source.docinfo)
    if "/Lang" in source.Root:
        out.Root.Lang = source.Root.Lang


def _signed(content: bytes, finish: Finish, box: seal_render.Box | None) -> bytes:
    """Sign the saved PDF (an incremental update); sealed, the signature's field is the seal's box."""
    visible = signature.Visible(box.page, (box.x, box.y, box.x + box.side, box.y + box.side)) if box else None
    return signature.sign(content, finish.signer, visible)


def _qr_ops(url: str, width: float) -> str:
    """Return the operators drawing the QR code in the bottom margin, centred."""
    side = QR_MM * MM
    return qr.pdf_ops(url, (width - side) / 2, QR_BOTTOM_MM * MM, side)


def _seal_across(out: Any, first: int, seal: Seal, width: float, height: float) -> None:
    """Stamp a 骑缝章 on a copy's sheets (from page `first` on, printed duplex): the seal cut in as many upright
    strips as the copy has sheets, strip i at the outer (right) edge of sheet i's front, so that the sheets,
    stacked and fanned, show the seal whole — and a sheet taken out or swapped shows a gap."""
    fronts = out.pages[first::2]
    image = seal_render.pdf_image(out, seal)
    for i, page in enumerate(fronts):
        page.add_overlay(_seal_form(out, seal_render.strip_ops(i, len(fronts), seal, width, height), image,
                                    width, height), None)


def _seal_box(source: Any, seal: Seal) -> seal_render.Box:
    """Return where the seal goes on the rendered PDF (its page within a copy)."""
    box = seal_render.pdf_box(source, seal)
    if box is None:
        raise ValueError("the document marks no 成文日期 to seal (templates/_base/letter.html anchors)")
    return box


def _seal_form(out: Any, ops: str, image: Any, width: float, height: float) -> Any:
    """Return a Form XObject of the page's size drawing `ops`, which paint the seal's image as /Seal."""
    import pikepdf

    form = _form(out, ops, width, height)
    form.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Seal=image))
    return form


def _archival(out: Any, archive: Archive, producer: str | None = None) -> None:
    """Make the finished file a PDF/A-2b (ISO 19005-2), whichever writer laid it out (WeasyPrint or a direct one):
    the sRGB output intent its DeviceRGB and DeviceGray colours are read in (§6.2.4.3; the profile WeasyPrint's
    pdf/a-2b variant embeds), no image interpolated (§6.2.8: WeasyPrint asks it for the photo), and the archive's
    metadata in the document information and, from it, the XMP (§6.6.3: they must agree). `producer`: the one that
    will sign it, which sets the XMP's pdf:Producer to its own name (and the information's only if absent)."""
    import pikepdf

    profile = out.make_stream(_srgb_profile(), N=3)
    out.Root.OutputIntents = pikepdf.Array([pikepdf.Dictionary(
        Type=pikepdf.Name.OutputIntent, S=pikepdf.Name.GTS_PDFA1, OutputConditionIdentifier=SRGB_NAME,
        Info=SRGB_NAME, DestOutputProfile=profile)])
    for image in _images(out):
        if "/Interpolate" in image:
            del image.Interpolate
    info = out.docinfo
    info.Title, info.Subject, info.Author = archive.title, archive.subject, archive.author
    if producer:
        info.Producer = producer
    out.Root.Metadata = out.make_stream(_xmp(info), Type=pikepdf.Name.Metadata, Subtype=pikepdf.Name.XML)


SRGB_NAME = "sRGB2014.icc"    # the ICC's sRGB v2 profile, as WeasyPrint ships and names it


@lru_cache(maxsize=1)
def _srgb_profile() -> bytes:
    from importlib.resources import files

    return (files("weasyprint.pdf") / SRGB_NAME).read_bytes()


def _images(pdf: Any) -> list[Any]:
    """Return the image XObjects the pages draw, also from within form XObjects (the stamps), each once (by object:
    pikepdf's Page.get_images reports one image a name, and two scopes may each have an /Im0)."""
    drawn: dict[tuple[int, int], Any] = {}
    stack = [page.obj.get("/Resources") for page in pdf.pages]
    while stack:
        resources = stack.pop()
        for xobject in (resources.get("/XObject", {}) if resources is not None else {}).values():
            if xobject.objgen not in drawn:
                drawn[xobject.objgen] = xobject
                if xobject.get("/Subtype") == "/Form":
                    stack.append(xobject.get("/Resources"))
    return [xobject for xobject in drawn.values() if xobject.get("/Subtype") == "/Image"]


XMP_FIELDS = (   # the XMP property and the document information entry it mirrors (ISO 19005-2 §6.6.3, Table 4)
    ('<dc:title><rdf:Alt><rdf:li xml:lang="x-default">{}</rdf:li></rdf:Alt></dc:title>', "/Title"),
    ('<dc:description><rdf:Alt><rdf:li xml:lang="x-default">{}</rdf:li></rdf:Alt></dc:description>', "/Subject"),
    ("<dc:creator><rdf:Seq><rdf:li>{}</rdf:li></rdf:Seq></dc:creator>", "/Author"),
    ("<pdf:Keywords>{}</pdf:Keywords>", "/Keywords"),
    ("<pdf:Producer>{}</pdf:Producer>", "/Producer"),
    ("<xmp:CreatorTool>{}</xmp:CreatorTool>", "/Creator"),
)
XMP = ('<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n<x:xmpmeta xmlns:x="adobe:ns:meta/">\n'
       '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n<rdf:Description rdf:about="" '
       'xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/" xmlns:dc="http://purl.org/dc/elements/1.1/" '
       'xmlns:pdf="http://ns.adobe.com/pdf/1.3/" xmlns:xmp="http://ns.adobe.com/xap/1.0/" '
       'pdfaid:part="2" pdfaid:conformance="B">\n{}\n</rdf:Description>\n</rdf:RDF>\n</x:xmpmeta>\n'
       '<?xpacket end="w"?>')


def _xmp(info: Any) -> bytes:
    """Return the XMP packet of a PDF/A-2b file, each property written from its document information entry (what
    pikepdf's open_metadata did, without parsing WeasyPrint's packet: ~3.5 ms a document)."""
    from xml.sax.saxutils import escape

    return XMP.format("\n".join(template.format(escape(str(info[key]))) for template, key in XMP_FIELDS
                                if key in info)).encode("utf-8")


def _form(pdf: Any, ops: str, width: float, height: float) -> Any:
    """Return a Form XObject of the page's size holding the operators (vector paths only: no resources)."""
    import pikepdf

    return pikepdf.Stream(pdf, ops.encode("ascii"), Type=pikepdf.Name.XObject, Subtype=pikepdf.Name.Form,
                          BBox=[0, 0, width, height], Resources=pikepdf.Dictionary())


def _mark_ops(text: str, height: float) -> str:
    x, y = MARK_LEFT_MM * MM, height - MARK_TOP_MM * MM
    return f"q 0 g 1 0 0 1 {x:.2f} {y:.2f} cm {stamp_font().draw(text, MARK_PT)} Q"


# --- DOCX

HEADERS = ("default", "even", "first")   # each section's headers (odd pages, even pages, its first page)
# a header as python-docx starts one (docx/templates/default-header.xml), with the stamps in its paragraph
HEADER = ("<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n<w:hdr "
          + " ".join(f'xmlns:{prefix}="{uri}"' for prefix, uri in (
              ("m", "http://schemas.openxmlformats.org/officeDocument/2006/math"),
              ("mc", "http://schemas.openxmlformats.org/markup-compatibility/2006"),
              ("o", "urn:schemas-microsoft-com:office:office"),
              ("r", "http://schemas.openxmlformats.org/officeDocument/2006/relationships"),
              ("v", "urn:schemas-microsoft-com:vml"),
              ("w10", "urn:schemas-microsoft-com:office:word"),
              ("w14", "http://schemas.microsoft.com/office/word/2010/wordml"),
              ("w", "http://schemas.openxmlformats.org/wordprocessingml/2006/main"),
              ("wp14", "http://schemas.microsoft.com/office/word/2010/wordprocessingDrawing"),
              ("wp", "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing")))
          + ' mc:Ignorable="w14 wp14"><w:p><w:pPr><w:pStyle w:val="Header"/><w:jc w:val="left"/></w:pPr>{runs}</w:p>'
            "</w:hdr>")
PICTURE = (   # a picture anchored to the page (its top from the page's, or from its paragraph's), taking no room
    '<w:r><w:drawing><wp:anchor distT="0" distB="0" distL="0" distR="0" simplePos="0" relativeHeight="{height}" '
    'behindDoc="{behind}" locked="1" layoutInCell="1" allowOverlap="1"><wp:simplePos x="0" y="0"/>'
    '<wp:positionH relativeFrom="page"><wp:posOffset>{x}</wp:posOffset></wp:positionH>'
    '<wp:positionV relativeFrom="{vertical}"><wp:posOffset>{y}</wp:posOffset></wp:positionV>'
    '<wp:extent cx="{cx}" cy="{cy}"/><wp:effectExtent l="0" t="0" r="0" b="0"/><wp:wrapNone/>'
    '<wp:docPr id="{id}" name="Picture {id}"/><wp:cNvGraphicFramePr><a:graphicFrameLocks '
    'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" noChangeAspect="1"/></wp:cNvGraphicFramePr>'
    '<a:graphic xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
    'xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture">'
    '<a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture"><pic:pic><pic:nvPicPr>'
    '<pic:cNvPr id="0" name="image.png"/><pic:cNvPicPr/></pic:nvPicPr><pic:blipFill><a:blip r:embed="{rid}"/>{crop}'
    '<a:stretch><a:fillRect/></a:stretch></pic:blipFill><pic:spPr><a:xfrm><a:off x="0" y="0"/>'
    '<a:ext cx="{cx}" cy="{cy}"/></a:xfrm><a:prstGeom prst="rect"/></pic:spPr></pic:pic></a:graphicData>'
    '</a:graphic></wp:anchor></w:drawing></w:r>')


def docx(content: bytes | Package, finish: Finish) -> bytes:
    """Return the finished DOCX: one section per copy, each with the watermark, QR code and copy mark in its
    headers, written into the package's parts (_docx_stamped) and the package written once; a seal pressed on it
    after (_docx_sealed)."""
    package = Package.read(content) if isinstance(content, bytes) else content
    if finish.watermark or finish.verify_url or finish.copies > 1:
        _docx_stamped(package, finish)
    if finish.seal or finish.cross_seal:
        return _docx_sealed(package.save(), finish)
    return package.save()


def _docx_stamped(package: Package, finish: Finish) -> None:
    """Make the package's copies sections, each section's headers holding the watermark, QR code and copy mark,
    without opening it as a document: word/document.xml parsed alone, the headers, their pictures and
    relationships written as text, the other parts' bytes kept (python-docx parsed and wrote every part again:
    the finish of a letter with its code took 14–15 ms CPU, then 4–6 ms, its QR code included)."""
    from docx.oxml import parse_xml
    from docx.oxml.ns import qn
    from docx.shared import Twips

    document = parse_xml(package.parts[BODY])
    body = document.find(qn("w:body"))
    _docx_copies(body, finish.copies, finish.pad and finish.copies > 1 and finish.copy_pages % 2 == 1)
    size = body.find(qn("w:sectPr")).find(qn("w:pgSz"))
    width_mm, height_mm = Twips(int(size.get(qn("w:w")))).mm, Twips(int(size.get(qn("w:h")))).mm
    qr_png = qr.png(finish.verify_url) if finish.verify_url else None
    drawing = _renumber([document])
    shape_id = 1
    for n, sect_pr in enumerate(body.iter(qn("w:sectPr")), 1):
        mark = copy_mark(n, finish.copies) if finish.copies > 1 else ""
        for kind in HEADERS:
            vml = watermark.vml_shapes(finish.watermark, finish.note, width_mm, height_mm, shape_id) \
                if finish.watermark else []
            shape_id += 2 * len(watermark.ROWS)
            runs, drawing = _header_runs(package, vml, qr_png, mark, width_mm, height_mm, drawing)
            _refer(sect_pr, kind, package.add_header(HEADER.format(runs=runs).encode("utf-8")))
    package.parts[BODY] = part_xml(document)


def _header_runs(package: Package, vml: list[str], qr_png: bytes | None, mark: str, page_width_mm: float,
                 page_height_mm: float, drawing: int) -> tuple[str, int]:
    """Return a header's runs — the watermark's VML shapes behind the text, as Word writes a watermark, the QR code
    and the copy mark as pictures, their relationships added to the header about to be added — and the next
    drawing id."""
    runs = [f"<w:r><w:pict>{shape}</w:pict></w:r>" for shape in vml]
    if qr_png:
        side = QR_MM * 1.2   # the PNG has its quiet zone
        runs.append(_picture(package.relate_picture(qr_png), drawing, side, side, (page_width_mm - side) / 2,
                             page_height_mm - QR_BOTTOM_MM - QR_MM * 1.1))
        drawing += 1
    if mark:
        data, width_mm, height_mm = watermark.text_png(mark, MARK_PT)
        runs.append(_picture(package.relate_picture(data), drawing, width_mm, height_mm, MARK_LEFT_MM,
                             MARK_TOP_MM - height_mm))
        drawing += 1
    return "".join(runs), drawing


def _picture(rid: str, drawing: int, width_mm: float, height_mm: float, x_mm: float, y_mm: float, *,
             behind: bool = False, vertical: str = "page", crop: tuple[int, int] | None = None) -> str:
    """Return a run holding the picture of relationship `rid` anchored at (x, y) mm from the page's left and top
    (or its paragraph's top), behind the text or over it; `crop`: its left and right cut off (a:srcRect,
    thousandths of a percent)."""
    from docx.shared import Mm

    return PICTURE.format(height=1 if behind else 2, behind=1 if behind else 0, x=Mm(x_mm).emu, y=Mm(y_mm).emu,
                          vertical=vertical, cx=Mm(width_mm).emu, cy=Mm(height_mm).emu, id=drawing, rid=rid,
                          crop=f'<a:srcRect l="{crop[0]}" r="{crop[1]}"/>' if crop else "")


def _refer(sect_pr: Any, kind: str, rid: str) -> None:
    """Add a header reference to a section's properties, after its header and footer references (schema order)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    reference = OxmlElement("w:headerReference", {qn("w:type"): kind, qn("r:id"): rid})
    references = (qn("w:headerReference"), qn("w:footerReference"))
    following = next(el for el in sect_pr if el.tag not in references)   # w:pgSz at least (every builder sets it)
    following.addprevious(reference)


def _docx_sealed(content: bytes, finish: Finish) -> bytes:
    """Return the DOCX with the unit's seal over its 成文日期 and/or a 骑缝章 across each copy's sheets: opened with
    python-docx (the seal's place is read from its paragraphs and styles), asked for on a unit's documents only."""
    from docx import Document

    doc = Document(io.BytesIO(content))
    if finish.seal:
        _seal_docx(doc, finish.seal)
    if finish.cross_seal:
        _seal_across_docx(doc, finish.cross_seal, finish.copy_pages)
    _renumber([doc.part.element] + [rel.target_part.element for rel in doc.part.rels.values()
                                    if rel.reltype.endswith("/header") or rel.reltype.endswith("/footer")])
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _blank_page() -> list[Any]:
    """Return the paragraphs that end a copy with a blank page: a page break, then an empty paragraph."""
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    return [parse_xml(f'<w:p {nsdecls("w")}><w:r><w:br w:type="page"/></w:r></w:p>'),
            parse_xml(f'<w:p {nsdecls("w")}/>')]


def _docx_copies(body: Any, copies: int, pad: bool = False) -> None:
    """Repeat the body as sections; sections 2..N start on an odd page, their page numbers at 1. `pad`: each
    copy ends with a real blank page (an odd-page section break alone is dropped by LibreOffice's PDF export:
    copy 2 started on a back page), the padding the PDF has."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    if copies < 2:
        return
    final = body.find(qn("w:sectPr"))
    # the body as it is: copy 1's last paragraph may take copy 1's section break, which copies 2..N must not repeat
    content = [copy.deepcopy(el) for el in body if el is not final]

    def copy_end(sect_pr: Any | None) -> None:
        """End the copy before `final`: its blank page, then its section break (none for the last copy)."""
        if pad:
            for el in _blank_page():
                final.addprevious(el)
        if sect_pr is None:
            return
        last = body[list(body).index(final) - 1]
        if pad or last.tag != qn("w:p") or last.find(qn("w:pPr") + "/" + qn("w:sectPr")) is not None:
            last = OxmlElement("w:p")
            final.addprevious(last)
        p_pr = last.find(qn("w:pPr"))
        if p_pr is None:
            p_pr = OxmlElement("w:pPr")
            last.insert(0, p_pr)
        p_pr.append(sect_pr)

    for n in range(2, copies + 1):
        copy_end(_section_properties(final, odd_page=n > 2))
        for el in content:
            final.addprevious(copy.deepcopy(el))
    copy_end(None)
    restart = _section_properties(final, odd_page=True)
    final.getparent().replace(final, restart)


def _section_properties(template: Any, *, odd_page: bool) -> Any:
    """Copy a w:sectPr without its headers (added per copy); odd page start and page numbers from 1."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    sect = copy.deepcopy(template)
    for ref in sect.findall(qn("w:headerReference")):
        sect.remove(ref)
    for tag in ("w:type", "w:pgNumType"):
        for el in sect.findall(qn(tag)):
            sect.remove(el)
    if odd_page:
        kind = OxmlElement("w:type")
        kind.set(qn("w:val"), "oddPage")
        # schema order: after the header/footer references, before w:pgSz
        sect.find(qn("w:pgSz")).addprevious(kind)
        numbers = OxmlElement("w:pgNumType")
        numbers.set(qn("w:start"), "1")
        cols = sect.find(qn("w:cols"))
        (cols.addprevious if cols is not None else sect.append)(numbers)
    return sect


def _seal_docx(doc: Any, seal: Seal) -> None:
    """Float the seal behind the 成文日期 paragraph where docgen.render.seal places it."""
    spot = seal_render.docx_spot(doc, seal)
    if spot is None:
        raise ValueError("the document has no 成文日期 paragraph to seal (docx_builder.add_signoff)")
    paragraph, x_mm, top_mm = spot
    rid, _ = doc.part.get_or_add_image(io.BytesIO(seal.png))
    paragraph._p.append(_run(_picture(rid, 0, seal.diameter_mm, seal.diameter_mm, x_mm, top_mm, behind=True,
                                      vertical="paragraph")))


def _seal_across_docx(doc: Any, seal: Seal, pages: int) -> None:
    """Float a 骑缝章 on each copy's sheets as the PDF has it (_seal_across): the seal cut in as many upright
    strips as the copy has sheets, strip i (the picture cropped to it) anchored to the page at the outer (right)
    edge of sheet i's front, from the first paragraph of that page. A copy's pages begin at its first
    paragraph and at each paragraph that starts a page (w:pageBreakBefore); `pages`, the PDF's pages of a copy,
    must be as many, else some page begins where no paragraph tells (Unsealable)."""
    section = doc.sections[0]
    width_mm, height_mm = section.page_width.mm, section.page_height.mm
    side = seal.diameter_mm
    rid, _ = doc.part.get_or_add_image(io.BytesIO(seal.png))
    for starts in _copy_page_starts(doc):
        if len(starts) != pages:
            raise Unsealable(f"the copy lays out on {pages} pages, {len(starts)} of which begin at a page break")
        fronts = starts[::2]
        strip = side / len(fronts)
        for i, start in enumerate(fronts):
            start.append(_run(_picture(rid, 0, strip, side, width_mm - strip, (height_mm - side) / 2,
                                       crop=seal_render.strip_crop(i, len(fronts)))))


def _run(xml: str) -> Any:
    """Return a run's element from its XML (_picture)."""
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    return parse_xml(f'<w:p {nsdecls("w", "wp", "r")}>{xml}</w:p>')[0]


def _copy_page_starts(doc: Any) -> list[list[Any]]:
    """Return, per copy (section), the body paragraphs that begin its pages: its first, and those with
    w:pageBreakBefore."""
    from docx.oxml.ns import qn

    copies: list[list[Any]] = [[]]
    for el in doc.element.body:
        if el.tag != qn("w:p"):
            continue
        if not copies[-1] or el.find(f"{qn('w:pPr')}/{qn('w:pageBreakBefore')}") is not None:
            copies[-1].append(el)
        if el.find(f"{qn('w:pPr')}/{qn('w:sectPr')}") is not None:   # a section break ends the copy
            copies.append([])
    return [starts for starts in copies if starts]


def _renumber(parts: list[Any]) -> int:
    """Give every drawing of the parts a unique id, in order from 1 (copied sections repeat the body's; Word
    repairs duplicates); return the next id."""
    from docx.oxml.ns import qn

    drawings = [pr for part in parts for pr in part.iter(qn("wp:docPr"))]
    for n, pr in enumerate(drawings, 1):
        pr.set("id", str(n))
    return len(drawings) + 1
