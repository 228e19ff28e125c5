"""What a file is, judged from its bytes; which types are accepted; safe file names.

The client's file name and content type are never trusted to decide the type. `detect` looks at
the first `HEAD_BYTES` of the stored object: programs and scripts first (so an executable named
`.pdf` is a program), then the containers that puremagic cannot tell apart (ZIP-based Office files
by their `[Content_Types].xml`, OLE2 Office files by their directory), then puremagic's signature
database, and finally plain text, accepted only when the bytes decode as UTF-8 or GB18030 with no
control characters other than whitespace.
"""

from __future__ import annotations

import codecs
import re
import struct
import unicodedata
import zlib
from collections.abc import Collection, Iterator
from pathlib import PurePosixPath

import puremagic

from server.documents.errors import BadFileName, DisallowedType

# Enough for the ZIP entries and OLE2 directory that decide an Office file's kind.
HEAD_BYTES = 64 * 1024
FILE_NAME_MAX = 200

PDF = "application/pdf"
DOC = "application/msword"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLS = "application/vnd.ms-excel"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PNG = "image/png"
JPEG = "image/jpeg"
GIF = "image/gif"
WEBP = "image/webp"
TIFF = "image/tiff"
TEXT = "text/plain"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"

ELF = "application/x-executable"
PE = "application/vnd.microsoft.portable-executable"
DOS_EXE = "application/x-dosexec"
MACH_O = "application/x-mach-binary"
SHELL = "text/x-shellscript"
ZIP = "application/zip"
OLE2 = "application/x-ole-storage"
EMPTY = "application/x-empty"
UNKNOWN = "application/octet-stream"

DEFAULT_ALLOWED_TYPES: frozenset[str] = frozenset(
    {PDF, DOC, DOCX, XLS, XLSX, PNG, JPEG, GIF, WEBP, TIFF, TEXT}
)

_LABELS = {
    PDF: "PDF",
    DOC: "Word (.doc)",
    DOCX: "Word (.docx)",
    XLS: "Excel (.xls)",
    XLSX: "Excel (.xlsx)",
    PNG: "PNG image",
    JPEG: "JPEG image",
    GIF: "GIF image",
    WEBP: "WebP image",
    TIFF: "TIFF image",
    TEXT: "plain text",
}
_PROGRAMS = {ELF, PE, DOS_EXE, MACH_O, SHELL}

# Extensions a downloaded file may keep for its detected type (see `download_file_name`).
_EXTENSIONS = {
    PDF: (".pdf",),
    DOC: (".doc", ".dot"),
    DOCX: (".docx",),
    XLS: (".xls", ".xlt"),
    XLSX: (".xlsx",),
    PNG: (".png",),
    JPEG: (".jpg", ".jpeg", ".jfif"),
    GIF: (".gif",),
    WEBP: (".webp",),
    TIFF: (".tif", ".tiff"),
    TEXT: (".txt", ".text", ".csv", ".log", ".md"),
}

# Main parts named in an OOXML package's [Content_Types].xml. Macro-enabled variants get their
# own types, so they are refused unless an operator allows them explicitly.
_OOXML_MAIN = (
    (b"wordprocessingml.document.main+xml", DOCX),
    (b"ms-word.document.macroEnabled.main+xml", "application/vnd.ms-word.document.macroenabled.12"),
    (b"spreadsheetml.sheet.main+xml", XLSX),
    (b"ms-excel.sheet.macroEnabled.main+xml", "application/vnd.ms-excel.sheet.macroenabled.12"),
    (b"presentationml.presentation.main+xml", PPTX),
)
_OOXML_FOLDERS = (("word/", DOCX), ("xl/", XLSX), ("ppt/", PPTX))

_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_OLE2_STREAMS = {"WordDocument": DOC, "Workbook": XLS, "Book": XLS}
_MACH_O_MAGICS = (
    b"\xfe\xed\xfa\xce",
    b"\xfe\xed\xfa\xcf",
    b"\xce\xfa\xed\xfe",
    b"\xcf\xfa\xed\xfe",
)
# Control characters (category Cc) other than the whitespace ones: tab, LF, VT, FF, CR.
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")
# Formats whose files may begin with clean text; any other signature found in clean text is a
# coincidence (a note starting with "ID3" is not an MP3).
_TEXT_BASED = {PDF, "application/postscript", "application/rtf", "application/xml"}


def detect(head: bytes, file_name: str) -> str:
    """The MIME type of a file from its first bytes.

    `file_name` is consulted in one case only: an OLE2 file whose directory lies beyond the head
    is taken as Word or Excel by its extension, and as generic OLE2 storage otherwise; the name
    never makes bytes of another family acceptable.
    """
    if not head:
        return EMPTY
    program = _program(head)
    if program is not None:
        return program
    if head.startswith(b"PK\x03\x04"):
        return _ooxml(head)
    if head.startswith(_OLE2_MAGIC):
        return _ole2(head, file_name)
    signature = _puremagic(head)
    if _is_clean_text(head):
        if signature is not None and (
            signature.startswith("text/")
            or signature.endswith(("+xml", "+json"))
            or signature in _TEXT_BASED
        ):
            return signature
        return TEXT
    return signature or UNKNOWN


def check_allowed(mime: str, allowed: Collection[str]) -> None:
    """Refuse a detected type outside `allowed`, saying what the file is and what is accepted."""
    if mime in allowed:
        return
    accepted = ", ".join(sorted(_LABELS.get(t, t) for t in allowed))
    if mime in _PROGRAMS:
        what = "a program or script"
    elif mime == EMPTY:
        what = "empty"
    else:
        what = f"of type {_LABELS.get(mime, mime)}"
    raise DisallowedType(
        f"The file is {what} and cannot be uploaded; accepted types: {accepted}.", mime=mime
    )


def sanitize_file_name(name: str) -> str:
    """A client's file name, NFC-normalised; refuses unsafe names.

    A name with a path separator is refused, not trimmed: browsers send bare names, so a path
    means a client that is confused or probing (`../../etc/passwd`).
    """
    name = unicodedata.normalize("NFC", name)
    for ch in name:
        # Cc: control characters and NUL; Cf: invisible format characters such as the
        # right-to-left override that makes "gpj.exe" display as "exe.jpg".
        if unicodedata.category(ch) in {"Cc", "Cf", "Cs", "Zl", "Zp"}:
            raise BadFileName("The file name contains control or invisible characters.")
    if "/" in name or "\\" in name:
        raise BadFileName("The file name must not contain '/' or '\\'.")
    base = name.strip()
    if base in {"", ".", ".."}:
        raise BadFileName("The file name is empty.")
    if len(base) > FILE_NAME_MAX:
        raise BadFileName(f"The file name is longer than {FILE_NAME_MAX} characters.")
    return base


def download_file_name(file_name: str, mime: str) -> str:
    """The name a download is saved under: the original, plus the detected type's extension
    when the original's extension does not belong to it (text named `run.bat` saves as
    `run.bat.txt`, so opening the download never runs it).
    """
    extensions = _EXTENSIONS.get(mime)
    if not extensions or PurePosixPath(file_name.lower()).suffix in extensions:
        return file_name
    return file_name + extensions[0]


def _program(head: bytes) -> str | None:
    if head.startswith(b"\x7fELF"):
        return ELF
    if head.startswith(_MACH_O_MAGICS):
        return MACH_O
    if head.startswith(b"#!"):
        return SHELL
    if head.startswith(b"MZ"):
        if len(head) >= 0x40:
            (pe_offset,) = struct.unpack_from("<I", head, 0x3C)
            if head[pe_offset : pe_offset + 4] == b"PE\0\0":
                return PE
        # A note that happens to start with "MZ" is still text.
        if not _is_clean_text(head):
            return DOS_EXE
    return None


def _zip_entries(head: bytes) -> Iterator[tuple[str, bytes | None]]:
    """(name, content) of the ZIP entries in the head; content when stored whole in it."""
    pos = 0
    while head.startswith(b"PK\x03\x04", pos) and pos + 30 <= len(head):
        flags, method, csize, name_len, extra_len = struct.unpack_from(
            "<2xHH8xI4xHH", head, pos + 4
        )
        start = pos + 30 + name_len + extra_len
        name = head[pos + 30 : pos + 30 + name_len].decode("utf-8", "replace")
        sized = not (flags & 0x08 and csize == 0)
        content: bytes | None = None
        if sized and start + csize <= len(head):
            raw = head[start : start + csize]
            if method == 0:
                content = raw
            elif method == 8:
                try:
                    # Bounded: a crafted entry cannot inflate into a memory bomb.
                    content = zlib.decompressobj(-15).decompress(raw, 1 << 20)
                except zlib.error:
                    content = None
        yield name, content
        if sized:
            pos = start + csize
        else:
            # Size follows the data (streamed writer): resume at the next entry header.
            pos = head.find(b"PK\x03\x04", start)
            if pos < 0:
                return


def _ooxml(head: bytes) -> str:
    names: list[str] = []
    for name, content in _zip_entries(head):
        if name == "[Content_Types].xml" and content is not None:
            for marker, mime in _OOXML_MAIN:
                if marker in content:
                    return mime
            return ZIP
        names.append(name)
    for folder, mime in _OOXML_FOLDERS:
        if any(n.startswith(folder) for n in names):
            return mime
    return ZIP


def _ole2(head: bytes, file_name: str) -> str:
    """Word or Excel 97-2003 by the streams named in the compound file's first directory sector."""
    if len(head) >= 0x34:
        (shift,) = struct.unpack_from("<H", head, 0x1E)
        (first_dir,) = struct.unpack_from("<I", head, 0x30)
        if shift in {9, 12}:
            start = (first_dir + 1) << shift
            sector = head[start : start + (1 << shift)]
            if len(sector) == 1 << shift:
                for off in range(0, len(sector), 128):
                    (name_len,) = struct.unpack_from("<H", sector, off + 64)
                    name = sector[off : off + max(0, min(name_len, 64) - 2)].decode(
                        "utf-16-le", "replace"
                    )
                    if name in _OLE2_STREAMS:
                        return _OLE2_STREAMS[name]
                return OLE2
    suffix = PurePosixPath(file_name.lower()).suffix
    if suffix in _EXTENSIONS[DOC]:
        return DOC
    if suffix in _EXTENSIONS[XLS]:
        return XLS
    return OLE2


def _puremagic(head: bytes) -> str | None:
    try:
        matches = puremagic.magic_string(head)
    except puremagic.PureError:
        return None
    typed = [m for m in matches if m.mime_type]
    if not typed:
        return None
    # Stable on ties: puremagic lists its most specific signature first.
    return str(max(typed, key=lambda m: m.confidence).mime_type)


def _is_clean_text(head: bytes) -> bool:
    for encoding in ("utf-8", "gb18030"):
        decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
        try:
            # Not final: the head may end inside a multi-byte character.
            text = decoder.decode(head, final=False)
        except UnicodeDecodeError:
            continue
        return _CONTROL.search(text) is None
    return False
