"""Photos: refused from the header when too large, otherwise decoded and saved again."""
from __future__ import annotations

import base64
import io
import struct
import zlib

import pytest
from PIL import Image

from docgen.documents import sample
from docgen.limits import images


def _png_header_only(width: int, height: int) -> bytes:
    """A tiny PNG that declares width × height pixels (one compressed all-zero IDAT, as a bomb would)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    rows = zlib.compressobj(9).compress(b"\0" * 1_000_000)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")


def _jpeg(size=(400, 560), **save) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, "JPEG", **save)
    return out.getvalue()


@pytest.mark.parametrize("megapixels", [144, 400])
def test_pixel_bomb_refused_from_the_header(monkeypatch, megapixels):
    bomb = _png_header_only(12_000, megapixels * 1_000_000 // 12_000)
    assert len(bomb) < 20_000
    monkeypatch.setattr(Image.Image, "load", lambda self: pytest.fail("decoded a photo the header refuses"))
    with pytest.raises(images.PhotoRefused) as refused:
        images.reencode(bomb)
    assert refused.value.code == "photo_too_many_pixels" and "2000万" in refused.value.message


def test_photo_over_2_mb_refused():
    with pytest.raises(images.PhotoRefused) as refused:
        images.reencode(b"\xff\xd8" + b"\0" * images.MAX_BYTES)
    assert refused.value.code == "photo_too_large"


def test_photo_reencoded_without_metadata_and_shrunk():
    exif = Image.Exif()
    exif[0x010F] = "SecretCam GPS 41.7N"      # Make: anything beyond the pixels must not reach a document
    original = _jpeg((3000, 4000), exif=exif.tobytes(), comment=b"hidden note")
    out = images.reencode(original)
    with Image.open(io.BytesIO(out)) as image:
        assert image.format == "JPEG" and max(image.size) <= max(images.PRINT_PIXELS)
        assert not image.getexif() and "comment" not in image.info
    assert b"SecretCam" not in out and b"hidden note" not in out


def test_gif_is_not_a_photo():
    gif = io.BytesIO()
    Image.new("RGB", (10, 10)).save(gif, "GIF")
    with pytest.raises(images.PhotoRefused) as refused:
        images.reencode(gif.getvalue())
    assert refused.value.code == "photo_format"


def test_api_answers_422_at_the_photo_field(client):
    payload = sample("evaluation-form")
    payload["applicant"]["photo"] = base64.b64encode(_png_header_only(12_000, 12_000)).decode()
    resp = client.post("/v1/documents/evaluation-form?format=docx", json=payload)
    assert resp.status_code == 422 and resp.mimetype == "application/problem+json"
    assert resp.json["errors"] == [{"pointer": "/applicant/photo", "detail": resp.json["errors"][0]["detail"]}]
    assert "2000万像素" in resp.json["errors"][0]["detail"]
