"""Throwaway credentials for the tests: a seal image drawn here and a PKCS#12 from a CA made here (cryptography)."""
from __future__ import annotations

import datetime as dt
import io
import math

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from PIL import Image, ImageDraw, ImageFont

from docgen.render.outlines import stamp_font_file

RED = (220, 30, 30, 255)


def seal_png(unit: str = "新疆测试单位", px: int = 420, dpi: float | None = None) -> bytes:
    """Draw a round red seal (ring, star, the unit's name round the top) on a transparent ground."""
    image = Image.new("RGBA", (px, px), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    c, r = px / 2, px / 2 - 4
    draw.ellipse((c - r, c - r, c + r, c + r), outline=RED, width=round(px * 0.03))
    star = [(c + r * 0.3 * math.sin(a * math.pi / 5) * (1 if a % 2 == 0 else 0.4),
             c - r * 0.3 * math.cos(a * math.pi / 5) * (1 if a % 2 == 0 else 0.4)) for a in range(10)]
    draw.polygon(star, fill=RED)
    font = ImageFont.truetype(stamp_font_file(), round(px * 0.1))
    for i, char in enumerate(unit):
        angle = math.radians(-120 + 240 * (i + 0.5) / len(unit))
        glyph = Image.new("RGBA", (round(px * 0.12), round(px * 0.12)), (0, 0, 0, 0))
        ImageDraw.Draw(glyph).text((glyph.width / 2, glyph.height / 2), char, font=font, fill=RED, anchor="mm")
        glyph = glyph.rotate(-math.degrees(angle), expand=True)
        x, y = c + r * 0.75 * math.sin(angle), c - r * 0.75 * math.cos(angle)
        image.alpha_composite(glyph, (round(x - glyph.width / 2), round(y - glyph.height / 2)))
    out = io.BytesIO()
    image.save(out, format="PNG", **({"dpi": (dpi, dpi)} if dpi else {}))
    return out.getvalue()


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, common),
                      x509.NameAttribute(NameOID.COMMON_NAME, common)])


def throwaway_ca(unit: str = "新疆测试单位", password: str = "pw") -> tuple[bytes, bytes]:
    """Make a CA and a signing certificate for `unit`; return the PKCS#12 (key, certificate, CA) and the CA (PEM)."""
    now = dt.datetime.now(dt.timezone.utc)
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca_name = _name("docgen 测试根证书")
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
          .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
          .not_valid_after(now + dt.timedelta(days=30))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                                       data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                       crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
          .sign(ca_key, hashes.SHA256()))
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    cert = (x509.CertificateBuilder().subject_name(_name(unit)).issuer_name(ca_name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=30))
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                         crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
            .sign(ca_key, hashes.SHA256()))
    p12 = pkcs12.serialize_key_and_certificates(unit.encode(), key, cert, [ca],
                                                serialization.BestAvailableEncryption(password.encode()))
    return p12, ca.public_bytes(serialization.Encoding.PEM)
