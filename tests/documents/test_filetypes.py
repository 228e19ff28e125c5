"""File types are judged from the bytes, never from the client's name; file names are sanitised."""

from __future__ import annotations

import io
import struct
import zipfile

import pytest
from storage_support import CONTENT_TYPES, ooxml

from server.documents import filetypes
from server.documents.errors import BadFileName, DisallowedType
from server.documents.filetypes import (
    DEFAULT_ALLOWED_TYPES,
    check_allowed,
    detect,
    download_file_name,
    sanitize_file_name,
)
from server.errors import InvalidInput

DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
XLSX_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
DOCM_MAIN = "application/vnd.ms-word.document.macroEnabled.main+xml"
DOCX = ooxml("word/document.xml", DOCX_MAIN, "<w:document><w:body>风险评估</w:body></w:document>")
XLSX = ooxml("xl/workbook.xml", XLSX_MAIN, "<workbook><sheets/></workbook>")
DOCM = ooxml("word/document.xml", DOCM_MAIN, "<w:document/>")


def ole2(*streams: str) -> bytes:
    """A compound file (Office 97-2003) whose first directory sector names `streams`."""
    header = bytearray(512)
    header[0:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHHH", header, 0x18, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<I", header, 0x30, 0)  # directory starts at sector 0
    directory = bytearray(512)
    for i, (name, kind) in enumerate([("Root Entry", 5), *((s, 2) for s in streams)]):
        encoded = (name + "\0").encode("utf-16-le")
        directory[i * 128 : i * 128 + len(encoded)] = encoded
        struct.pack_into("<HB", directory, i * 128 + 64, len(encoded), kind)
    return bytes(header + directory) + b"\0" * 1024


def pe_executable() -> bytes:
    dos = bytearray(b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\0" * 50)
    struct.pack_into("<I", dos, 0x3C, 0x80)
    return bytes(dos) + b"\0" * (0x80 - len(dos)) + b"PE\0\0\x4c\x01" + b"\0" * 200


ACCEPTED = [
    (
        "minimal PDF",
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n",
        "a.pdf",
        filetypes.PDF,
    ),
    (
        "ASCII-only PDF",
        b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n",
        "b.pdf",
        filetypes.PDF,
    ),
    ("docx", DOCX, "报告.docx", filetypes.DOCX),
    ("xlsx", XLSX, "台账.xlsx", filetypes.XLSX),
    ("doc", ole2("WordDocument", "1Table", "\x05SummaryInformation"), "a.doc", filetypes.DOC),
    ("xls", ole2("Workbook", "\x05SummaryInformation"), "a.xls", filetypes.XLS),
    (
        "png",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00",
        "a.png",
        filetypes.PNG,
    ),
    (
        "jpeg",
        b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00",
        "a.jpg",
        filetypes.JPEG,
    ),
    (
        "jpeg exif",
        b"\xff\xd8\xff\xe1\x00\x18Exif\x00\x00II*\x00\x08\x00\x00\x00",
        "a.jpeg",
        filetypes.JPEG,
    ),
    (
        "gif",
        b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04",
        "a.gif",
        filetypes.GIF,
    ),
    (
        "webp",
        b"RIFF\x24\x00\x00\x00WEBPVP8 \x18\x00\x00\x00\x30\x01\x00\x9d\x01\x2a",
        "a.webp",
        filetypes.WEBP,
    ),
    (
        "tiff little-endian",
        b"II*\x00\x08\x00\x00\x00\x01\x00\x00\x01\x03\x00",
        "a.tif",
        filetypes.TIFF,
    ),
    (
        "tiff big-endian",
        b"MM\x00*\x00\x00\x00\x08\x00\x01\x01\x00\x00\x03",
        "a.tiff",
        filetypes.TIFF,
    ),
    (
        "UTF-8 Chinese text",
        "科技安全风险评估\n第一条\t说明。\r\n".encode(),
        "说明.txt",
        filetypes.TEXT,
    ),
    ("GB18030 Chinese text", "科技安全风险评估\n".encode("gb18030"), "说明.txt", filetypes.TEXT),
    ("CSV", b"project,risk\nP-1,high\n", "list.csv", filetypes.TEXT),
    # Text that merely starts like a signature is still text.
    ("text starting with MZ", b"MZ Labs visit notes\n", "notes.txt", filetypes.TEXT),
    ("text starting with ID3", b"ID3 of the review board\n", "notes.txt", filetypes.TEXT),
    ("UTF-8 cut mid-character", "风险".encode()[:-1], "cut.txt", filetypes.TEXT),
]


@pytest.mark.parametrize(
    ("data", "name", "expected"), [c[1:] for c in ACCEPTED], ids=[c[0] for c in ACCEPTED]
)
def test_allowed_types_detected_from_bytes(data: bytes, name: str, expected: str) -> None:
    assert detect(data, name) == expected
    check_allowed(expected, DEFAULT_ALLOWED_TYPES)


REFUSED = [
    ("ELF named .pdf", b"\x7fELF\x02\x01\x01\x00" + b"\0" * 56, "report.pdf", filetypes.ELF),
    ("Windows PE named .docx", pe_executable(), "report.docx", filetypes.PE),
    ("DOS MZ binary", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00", "a.doc", filetypes.DOS_EXE),
    ("Mach-O", b"\xcf\xfa\xed\xfe\x07\x00\x00\x01" + b"\0" * 24, "a.png", filetypes.MACH_O),
    ("shell script named .txt", b"#!/bin/sh\nrm -rf /\n", "readme.txt", filetypes.SHELL),
    ("plain zip named .docx", None, "a.docx", filetypes.ZIP),
    ("macro-enabled Word", DOCM, "a.docx", "application/vnd.ms-word.document.macroenabled.12"),
    (
        "OLE2 without Office streams",
        ole2("\x05DigitalSignature", "MsiFile"),
        "a.doc",
        filetypes.OLE2,
    ),
    (
        "HTML named .txt",
        b"<!DOCTYPE html><html><script>alert(1)</script></html>",
        "a.txt",
        "text/html",
    ),
    ("binary garbage", bytes(range(256)) * 8, "a.txt", filetypes.UNKNOWN),
    ("empty", b"", "a.txt", filetypes.EMPTY),
]


@pytest.mark.parametrize(
    ("data", "name", "expected"), [c[1:] for c in REFUSED], ids=[c[0] for c in REFUSED]
)
def test_disguised_and_disallowed_types_refused(
    data: bytes | None, name: str, expected: str
) -> None:
    if data is None:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("payload.exe", b"MZ")
        data = buffer.getvalue()
    assert detect(data, name) == expected
    with pytest.raises(DisallowedType) as raised:
        check_allowed(expected, DEFAULT_ALLOWED_TYPES)
    assert isinstance(raised.value, InvalidInput)
    assert raised.value.code == "DISALLOWED_TYPE"
    assert raised.value.mime == expected
    assert "PDF" in raised.value.message  # says what is accepted


def test_program_refusal_says_so() -> None:
    with pytest.raises(DisallowedType, match="a program or script"):
        check_allowed(
            detect(b"\x7fELF\x02\x01\x01\x00" + b"\0" * 56, "a.pdf"), DEFAULT_ALLOWED_TYPES
        )


def test_office_types_without_content_types_part() -> None:
    """Writers that omit or postpone [Content_Types].xml are classified by their folders."""
    assert (
        detect(ooxml("word/document.xml", "", "<w:document/>", content_types=False), "x")
        == filetypes.DOCX
    )
    assert (
        detect(ooxml("xl/workbook.xml", "", "<workbook/>", content_types=False), "x")
        == filetypes.XLSX
    )


def test_streamed_zip_with_data_descriptors() -> None:
    """Writers that stream (sizes after the data, as some Java libraries do) are still read."""

    class Unseekable(io.RawIOBase):
        def __init__(self) -> None:
            self.data = bytearray()

        def writable(self) -> bool:
            return True

        def write(self, b: bytes) -> int:
            self.data += b
            return len(b)

    sink = Unseekable()
    with zipfile.ZipFile(sink, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr(
            "[Content_Types].xml", CONTENT_TYPES.format(part="xl/workbook.xml", main=XLSX_MAIN)
        )
        package.writestr("xl/workbook.xml", "<workbook/>")
    assert struct.unpack_from("<H", sink.data, 6)[0] & 0x08  # sizes are in data descriptors
    assert detect(bytes(sink.data), "x") == filetypes.XLSX


def test_ole2_directory_beyond_head_uses_extension_within_the_family() -> None:
    head = bytearray(ole2("WordDocument")[:512])
    struct.pack_into("<I", head, 0x30, 1000)  # directory far past the head
    assert detect(bytes(head), "会议纪要.doc") == filetypes.DOC
    assert detect(bytes(head), "台账.xls") == filetypes.XLS
    assert detect(bytes(head), "setup.msi") == filetypes.OLE2
    # The name never makes other bytes acceptable.
    assert detect(b"\x7fELF\x02\x01\x01\x00" + b"\0" * 56, "a.doc") == filetypes.ELF


def test_allowed_set_is_configurable() -> None:
    check_allowed("text/html", {"text/html"})
    with pytest.raises(DisallowedType):
        check_allowed(filetypes.PDF, {filetypes.TEXT})


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("风险评估表.docx", "风险评估表.docx"),
        ("  minutes 2024.pdf  ", "minutes 2024.pdf"),
        ("e\u0301tude.pdf", "\u00e9tude.pdf"),  # NFC
        ("会" * 200, "会" * 200),
        ("name with 'quotes' & (brackets).xlsx", "name with 'quotes' & (brackets).xlsx"),
    ],
)
def test_file_names_sanitised(raw: str, clean: str) -> None:
    assert sanitize_file_name(raw) == clean


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "   ",
        ".",
        "..",
        "dir/..",
        "../../etc/passwd",
        "a/b\\c/report.pdf",
        "C:\\Users\\张三\\Desktop\\风险评估表.docx",
        "dir/",
        "C:\\",
        "report\x00.pdf",
        "report\n.pdf",
        "report\r.pdf",
        "tab\there.pdf",
        "bell\x07.pdf",
        "del\x7f.pdf",
        "c1\x85.pdf",
        "invoice\u202efdp.exe",  # right-to-left override: shows as "invoiceexe.pdf"
        "a" * 201,
        "会" * 201,
    ],
)
def test_bad_file_names_refused(raw: str) -> None:
    with pytest.raises(BadFileName) as raised:
        sanitize_file_name(raw)
    assert raised.value.code == "BAD_FILE_NAME"
    assert isinstance(raised.value, InvalidInput)


def test_download_names_carry_the_detected_type() -> None:
    assert download_file_name("run.bat", filetypes.TEXT) == "run.bat.txt"
    assert download_file_name("报告.PDF", filetypes.PDF) == "报告.PDF"
    assert download_file_name("scan", filetypes.PNG) == "scan.png"
    assert download_file_name("photo.jpeg", filetypes.JPEG) == "photo.jpeg"
