"""Small sample files for evidence-document tests, built in memory: each as its program would start it."""

from __future__ import annotations

import io
import struct
import zipfile
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
FREE, END, FAT_SECTOR, NO_STREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
SECTOR = 512
STREAM_BYTES = 4096  # the mini-stream cutoff: a stream this long lives in ordinary sectors


def pdf(text: str = "evidence") -> bytes:
    """A one-page PDF that readers open (objects, cross-reference table, trailer)."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def png() -> bytes:
    """A 1×1 PNG."""
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
        + chunk(b"IEND", b"")
    )


def jpeg() -> bytes:
    """The start of a JPEG (SOI, JFIF APP0): enough for its magic bytes."""
    return b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64 + b"\xff\xd9"


OOXML_PARTS = {
    "docx": ("word/document.xml", "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"),
    "xlsx": ("xl/workbook.xml", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"),
    "pptx": (
        "ppt/presentation.xml",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
    ),
}


def ooxml(kind: str = "docx", *, macros: bool = False, extra: dict[str, bytes] | None = None) -> bytes:
    """A minimal OOXML package: [Content_Types].xml, the package relationships and the main part."""
    part, content_type = OOXML_PARTS[kind]
    if macros:
        content_type = content_type.replace("document.main", "document.macroEnabled.main")
    types = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        f'<Override PartName="/{part}" ContentType="{content_type}"/></Types>'
    )
    rels = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        f'officeDocument" Target="{part}"/></Relationships>'
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", types)
        archive.writestr("_rels/.rels", rels)
        archive.writestr(part, '<?xml version="1.0"?><document/>')
        if macros:
            archive.writestr(part.split("/")[0] + "/vbaProject.bin", b"\x00" * 16)
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return out.getvalue()


def plain_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", "hello")
        archive.writestr("invoice.pdf", pdf())
    return out.getvalue()


def _entry(
    name: str, kind: int, *, child: int = NO_STREAM, right: int = NO_STREAM, start: int = 0, size: int = 0
) -> bytes:
    encoded = (name + "\x00").encode("utf-16-le") if name else b""
    return struct.pack(
        "<64sHBBIII16sIQQIQ",
        encoded,
        len(encoded),
        kind,
        1,  # black
        NO_STREAM,
        right,
        child,
        b"\x00" * 16,
        0,
        0,
        0,
        start,
        size,
    )


def ole(*names: str, storages: tuple[str, ...] = ()) -> bytes:
    """A compound file (CFB version 3) whose root holds a 4 kB stream per name and an empty storage per storage."""
    streams = list(names)
    entries_count = 1 + len(streams) + len(storages)
    directory_sectors = -(-entries_count * 128 // SECTOR)
    fat: list[int] = [FAT_SECTOR]
    directory_start = len(fat)
    fat.extend([*range(directory_start + 1, directory_start + directory_sectors), END])
    starts = []
    per_stream = STREAM_BYTES // SECTOR
    for _name in streams:
        start = len(fat)
        starts.append(start)
        fat.extend([*range(start + 1, start + per_stream), END])
    assert len(fat) <= SECTOR // 4, "one FAT sector is enough for these samples"
    fat_sector = struct.pack("<128I", *(fat + [FREE] * (128 - len(fat))))

    children = [*((n, 2) for n in streams), *((s, 1) for s in storages)]
    entries = [_entry("Root Entry", 5, child=1 if children else NO_STREAM, start=END)]
    for index, (name, kind) in enumerate(children, start=1):
        right = index + 1 if index < len(children) else NO_STREAM
        if kind == 2:
            entries.append(_entry(name, 2, right=right, start=starts[index - 1], size=STREAM_BYTES))
        else:
            entries.append(_entry(name, 1, right=right, start=0))
    empty = struct.pack("<64sHBBIII16sIQQIQ", b"", 0, 0, 0, NO_STREAM, NO_STREAM, NO_STREAM, b"", 0, 0, 0, 0, 0)
    entries += [empty] * (directory_sectors * SECTOR // 128 - len(entries))
    header = struct.pack(
        "<8s16sHHHHH6sIIIIIIIII",
        OLE_MAGIC,
        b"\x00" * 16,
        0x3E,
        3,
        0xFFFE,
        9,
        6,
        b"\x00" * 6,
        0,  # directory sectors: 0 in version 3
        1,  # FAT sectors
        directory_start,
        0,
        STREAM_BYTES,
        END,  # no mini FAT
        0,
        END,  # no DIFAT sectors
        0,
    )
    header += struct.pack("<109I", 0, *([FREE] * 108))
    data = b"".join(b"evidence".ljust(STREAM_BYTES, b"\x00") for _ in streams)
    return header + fat_sector + b"".join(entries) + data


HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"PE\x00\x00"


def upload(content: bytes, name: str = "evidence.pdf", **options: Any) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, **options)
