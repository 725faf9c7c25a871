"""The unit's digital signature on an issued PDF: PAdES baseline B-B (B-T with a time-stamp authority) by
pyHanko, an incremental update (a PDF/A file stays PDF/A), its visible field the seal's box; and reading it back.
"""
from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from functools import cache
from typing import Any

FIELD = "单位签章"   # the signature field's name, as a viewer lists it
# room kept for the CMS container: pyHanko otherwise signs twice, once to measure it (half the signing time).
# RSA-4096 with a 3-certificate chain is ~7 KB; an RFC 3161 time-stamp token adds ~6 KB
RESERVED, RESERVED_WITH_TSA = 12_288, 24_576


class _NoTrustListNeeded(logging.Filter):
    """Drop pyHanko's warning (with its traceback) that no certificate path was built: `signatures` checks with
    no trust list on purpose, so every verification logged one."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("Failed to build path")


logging.getLogger("pyhanko.sign.validation.generic_cms").addFilter(_NoTrustListNeeded())


class SignerError(ValueError):
    """The PKCS#12 cannot be used to sign (wrong password, no key, not PKCS#12)."""


@dataclass(frozen=True)
class Signer:
    """A unit's key and certificate (from its PKCS#12), and the time-stamp authority if any."""

    signer: Any                 # pyhanko.sign.signers.SimpleSigner
    tsa_url: str | None = None

    @classmethod
    def from_p12(cls, data: bytes, password: str, tsa_url: str | None = None) -> Signer:
        """Load a PKCS#12 archive; a SignerError says why it cannot sign."""
        from pyhanko.sign.signers import SimpleSigner

        try:
            loaded = SimpleSigner.load_pkcs12_data(data, other_certs=(), passphrase=password.encode() or None)
        except (ValueError, TypeError) as exc:
            raise SignerError(f"证书文件（PKCS#12）无法读取，或密码不对：{exc}") from None
        if loaded is None or loaded.signing_cert is None:
            raise SignerError("证书文件（PKCS#12）中没有证书和私钥")
        signer = _kept_key_signer()(loaded.signing_cert, loaded.signing_key, loaded.cert_registry)
        return cls(signer, tsa_url or None)

    @property
    def name(self) -> str:
        """Return who signs: the certificate subject's common name (the unit)."""
        return str(self.signer.signing_cert.subject.human_friendly)


@cache
def _kept_key_signer() -> type:
    """Return a pyHanko SimpleSigner that parses its private key once and builds its signing-certificate
    attribute once: SimpleSigner parses (and checks) the key again for every signature (2/3 of its time, RSA-2048),
    and asn1crypto took ~18 ms to build the ESS signing-certificate-v2 attribute, the same for every signature
    of one certificate (kept as DER, loaded again in ~0.1 ms)."""
    from functools import cached_property

    from asn1crypto import cms
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
    from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
    from pyhanko_certvalidator.util import get_pyca_cryptography_hash
    from pyhanko.sign.attributes import CMSAttributeProvider, SigningCertificateV2Provider
    from pyhanko.sign.general import as_signing_certificate_v2
    from pyhanko.sign.signers import SimpleSigner
    from pyhanko.sign.signers.pdf_cms import simple_cms_attribute

    class KeptAttribute(CMSAttributeProvider):
        """A signed attribute that is the same for every signature: its DER, parsed again for each."""

        def __init__(self, attribute_type: str, der: bytes):
            self.attribute_type, self.der = attribute_type, der

        async def get_attribute(self, dry_run: bool = False) -> Any:
            return cms.CMSAttribute.load(self.der)

    class KeptKeySigner(SimpleSigner):
        @cached_property
        def _key(self) -> Any:
            return serialization.load_der_private_key(self.signing_key.dump(), password=None)

        @cached_property
        def _signing_certificate(self) -> KeptAttribute:
            kind = SigningCertificateV2Provider.attribute_type
            return KeptAttribute(kind, simple_cms_attribute(kind, as_signing_certificate_v2(self.signing_cert)).dump())

        def _signed_attr_providers(self, *args: Any, **kwargs: Any) -> Any:
            for provider in super()._signed_attr_providers(*args, **kwargs):
                yield self._signing_certificate if isinstance(provider, SigningCertificateV2Provider) else provider

        def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
            mechanism = self.get_signature_mechanism_for_digest(digest_algorithm).signature_algo
            if mechanism == "rsassa_pkcs1v15" and isinstance(self._key, RSAPrivateKey):
                return self._key.sign(data, PKCS1v15(), get_pyca_cryptography_hash(digest_algorithm))
            return super().sign_raw(data, digest_algorithm)   # PSS, ECDSA…: pyHanko's own way

    return KeptKeySigner


@dataclass(frozen=True)
class Visible:
    """Where the signature shows: a page (0-based) and its box in points, the seal's on that page."""

    page: int
    box: tuple[float, float, float, float]


def sign(pdf: bytes, signer: Signer, visible: Visible | None = None) -> bytes:
    """Return the PDF signed (PAdES B-B, or B-T when the signer names a TSA), appended as an incremental update."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers, timestamps
    from pyhanko.sign.fields import SigSeedSubFilter

    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    meta = signers.PdfSignatureMetadata(field_name=FIELD, subfilter=SigSeedSubFilter.PADES, md_algorithm="sha256")
    spec = None
    if visible:
        x1, y1, x2, y2 = (round(v) for v in visible.box)   # pyHanko takes whole points
        spec = fields.SigFieldSpec(FIELD, on_page=visible.page, box=(x1, y1, x2, y2))
    pdf_signer = signers.PdfSigner(
        meta, signer=signer.signer, new_field_spec=spec, stamp_style=_over_the_seal(),
        timestamper=timestamps.HTTPTimeStamper(signer.tsa_url) if signer.tsa_url else None)
    out = io.BytesIO()
    pdf_signer.sign_pdf(writer, output=out, bytes_reserved=RESERVED_WITH_TSA if signer.tsa_url else RESERVED)
    return out.getvalue()


def producer() -> str:
    """Return the producer pyHanko names in a file it signs: the XMP's pdf:Producer becomes this, and the
    information's /Producer gets it appended unless it is there — a PDF/A file to sign names it already, or
    the two would disagree (ISO 19005-2 §6.6.3)."""
    from pyhanko.pdf_utils.metadata.model import VENDOR

    return str(VENDOR)


def _over_the_seal() -> Any:
    """Return the signature's appearance: nothing of its own, its box being the seal drawn on the page under it
    (docgen.render.finish: drawn once, its pixels deflated once per process, not again for every signature)."""
    from pyhanko.stamp import StaticStampStyle

    return StaticStampStyle(border_width=0, background=None)


def signatures(pdf: bytes) -> list[dict[str, Any]]:
    """Return each signature of a PDF: whether the signed bytes are intact, whether it covers the whole file,
    who signed and when (the certificate is not checked against a trust list: the registry vouches for it)."""
    from pyhanko.pdf_utils.misc import PdfReadError
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        embedded = list(reader.embedded_signatures)
    except (PdfReadError, ValueError, KeyError, IndexError):
        return []
    out = []
    for sig in embedded:
        try:
            # no trust list: whether the unit's certificate is to be trusted is the registry's word, not the file's
            status = validate_pdf_signature(sig, ValidationContext(trust_roots=[], allow_fetching=False))
            intact = bool(status.intact and status.valid)
        except (ValueError, KeyError, PdfReadError):
            intact = False
        out.append({"field": sig.field_name, "intact": intact,
                    "whole_file": sig.coverage is not None and sig.coverage.name == "ENTIRE_FILE",
                    "signer": sig.signer_cert.subject.human_friendly,
                    "signed_at": sig.self_reported_timestamp.isoformat() if sig.self_reported_timestamp else None})
    return out
