"""assessment.file_types.detect: the content decides, the name never reaches it; no database needed."""

from __future__ import annotations

import io
import zipfile

import pytest

from assessment.file_types import FileTypeError, detect
from tests import evidence_files as files


def test_the_stream_is_left_at_its_start_for_the_storage_to_read() -> None:
    stream = io.BytesIO(files.ooxml("xlsx"))
    stream.seek(10)
    assert detect(stream).extension == ".xlsx"
    assert stream.tell() == 0


def test_an_ooxml_package_is_recognised_whatever_order_its_members_come_in() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("ppt/presentation.xml", "<p/>")
        archive.writestr("docProps/app.xml", "<a/>")
        archive.writestr(
            "[Content_Types].xml",
            '<Types><Override PartName="/ppt/presentation.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.presentationml.presentation.main+xml"/></Types>',
        )
    assert detect(out).extension == ".pptx"


def test_a_zip_with_the_main_part_but_no_declared_type_is_not_a_document() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<d/>")
    with pytest.raises(FileTypeError) as exc:
        detect(out)
    assert exc.value.code == "not_allowed"


def test_an_opendocument_file_is_named_but_not_allowed() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", "<office/>")
    with pytest.raises(FileTypeError) as exc:
        detect(out)
    assert exc.value.code == "archive"  # no [Content_Types].xml: to us, a zip like any other


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"\xef\xbb\xbf  <html><script>x</script></html>", "markup"),
        (b"#!/bin/sh\nrm -rf /\n", "executable"),
        (b"\x7fELF\x02\x01\x01" + b"\x00" * 60, "executable"),
        (b"\x1f\x8b\x08\x00" + b"\x00" * 60, "archive"),
        (b"GIF89a" + b"\x00" * 10, None),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 " + b"\x00" * 10, None),
        (b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 40, "not_allowed"),
        (files.ole("Contents"), "not_allowed"),
    ],
)
def test_magic_bytes_decide(content: bytes, code: str | None) -> None:
    if code is None:
        assert detect(io.BytesIO(content)).kind == "image"
        return
    with pytest.raises(FileTypeError) as exc:
        detect(io.BytesIO(content))
    assert exc.value.code == code
