"""Errors of the documents domain; each has a stable code the GraphQL layer maps to a result."""

from __future__ import annotations

from server.errors import InvalidInput, NotFound, Unauthenticated


class TooLarge(InvalidInput):
    code = "TOO_LARGE"

    def __init__(self, max_bytes: int) -> None:
        super().__init__(
            f"The file is larger than the {_human(max_bytes)} limit; nothing was stored.",
            field="file",
        )
        self.max_bytes = max_bytes


class DisallowedType(InvalidInput):
    code = "DISALLOWED_TYPE"

    def __init__(self, message: str, *, mime: str) -> None:
        super().__init__(message, field="file")
        self.mime = mime


class ChecksumMismatch(InvalidInput):
    code = "CHECKSUM_MISMATCH"

    def __init__(
        self, message: str = "The file does not match its announced size or SHA-256."
    ) -> None:
        super().__init__(message, field="file")


class BadFileName(InvalidInput):
    code = "BAD_FILE_NAME"

    def __init__(self, message: str) -> None:
        super().__init__(message, field="fileName")


class BadObjectKey(InvalidInput):
    """A storage key that is not `<tenant>/<document>/<version>`-shaped or leaves its tenant."""

    code = "BAD_OBJECT_KEY"


class ObjectMissing(NotFound):
    code = "OBJECT_MISSING"

    def __init__(self, key: str) -> None:
        super().__init__("The stored file is missing.")
        self.key = key


class LinkInvalid(Unauthenticated):
    """A download link that was altered or not issued by this server; like any bad credential."""

    code = "LINK_INVALID"

    def __init__(self) -> None:
        super().__init__("This download link is not valid; ask for a new one.")


class LinkExpired(Unauthenticated):
    code = "LINK_EXPIRED"

    def __init__(self) -> None:
        super().__init__("This download link has expired; ask for a new one.")


def _human(n: int) -> str:
    if n < 1024:
        return f"{n} bytes"
    size = n / 1024
    for unit in ("KiB", "MiB"):
        if size < 1024:
            return f"{size:.4g} {unit}"
        size /= 1024
    return f"{size:.4g} GiB"


class NothingUploaded(InvalidInput):
    """Confirm came before the bytes: the ticket stays, so the client may upload and retry."""

    code = "NOTHING_UPLOADED"
