"""Scans sent with a batch (multipart parts attachment:<applicant>:<material key>): checked at intake, kept in the
batch's storage with what goes with them (order, 盲评 masks, the copy note), read back when packages are built."""
from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from pydantic_core import to_jsonable_python

from docgen.batch.request import BatchRequest
from docgen.errors import InvalidPayload
from docgen.profiles import Profile
from docgen.render.scans import Rect, Scan, Sheet, check_scan
from docgen.storage import Storage

PART = re.compile(r"attachment:(?P<applicant>\d{1,6}):(?P<key>[^:]+)")
FOLDER = "attachments"    # in the batch's storage
INDEX = "index.json"      # in the batch's attachments folder: the scans in order, and the package options
Masks = dict[int, list[tuple[float, float, float, float]]]


@dataclass(frozen=True)
class Checked:
    """An accepted scan: whose, for which material, its place among that material's scans, and its masks."""

    applicant: int
    key: str
    number: int
    scan: Scan
    masks: Masks = field(default_factory=dict)

    @property
    def name(self) -> str:
        """Return its file name in the batch's attachments folder."""
        return f"{self.applicant}/{self.key}/{self.number}.{self.scan.kind}"


@dataclass(frozen=True)
class Stored:
    """A scan as the finishing step finds it: its file, its checked form, its masks (pages from 1)."""

    key: str
    scan: Scan
    masks: Masks


def upload_keys(profile: Profile) -> list[str]:
    """Return the keys of the profile's material list that take a scan."""
    return [m.key for m in profile.materials if m.upload]


def check(parts: Sequence[tuple[str, bytes]], request: BatchRequest, profile: Profile) -> list[Checked]:
    """Check every part (its name, applicant, material key, content, masks) and every attachment described in
    the JSON that has no part; return the scans in the parts' order, or raise InvalidPayload listing all."""
    allowed = upload_keys(profile)
    errors: list[dict] = []
    checked: list[Checked] = []
    numbers: dict[tuple[int, str], int] = {}
    for name, data in parts:
        found = PART.fullmatch(name)
        if found is None:
            errors.append({"pointer": "/attachments", "detail": f"附件的字段名“{name}”应为 attachment:<申报人序号>:<材料编号>"})
            continue
        applicant, key = int(found["applicant"]), found["key"]
        number = numbers[applicant, key] = numbers.get((applicant, key), -1) + 1
        try:
            checked.append(_one(request, profile, allowed, applicant, key, number, data))
        except InvalidPayload as refused:
            errors += refused.errors or []
    errors += _described_without_part(request, allowed, numbers)
    if errors:
        raise InvalidPayload(errors)
    return checked


def _one(request: BatchRequest, profile: Profile, allowed: list[str], applicant: int, key: str, number: int,
         data: bytes) -> Checked:
    """Check one part; raise InvalidPayload at /attachments/<applicant>/<key>/<number>."""
    pointer = f"/attachments/{applicant}/{key}/{number}"
    if applicant >= len(request.applicants):
        raise InvalidPayload([{"pointer": pointer, "detail": (
            f"没有序号为{applicant}的申报人：序号从0起，本批共{len(request.applicants)}人")}])
    who = request.applicants[applicant].name
    if key not in allowed:
        raise InvalidPayload([{"pointer": pointer, "detail": (
            f"{who}：“{key}”不是{profile.name}需上传扫描件的材料，可用：{'、'.join(allowed) or '无'}")}])
    scan = check_scan(data, pointer)
    described = request.applicants[applicant].attachments.get(key, [])
    masks = described[number].masks if number < len(described) else {}
    beyond = [page for page in masks if page > scan.pages]
    if beyond:
        raise InvalidPayload([{"pointer": f"/applicants/{applicant}/attachments/{key}/{number}/masks/{page}",
                               "detail": f"{who}：遮盖区域在第{page}页，而这份附件只有{scan.pages}页"}
                              for page in beyond])
    return Checked(applicant, key, number, scan, masks)


def _described_without_part(request: BatchRequest, allowed: list[str], numbers: dict[tuple[int, str], int]
                            ) -> list[dict]:
    """Name each attachment the JSON describes that no part carries (or for a material that takes no scan)."""
    errors = []
    for i, entry in enumerate(request.applicants):
        for key, described in entry.attachments.items():
            if key not in allowed:
                errors.append({"pointer": f"/applicants/{i}/attachments/{key}",
                               "detail": f"{entry.name}：“{key}”不是需上传扫描件的材料，可用：{'、'.join(allowed) or '无'}"})
                continue
            sent = numbers.get((i, key), -1) + 1
            errors += [{"pointer": f"/applicants/{i}/attachments/{key}/{n}",
                        "detail": f"{entry.name}：没有与之对应的附件（第{n + 1}个 attachment:{i}:{key}），共收到{sent}个"}
                       for n in range(sent, len(described))]
    return errors


def store(storage: Storage, folder: str, request: BatchRequest, checked: Sequence[Checked]) -> None:
    """Write each scan as checked (a JPEG without its metadata: no GPS or camera kept) and the index: each scan's
    order, pages and orientation, its masks, and the package options."""
    for item in checked:
        storage.write(f"{folder}/{item.name}", item.scan.data)
    package = request.package if request.package is not None else request.documents is None or bool(checked)
    index = {"package": package, "blind": request.blind, "copy_note": request.copy_note,
             "scans": [{"applicant": c.applicant, "key": c.key, "file": c.name, "kind": c.scan.kind,
                        "pointer": c.scan.pointer, "sheets": c.scan.sheets, "orientation": c.scan.orientation,
                        "masks": c.masks} for c in checked]}
    storage.write(f"{folder}/{INDEX}", json.dumps(to_jsonable_python(index), ensure_ascii=False).encode())


@dataclass(frozen=True)
class Options:
    """What a batch asked of its packages, and its scans by applicant, each material's in order."""

    package: bool = False     # a batch from before packages: none
    blind: bool = False
    copy_note: dict | None = None
    scans: dict[int, dict[str, list[Stored]]] = field(default_factory=dict)


def load(storage: Storage, folder: str) -> Options:
    """Read back what `store` wrote (a batch without it: no scans, no options)."""
    key = f"{folder}/{INDEX}"
    if not storage.exists(key):
        return Options()
    index = json.loads(storage.read(key))
    scans: dict[int, dict[str, list[Stored]]] = {}
    for entry in index["scans"]:
        scan = Scan(entry["kind"], storage.read(f"{folder}/{entry['file']}"), entry["pointer"],
                    tuple(Sheet(**sheet) for sheet in entry["sheets"]), entry["orientation"])
        masks = {int(page): [tuple(r) for r in rects] for page, rects in entry["masks"].items()}
        scans.setdefault(entry["applicant"], {}).setdefault(entry["key"], []).append(Stored(entry["key"], scan, masks))
    return Options(index["package"], index["blind"], index["copy_note"], scans)


def rects(masks: Masks) -> dict[int, list[Rect]]:
    """Turn masks as sent (pages from 1, corners) into the renderer's (pages from 0, corner and size)."""
    return {page - 1: [Rect(x0, y0, x1 - x0, y1 - y0) for x0, y0, x1, y1 in boxes] for page, boxes in masks.items()}
