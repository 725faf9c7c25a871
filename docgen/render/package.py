"""A DOCX package in memory: its parts by name, added to as text, its relationships and content types parsed only
when changed, and written to a zip once."""
from __future__ import annotations

import io
import itertools
import struct
import time
import zipfile
import zlib
from dataclasses import dataclass
from typing import Any

from lxml import etree

BODY = "word/document.xml"
RELS = "word/_rels/document.xml.rels"
TYPES = "[Content_Types].xml"
STYLES = "word/styles.xml"
RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/{}"
ZIP_LEVEL = 1   # the body of a 1000-row roster is 2.3 MB of XML: level 6 takes 3× longer for 10 % less
# the extensions python-docx declares once for all their parts (docx.opc.spec.default_content_types), pictures' here
DEFAULT_TYPES = {("png", "image/png"), ("jpg", "image/jpeg"), ("jpeg", "image/jpeg"), ("jpe", "image/jpeg"),
                 ("gif", "image/gif"), ("bmp", "image/bmp"), ("tif", "image/tiff"), ("tiff", "image/tiff")}


def xml(element: Any) -> bytes:
    """Return a part's XML as python-docx writes it."""
    return etree.tostring(element, encoding="UTF-8", standalone=True)


class Package:
    """A DOCX's parts by name; a header or picture is added as python-docx would add it (the first free part name
    and relationship id, a picture once), so that the package written equals python-docx's."""

    def __init__(self, parts: dict[str, bytes], deflated: dict[str, Deflated] | None = None):
        self.parts = parts
        self.deflated = deflated or {}          # parts compressed before (a compiled template's), by name
        self._rels: Any = None                   # word/document.xml's relationships, once parsed
        self._types: Any = None                  # [Content_Types].xml, once parsed
        self._media: dict[bytes, str] | None = None   # a picture → its part (each picture once in the package)
        self.header_rels: list[str] = []         # the relationships of the header about to be added

    @classmethod
    def read(cls, content: bytes) -> Package:
        """Return the package of a DOCX file."""
        with zipfile.ZipFile(io.BytesIO(content)) as package:
            return cls({item.filename: package.read(item) for item in package.infolist()})

    @property
    def rels(self) -> Any:
        if self._rels is None:
            self._rels = etree.fromstring(self.parts[RELS])
        return self._rels

    @property
    def types(self) -> Any:
        if self._types is None:
            self._types = etree.fromstring(self.parts[TYPES])
        return self._types

    def _name(self, template: str) -> str:
        """Return the first part name of the template (word/header%d.xml) not taken, as python-docx names them."""
        return next(template % n for n in itertools.count(1) if template % n not in self.parts)

    def relate(self, kind: str, target: str) -> str:
        """Return the id of the document's relationship of a kind to a target, added (the first rIdN free) unless
        there."""
        for rel in self.rels:
            if rel.get("Type") == RELATIONSHIPS.format(kind) and rel.get("Target") == target:
                return str(rel.get("Id"))
        taken = {rel.get("Id") for rel in self.rels}
        rid = next(f"rId{n}" for n in itertools.count(1) if f"rId{n}" not in taken)
        etree.SubElement(self.rels, f"{{{self.rels.nsmap[None]}}}Relationship", Id=rid,
                         Type=RELATIONSHIPS.format(kind), Target=target)
        return rid

    def _declare(self, name: str, content_type: str) -> None:
        """Declare a part's content type as python-docx does: its extension's Default (in order), else an Override."""
        ns = self.types.nsmap[None]
        ext = name.rsplit(".", 1)[-1]
        if (ext.lower(), content_type) not in DEFAULT_TYPES:
            etree.SubElement(self.types, f"{{{ns}}}Override", PartName="/" + name, ContentType=content_type)
            return
        defaults = self.types.findall(f"{{{ns}}}Default")
        if any(el.get("Extension") == ext for el in defaults):
            return
        default = etree.Element(f"{{{ns}}}Default", Extension=ext, ContentType=content_type)
        later = [el for el in defaults if el.get("Extension") > ext]
        if later:
            later[0].addprevious(default)
        else:
            self.types.insert(len(defaults), default)   # python-docx writes the Defaults first

    def add_media(self, data: bytes, ext: str, content_type: str) -> str:
        """Return the part of a picture, added (word/media/imageN.ext, N the first number free) unless there."""
        if self._media is None:
            self._media = {data: name for name, data in self.parts.items() if name.startswith("word/media/")}
        if data not in self._media:
            taken = {name.rsplit(".", 1)[0] for name in self._media.values()}
            stem = next(f"word/media/image{n}" for n in itertools.count(1) if f"word/media/image{n}" not in taken)
            self._media[data] = f"{stem}.{ext}"
            self.parts[self._media[data]] = data
            self._declare(self._media[data], content_type)
        return self._media[data]

    def relate_picture(self, png: bytes) -> str:
        """Return the id of a PNG's relationship from the header about to be added, the picture added once."""
        self.header_rels.append(self.add_media(png, "png", "image/png").removeprefix("word/"))
        return f"rId{len(self.header_rels)}"

    def add_header(self, header: bytes) -> str:
        """Add a header part with the pictures related since the last one; return its relationship's id."""
        name = self._name("word/header%d.xml")
        self.parts[name] = header
        if self.header_rels:
            self.parts[name.replace("word/", "word/_rels/") + ".rels"] = (
                "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n<Relationships "
                'xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                + "".join(f'<Relationship Id="rId{n}" Type="{RELATIONSHIPS.format("image")}" Target="{target}"/>'
                          for n, target in enumerate(self.header_rels, 1))
                + "</Relationships>").encode("utf-8")
            self.header_rels = []
        self._declare(name, "application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml")
        return self.relate("header", name.removeprefix("word/"))

    def save(self) -> bytes:
        """Return the package written as a zip, the parts in their order, the new ones last; a part still the
        bytes it was compressed from (`deflated`) is not compressed again."""
        if self._rels is not None:
            self.parts[RELS] = xml(self._rels)
        if self._types is not None:
            self.parts[TYPES] = xml(self._types)
        members = []
        for name, data in self.parts.items():
            done = self.deflated.get(name)
            members.append((name, done if done is not None and done.source is data else Deflated.of(data, name)))
        return _zip(members)


@dataclass(frozen=True)
class Deflated:
    """A part compressed for the zip: what it was compressed from, its deflate stream, CRC-32 and size."""

    source: bytes
    data: bytes
    crc: int

    @classmethod
    def of(cls, source: bytes, name: str) -> Deflated:
        """Return a part compressed as docgen writes it (the body faster, ZIP_LEVEL; the others at zlib's default)."""
        packer = zlib.compressobj(ZIP_LEVEL if name == BODY else zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)
        return cls(source, packer.compress(source) + packer.flush(), zlib.crc32(source))


LOCAL = struct.Struct("<IHHHHHIIIHH")          # APPNOTE 4.3.7: local file header
CENTRAL = struct.Struct("<IHHHHHHIIIHHHHHII")  # 4.3.12: central directory file header
END = struct.Struct("<IHHHHIIH")               # 4.3.16: end of central directory record


def _zip(members: list[tuple[str, Deflated]]) -> bytes:
    """Return a zip of deflated members as zipfile writes it (version 2.0, no data descriptor, UTF-8 flag for a
    name beyond ASCII), dated now: zipfile cannot take data compressed before."""
    now = time.localtime()
    stamp = (now.tm_hour << 11 | now.tm_min << 5 | now.tm_sec // 2, (now.tm_year - 1980) << 9 | now.tm_mon << 5
             | now.tm_mday)
    local, central, offset = [], [], 0
    for name, member in members:
        encoded = name.encode("utf-8")
        flags = 0 if encoded.isascii() else 0x800
        sizes = (member.crc, len(member.data), len(member.source), len(encoded))
        header = LOCAL.pack(0x04034B50, 20, flags, zipfile.ZIP_DEFLATED, *stamp, *sizes, 0) + encoded
        central.append(CENTRAL.pack(0x02014B50, 20, 20, flags, zipfile.ZIP_DEFLATED, *stamp, *sizes, 0, 0, 0, 0, 0,
                                    offset) + encoded)
        local += [header, member.data]
        offset += len(header) + len(member.data)
    directory = b"".join(central)
    return b"".join(local) + directory + END.pack(0x06054B50, 0, 0, len(members), len(members), len(directory),
                                                   offset, 0)
