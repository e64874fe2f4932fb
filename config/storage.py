"""The bucket behind the default storage when S3_BUCKET is set (config/settings.py): private, read as a stream."""

from __future__ import annotations

from typing import IO

from botocore.exceptions import ClientError
from storages.backends.s3 import S3Storage
from storages.utils import clean_name


class PrivateS3Storage(S3Storage):
    """django-storages' S3 storage, plus reading an object as it arrives (api.downloads streams it to the client).

    S3Storage.open() downloads the whole object before the first byte can be sent; a download view needs neither
    the wait nor the memory.
    """

    def stream(self, name: str) -> IO[bytes]:
        """The stored bytes of `name`, read from the bucket as they are consumed."""
        key = self._normalize_name(clean_name(name))
        try:
            body: IO[bytes] = self.bucket.Object(key).get()["Body"]
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in {"NoSuchKey", "404"}:
                raise FileNotFoundError(f"No stored file {name!r}.") from None
            raise
        return body
