"""The verification QR code: a signed link to /v1/verify/<document_id>, drawn on every page."""
from __future__ import annotations

import io
from urllib.parse import quote

import qrcode
from itsdangerous import BadSignature, Signer

SALT = "docgen-verify"


def _signer(secret_key: str) -> Signer:
    return Signer(secret_key, salt=SALT)


def signature(document_id: str, secret_key: str) -> str:
    """Return the HMAC of a document id with the deployment's SECRET_KEY (URL-safe, 27 characters)."""
    return _signer(secret_key).get_signature(document_id).decode("ascii")


def signature_valid(document_id: str, given: str, secret_key: str) -> bool:
    """Check a link's signature against the document id."""
    try:
        return _signer(secret_key).verify_signature(document_id, given)
    except BadSignature:
        return False


def verify_url(public_url: str, document_id: str, secret_key: str) -> str:
    """Return the link a document's QR code opens: PUBLIC_URL/v1/verify/<id>?s=<signature>."""
    return (f"{public_url.rstrip('/')}/v1/verify/{quote(document_id)}"
            f"?s={quote(signature(document_id, secret_key))}")


def matrix(data: str) -> list[list[bool]]:
    """Return the QR modules of a text (medium error correction), without the quiet zone."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0)
    code.add_data(data)
    code.make(fit=True)
    return code.get_matrix()


def pdf_ops(data: str, x: float, y: float, size: float) -> str:
    """Return PDF operators filling the QR code of a text as black squares in a size×size pt square at (x, y)."""
    rows = matrix(data)
    module = size / len(rows)
    squares = []
    for r, row in enumerate(rows):
        c = 0
        while c < len(row):   # one rectangle per run of dark modules in a row
            if row[c]:
                start = c
                while c < len(row) and row[c]:
                    c += 1
                squares.append(f"{x + start * module:.3f} {y + size - (r + 1) * module:.3f} "
                               f"{(c - start) * module:.3f} {module:.3f} re")
            else:
                c += 1
    # a white quiet zone of 2 modules, then the code
    quiet = 2 * module
    return (f"q 1 g {x - quiet:.3f} {y - quiet:.3f} {size + 2 * quiet:.3f} {size + 2 * quiet:.3f} re f\n"
            f"0 g\n" + "\n".join(squares) + "\nf Q")


def png(data: str, box_size: int = 6) -> bytes:
    """Return the QR code of a text as a PNG (for the DOCX), with a quiet zone of 2 modules."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=2, box_size=box_size)
    code.add_data(data)
    code.make(fit=True)
    out = io.BytesIO()
    code.make_image(fill_color="black", back_color="white").save(out, format="PNG")
    return out.getvalue()
