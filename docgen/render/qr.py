"""The verification QR code: a signed link to /v1/verify/<document_id>, drawn on every page."""
from __future__ import annotations

import io
from functools import cache
from typing import NamedTuple
from urllib.parse import quote

import qrcode
from qrcode import util
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


QUIET = 2          # the PNG's quiet zone, in modules
BITS = bytes.maketrans(b"\x00\x01", b"01")   # modules as bytes (light 0, dark 1) → binary digits


class _Mask(NamedTuple):
    """A mask pattern against mask 0, on the data modules of a version."""

    delta: int                       # the modules it sets differently from mask 0, as _lines gives them
    cells: list[tuple[int, int]]     # the same modules, (row, column)


class _Code(qrcode.QRCode):
    """qrcode's QR code as its make(fit=True) makes it, made faster: laid out once and each mask's penalty computed
    on the symbol as one int (qrcode lays the symbol out again and walks it module by module for each of the 8
    masks: ~1 ms a mask, 8–10 ms a code)."""

    def make(self, fit: bool = True) -> None:
        """Make the symbol qrcode's make(fit=True) makes: the smallest version that holds the data, and the mask of
        the lowest penalty (the first on a tie) on the symbol laid out as qrcode tests it (format and version
        modules light). Laid out once with mask 0; each other mask applied to the data modules by XOR, the chosen
        one then to the modules, and the format and version modules written for it."""
        self.best_fit()
        self.makeImpl(True, 0)
        symbol = _lines(self.modules)
        masks = _MASKS[self.version]
        penalties = [_penalty(symbol ^ mask.delta, self.modules_count) for mask in masks]
        pattern = penalties.index(min(penalties))
        for r, c in masks[pattern].cells:
            self.modules[r][c] = not self.modules[r][c]
        self.setup_type_info(False, pattern)
        if self.version >= 7:
            self.setup_type_number(False)

    def map_data(self, data: list[int], mask_pattern: int) -> None:
        """Lay out the data modules, noting the first time for a version which modules they are (those the
        function patterns left unset)."""
        if self.version not in _MASKS:
            _MASKS[self.version] = _masks(self.modules)
        super().map_data(data, mask_pattern)


_MASKS: dict[int, list[_Mask]] = {}   # per version, the 8 masks against mask 0


def _lines(modules: list[list[bool]]) -> int:
    """Return the symbol's rows then its columns, n modules each, as the binary digits of one int (dark: 1)."""
    digits = b"".join(bytes(row) for row in modules) + b"".join(bytes(column) for column in zip(*modules, strict=True))
    return int(digits.translate(BITS), 2)


def _masks(modules: list[list[bool | None]]) -> list[_Mask]:
    """Return, per mask, the data modules (those unset) it darkens differently from mask 0."""
    n = len(modules)
    data = [(r, c) for r, row in enumerate(modules) for c, value in enumerate(row) if value is None]
    first = util.mask_func(0)
    masks = []
    for pattern in range(8):
        other = util.mask_func(pattern)
        cells = [(r, c) for r, c in data if first(r, c) != other(r, c)]
        flags = bytearray(2 * n * n)
        for r, c in cells:
            flags[r * n + c] = flags[n * n + c * n + r] = 1
        masks.append(_Mask(int(bytes(flags).translate(BITS), 2), cells))
    return masks


@cache
def _windows(n: int) -> tuple[int, int, int]:
    """Return, for a symbol of n modules a side as _lines gives it, the bits where a window can start that lies
    within one line: 2 modules wide within a row that has a row above it (N2's blocks), 5 and 11 modules wide
    within any row or column (N1's runs, N3's patterns)."""
    def starts(width: int, lines: int) -> str:
        return ("0" * (width - 1) + "1" * (n - width + 1)) * lines

    return int("0" * n + starts(2, n - 1) + "0" * n * n, 2), int(starts(5, 2 * n), 2), int(starts(11, 2 * n), 2)


def _penalty(symbol: int, n: int) -> int:
    """Return qrcode's lost_point of a symbol given as _lines gives it, the same sum in the same arithmetic: runs
    of 5 or more modules of one colour (N1), 2×2 blocks of one colour (N2), 1:1:3:1:1 patterns with 4 light
    modules on a side (N3) and the dark modules' share (N4); a bit is compared with those above it (higher bits),
    which reads each line backwards: the same runs and blocks, and N3's two patterns swap."""
    blocks, run5, finder = _windows(n)
    same = ~(symbol ^ (symbol >> 1))                   # a module has the colour of the next
    fives = same & (same >> 1) & (same >> 2) & (same >> 3) & run5
    runs = fives.bit_count() + 2 * (fives & ~(fives >> 1)).bit_count()   # a run of L: L - 4 windows, +2 = L - 2
    below = ~(symbol ^ (symbol >> n))                  # a module has the colour of the one below it
    squares = (below & (below >> 1) & same & blocks).bit_count()
    s = [symbol >> k for k in range(11)]
    middle = ~s[1] & s[4] & ~s[5] & s[6] & ~s[9] & finder
    finders = (middle & s[0] & s[2] & s[3] & ~s[7] & ~s[8] & ~s[10]).bit_count() \
        + (middle & ~s[0] & ~s[2] & ~s[3] & s[7] & s[8] & s[10]).bit_count()
    dark = (symbol >> n * n).bit_count()
    rating = int(abs(float(dark) / (n**2) * 100 - 50) / 5)
    return runs + 3 * squares + 40 * finders + 10 * rating


def _code(data: str) -> _Code:
    """Return the QR code of a text (medium error correction), made as qrcode's make(fit=True) makes it."""
    code = _Code(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0)
    code.add_data(data)
    code.make(fit=True)
    return code


def matrix(data: str) -> list[list[bool]]:
    """Return the QR modules of a text (medium error correction), without the quiet zone."""
    modules: list[list[bool]] = _code(data).get_matrix()
    return modules


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
    """Return the QR code of a text as a black-and-white PNG (for the DOCX), a module box_size pixels, with a quiet
    zone of 2 modules: the pixels qrcode's own image of it has."""
    from PIL import Image

    rows = matrix(data)
    side = len(rows) + 2 * QUIET
    light = b"\xff" * QUIET
    margin = [b"\xff" * side] * QUIET
    pixels = b"".join(margin + [light + bytes(0 if dark else 255 for dark in row) + light for row in rows] + margin)
    image = Image.frombytes("L", (side, side), pixels).convert("1", dither=Image.Dither.NONE)
    out = io.BytesIO()
    image.resize((side * box_size, side * box_size), Image.Resampling.NEAREST).save(out, format="PNG")
    return out.getvalue()
