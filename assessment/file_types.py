"""What an evidence file is, read from its content and never from its name. Pure Python: no Django import.

`filetype` reads the magic bytes at the start; the two containers Office uses are then opened and checked,
since their magic bytes say only "a zip" or "an OLE compound file": an OOXML document (.docx, .xlsx, .pptx)
must be a zip with `[Content_Types].xml` declaring its main part, and a legacy document (.doc, .xls, .ppt)
an OLE file with the stream its program writes. Anything else is refused with a code the caller words.
"""

from __future__ import annotations

import struct
import zipfile
from dataclasses import dataclass
from typing import BinaryIO

import filetype
import olefile

HEAD_BYTES = 8192  # what filetype needs to see
CONTENT_TYPES_MAX_BYTES = 1_048_576  # [Content_Types].xml is a few kB; never inflate more of an untrusted zip
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
PDF = "pdf"
IMAGE = "image"
OFFICE = "office"


@dataclass(frozen=True)
class FileType:
    kind: str  # pdf, image or office: EvidenceDocument.Kind
    content_type: str
    extension: str  # with its dot, e.g. ".pdf"


class FileTypeError(ValueError):
    """A file that may not be attached. `code` says why; `found` names what it is, when known."""

    def __init__(self, code: str, found: str = "") -> None:
        super().__init__(f"{code}: {found}" if found else code)
        self.code = code
        self.found = found


# Types whose magic bytes are the whole check.
PLAIN = {
    "application/pdf": FileType(PDF, "application/pdf", ".pdf"),
    "image/png": FileType(IMAGE, "image/png", ".png"),
    "image/jpeg": FileType(IMAGE, "image/jpeg", ".jpg"),
    "image/gif": FileType(IMAGE, "image/gif", ".gif"),
    "image/webp": FileType(IMAGE, "image/webp", ".webp"),
}
# OOXML: the main part and the content type [Content_Types].xml must declare for it.
OOXML = (
    (
        "word/document.xml",
        b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
        FileType(OFFICE, "application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx"),
    ),
    (
        "xl/workbook.xml",
        b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
        FileType(OFFICE, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx"),
    ),
    (
        "ppt/presentation.xml",
        b"application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
        FileType(OFFICE, "application/vnd.openxmlformats-officedocument.presentationml.presentation", ".pptx"),
    ),
)
# Legacy Office: the stream each program writes at the top of the compound file.
OLE_STREAMS = (
    ("WordDocument", FileType(OFFICE, "application/msword", ".doc")),
    ("Workbook", FileType(OFFICE, "application/vnd.ms-excel", ".xls")),
    ("Book", FileType(OFFICE, "application/vnd.ms-excel", ".xls")),  # Excel 5 and 95
    ("PowerPoint Document", FileType(OFFICE, "application/vnd.ms-powerpoint", ".ppt")),
)
# Every content type a stored document can have (the download's Content-Type).
CONTENT_TYPES = tuple(
    dict.fromkeys(
        [t.content_type for t in PLAIN.values()]
        + [t.content_type for _part, _declared, t in OOXML]
        + [t.content_type for _name, t in OLE_STREAMS]
    )
)
OLE_MACROS = frozenset({"macros", "_vba_project_cur", "_vba_project", "vba"})
EXECUTABLES = frozenset(
    {
        "application/x-msdownload",
        "application/x-executable",
        "application/wasm",
        "application/x-shockwave-flash",
        "application/x-google-chrome-extension",
        "application/x-deb",
        "application/x-rpm",
    }
)
ARCHIVES = frozenset(
    {
        "application/zip",
        "application/x-tar",
        "application/vnd.rar",
        "application/x-rar-compressed",
        "application/gzip",
        "application/x-bzip2",
        "application/x-7z-compressed",
        "application/x-xz",
        "application/zstd",
        "application/x-lzip",
        "application/x-lz4",
        "application/vnd.ms-cab-compressed",
        "application/x-unix-archive",
        "application/x-compress",
        "application/x-brotli",
        "application/x-lzop",
    }
)
MACH_O = (b"\xfe\xed\xfa\xce", b"\xfe\xed\xfa\xcf", b"\xce\xfa\xed\xfe", b"\xcf\xfa\xed\xfe", b"\xca\xfe\xba\xbe")
TEXT_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")


def detect(stream: BinaryIO) -> FileType:
    """The type of the file in `stream` (seekable; left at its start), or FileTypeError."""
    stream.seek(0)
    head = stream.read(HEAD_BYTES)
    stream.seek(0)
    try:
        if not head:
            raise FileTypeError("empty")
        if head.startswith(ZIP_MAGIC):
            return _ooxml(stream)
        if head.startswith(OLE_MAGIC):
            return _ole(stream)
        return _by_magic(head)
    finally:
        stream.seek(0)


def _by_magic(head: bytes) -> FileType:
    guess = filetype.guess(head)
    if guess is not None:
        mime = str(guess.mime)
        if mime in PLAIN:
            return PLAIN[mime]
        if mime in EXECUTABLES or mime == "application/x-elf":
            raise FileTypeError("executable", mime)
        if mime in ARCHIVES:
            raise FileTypeError("archive", mime)
        raise FileTypeError("not_allowed", mime)
    if head.startswith(MACH_O) or head.startswith(b"#!"):
        raise FileTypeError("executable")
    text = head
    for bom in TEXT_BOMS:
        text = text.removeprefix(bom)
    text = text.lstrip(b" \t\r\n\x00")
    if text.startswith(b"<"):  # HTML, SVG, XML: a browser would run what they hold
        raise FileTypeError("markup")
    raise FileTypeError("unknown")


# Untrusted containers fail in many ways; each of these means "not a readable document".
_BROKEN = (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, KeyError, IndexError, struct.error)


def _ooxml(stream: BinaryIO) -> FileType:
    try:
        with zipfile.ZipFile(stream) as archive:
            names = set(archive.namelist())
            if "[Content_Types].xml" not in names:
                raise FileTypeError("archive", "application/zip")
            if any(name.rsplit("/", 1)[-1].lower() == "vbaproject.bin" for name in names):
                raise FileTypeError("macros")
            with archive.open("[Content_Types].xml") as member:
                declared = member.read(CONTENT_TYPES_MAX_BYTES)
    except FileTypeError:
        raise
    except (*_BROKEN, NotImplementedError, RuntimeError):  # RuntimeError: an encrypted member
        raise FileTypeError("damaged", "application/zip") from None
    if b"macroEnabled" in declared:
        raise FileTypeError("macros")
    for part, content_type, found in OOXML:
        if part in names and content_type in declared:
            return found
    raise FileTypeError("not_allowed", "application/zip")  # ODF, EPUB, a template, or another zip-based format


def _ole(stream: BinaryIO) -> FileType:
    try:
        with olefile.OleFileIO(stream) as ole:
            top = {str(entry[0]) for entry in ole.listdir(streams=True, storages=True) if entry}
    except _BROKEN:
        raise FileTypeError("damaged", "application/x-ole-storage") from None
    if "EncryptedPackage" in top:  # a password-protected .docx/.xlsx/.pptx: nobody could check it
        raise FileTypeError("encrypted")
    if {name.lower() for name in top} & OLE_MACROS:
        raise FileTypeError("macros")
    for name, found in OLE_STREAMS:
        if name in top:
            return found
    raise FileTypeError("not_allowed", "application/x-ole-storage")  # e.g. an MSI installer
