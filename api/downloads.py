"""Stored files sent to the one who asked, after the view has checked they may: never a link to the storage itself."""

from __future__ import annotations

from typing import IO

from django.db.models.fields.files import FieldFile
from django.http import FileResponse

CHUNK_BYTES = 64 * 1024  # FileResponse's 4 KiB means a read call per 4 KiB from a bucket's stream


def stored_file_open(file: FieldFile) -> IO[bytes]:
    """The file's bytes from the storage, read as they are sent: a bucket's object is not downloaded whole first."""
    stream = getattr(file.storage, "stream", None)  # config.storage.PrivateS3Storage, when S3_BUCKET is set
    if stream is not None:
        opened: IO[bytes] = stream(file.name)
        return opened
    return file.open("rb")


def stored_file_response(
    file: FieldFile, *, size: int | None, content_type: str, filename: str, as_attachment: bool = True
) -> FileResponse:
    """A stored file as the response body, streamed; `size` is its stored length, sent when the storage cannot tell."""
    response = FileResponse(
        stored_file_open(file), as_attachment=as_attachment, content_type=content_type, filename=filename
    )
    response.block_size = CHUNK_BYTES
    if "Content-Length" not in response and size is not None:
        response["Content-Length"] = str(size)
    return response
