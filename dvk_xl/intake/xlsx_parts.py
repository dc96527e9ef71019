"""The zip parts of a returned workbook, read for the checks calamine does not make.

Before calamine parses a file: is it encrypted, a zip bomb, an XML-entity bomb (``zip_problem``)?
After: which cells of the data sheet hold formulas (``formula_cells``; calamine gives only values)?
Each returned file has about a dozen parts, most of them its template's own, byte for byte: the
directory is read straight from the file's bytes where zipfile would read the same, and parts are
inflated once per distinct compressed bytes. Anything unusual goes through zipfile, which reads and
raises as it always did.
"""

from __future__ import annotations

import io
import os
import re
import struct
import sys
import zipfile
import zlib
from typing import IO

MAX_UNPACKED_BYTES = 100 * 1024 * 1024  # zip-bomb guard: total size of the parts once unpacked
ZIP_MAGIC = b"PK\x03\x04"
_FORMULA_CELL = re.compile(rb'<c r="([A-Z]{1,3}[0-9]{1,7})"[^>]*>(?:<v>[^<]*</v>)?<f[ >]')
_FORMULA_TAG = re.compile(rb"<f[ >]")  # a sheet without one has no formula cell: most returned sheets


def zip_problem(data: bytes) -> tuple[tuple[str, str] | None, zipfile.ZipFile | Directory | None]:
    """A reason to refuse a zip-based workbook before parsing it (or None), and the open archive."""
    try:
        archive = directory(data) or zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
        if any(info.filename == "EncryptionInfo" for info in infos):
            return ("file-encrypted", "tệp được đặt mật khẩu nên không đọc được; gỡ mật khẩu rồi gửi lại"), None
        unpacked = sum(info.file_size for info in infos)
        if unpacked > MAX_UNPACKED_BYTES:
            return ("file-too-large", f"tệp giải nén ra {unpacked / 1048576:.0f} MB (tệp nén bất thường); "
                    "chỉ gửi lại đúng tệp mẫu đã điền"), None
        for info in infos:
            if info.filename.endswith((".xml", ".rels")):
                head = part_bytes(archive, data, info, 512)  # a DOCTYPE can only stand in the prolog
                if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                    return ("file-unreadable", f"tệp chứa khai báo XML không được phép ({info.filename}); "
                            "mở lại bằng Excel, lưu dạng .xlsx rồi gửi lại"), None
    except zipfile.BadZipFile:
        return ("file-unreadable", "tệp bị hỏng (không giải nén được); lưu lại bằng Excel rồi gửi lại"), None
    return None, archive


class Entry:
    """What zipfile's ZipInfo says of a part, as far as reading needs it."""

    __slots__ = ("CRC", "compress_size", "compress_type", "file_size", "filename", "flag_bits", "header_offset",
                 "index", "orig_filename")

    def __init__(self, index: int, name: str, flag_bits: int, compress_type: int, crc: int, compress_size: int,
                 file_size: int, header_offset: int) -> None:
        self.index, self.filename, self.orig_filename = index, name, name
        self.flag_bits, self.compress_type, self.CRC = flag_bits, compress_type, crc
        self.compress_size, self.file_size, self.header_offset = compress_size, file_size, header_offset


class Directory:
    """The central directory of a plain archive, read straight from its bytes: what ``zipfile.ZipFile``
    would find in it (its infolist, namelist, getinfo), without its ~50 µs a file of ZipInfo objects.
    Reading a part through it (``open``, ``read``: only when a part is not plain) opens the archive with
    zipfile and reads that part's own ZipInfo, so zipfile reads and raises as it always did."""

    def __init__(self, data: bytes, entries: list[Entry]) -> None:
        self._data, self._entries = data, entries
        self._names = {entry.filename: entry for entry in entries}  # the last of a duplicated name, as zipfile
        self._zip: zipfile.ZipFile | None = None

    def infolist(self) -> list[Entry]:
        return self._entries

    def namelist(self) -> list[str]:
        return [entry.filename for entry in self._entries]

    def getinfo(self, name: str) -> Entry:
        try:
            return self._names[name]
        except KeyError:
            raise KeyError(f"There is no item named {name!r} in the archive") from None

    def _zipinfo(self, info: Entry) -> tuple[zipfile.ZipFile, zipfile.ZipInfo]:
        if self._zip is None:
            self._zip = zipfile.ZipFile(io.BytesIO(self._data))
        return self._zip, self._zip.filelist[info.index]

    def open(self, info: Entry) -> IO[bytes]:
        archive, zipinfo = self._zipinfo(info)
        return archive.open(zipinfo)

    def read(self, info: Entry) -> bytes:
        archive, zipinfo = self._zipinfo(info)
        return archive.read(zipinfo)


_ZIP_END = struct.Struct("<4s4H2LH")  # zipfile.structEndArchive
_ZIP_ENTRY = struct.Struct("<4s4B4HL2L5H2L")  # zipfile.structCentralDir
# The directory is read here only where it was checked against zipfile's own reading (its checks change
# between versions); elsewhere zipfile reads it.
_PLAIN_DIRECTORY = sys.version_info[:2] == (3, 11)


def directory(data: bytes) -> Directory | None:
    """The archive's directory when it is a plain one, exactly as zipfile (3.11) reads it; None when it is
    anything else (a comment, zip64, data before the archive, a name that is not plain ASCII, a truncated
    or odd entry), for zipfile to read or refuse as it always did."""
    size = len(data)
    if not _PLAIN_DIRECTORY or size < 42 or data[-22:-18] != b"PK\x05\x06" or data[-2:] != b"\0\0" \
            or data[-42:-38] == b"PK\x06\x07":
        return None  # no end record right at the end (a comment, not a zip), or a zip64 locator before it
    _, _, _, _, _, directory_size, position, _ = _ZIP_END.unpack_from(data, size - 22)
    stop = size - 22
    if position + directory_size != stop:
        return None  # bytes before the archive: zipfile shifts every offset
    entries: list[Entry] = []
    while position < stop:
        if position + 46 > stop:
            return None
        (signature, _, _, extract_version, _, flag_bits, compress_type, _, _, crc, compress_size, file_size,
         name_length, extra_length, comment_length, _, _, _, header_offset) = _ZIP_ENTRY.unpack_from(data, position)
        name_end = position + 46 + name_length
        after = name_end + extra_length + comment_length
        if signature != b"PK\x01\x02" or extract_version > 63 or after > stop:
            return None
        name = data[position + 46:name_end]
        if not name.isascii() or b"\0" in name or (os.sep != "/" and os.sep.encode() in name):
            return None  # zipfile decodes, cuts or rewrites such names
        extra = data[name_end:name_end + extra_length]
        while len(extra) >= 4:  # zipfile's _decodeExtra: only a zip64 field changes anything, or refuses
            kind, length = int.from_bytes(extra[:2], "little"), int.from_bytes(extra[2:4], "little")
            if kind == 1 or length + 4 > len(extra):
                return None
            extra = extra[length + 4:]
        entries.append(Entry(len(entries), name.decode("ascii"), flag_bits, compress_type, crc, compress_size,
                              file_size, header_offset))
        position = after
    return Directory(data, entries)


def read_part(archive: zipfile.ZipFile | Directory, data: bytes | None, name: str) -> bytes:
    """A whole part: straight from the file's bytes when it is a plain one, else through zipfile."""
    info = archive.getinfo(name)
    fast = part_bytes(None, data, info) if data is not None else None
    return fast if fast is not None else archive.read(info)


_LOCAL_HEADER = struct.Struct("<6xH18xHH")  # a part's local header: its flags, name and extra field lengths


def _fallback(archive: zipfile.ZipFile | Directory | None, info: zipfile.ZipInfo | Entry, limit: int) -> bytes | None:
    """The part read by zipfile (None without an archive): it raises what it always raised."""
    if not archive:
        return None
    return archive.open(info).read(limit) if limit >= 0 else archive.read(info)


def part_bytes(archive: zipfile.ZipFile | Directory | None, data: bytes, info: zipfile.ZipInfo | Entry,
                limit: int = -1) -> bytes | None:
    """The part ``info`` (its first ``limit`` bytes when given), decompressed straight from ``data``.

    zipfile's own reader costs ~40 µs a part in set-up alone, and every returned file has about a dozen
    parts. Anything but a plain stored or deflated part whose local header agrees with the directory
    goes through zipfile (``archive``; None without one), which raises what it always raised; a whole
    part read here has its size and CRC checked as zipfile would.
    """
    if info.flag_bits & 0x61 or info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        return _fallback(archive, info, limit)  # encrypted, patched or another method
    start = info.header_offset
    header = data[start:start + 30]
    if len(header) != 30 or header[:4] != ZIP_MAGIC:
        return _fallback(archive, info, limit)
    flags, name_length, extra_length = _LOCAL_HEADER.unpack(header)
    raw_name = data[start + 30:start + 30 + name_length]
    try:  # ASCII decodes alike in both (cp437's codec is slow)
        name = raw_name.decode("ascii" if raw_name.isascii() else "utf-8" if flags & 0x800 else "cp437")
    except UnicodeDecodeError:
        name = None
    begin = start + 30 + name_length + extra_length
    raw = data[begin:begin + info.compress_size]
    if name != info.orig_filename or len(raw) != info.compress_size:
        return _fallback(archive, info, limit)
    whole = limit < 0 or limit >= info.file_size
    try:
        if info.compress_type == zipfile.ZIP_STORED:
            out, crc = (raw, None) if whole else (raw[:limit], None)
        else:
            out, crc = _inflate(raw, -1 if whole else limit)
    except zlib.error:
        return _fallback(archive, info, limit)
    if whole and (len(out) != info.file_size or (zlib.crc32(out) if crc is None else crc) != info.CRC):
        return _fallback(archive, info, limit)  # zipfile says what is wrong
    return out if whole or len(out) == limit else (_fallback(archive, info, limit))


# Inflated parts by their compressed bytes: most parts of a returned file (theme, styles, relationships,
# the workbook part, the lists sheet) are the template's own, byte for byte, in every file of the batch.
_INFLATED_LIMIT = 1 << 22  # bytes held, cleared when full
_INFLATED_PART = 1 << 14  # larger parts (a unit's filled sheet) are unique to their file: not kept
_inflated: dict[tuple[bytes, int], tuple[bytes, int | None]] = {}
_inflated_bytes = 0


def _inflate(raw: bytes, limit: int) -> tuple[bytes, int | None]:
    """A deflated part (its first ``limit`` bytes when ``limit`` >= 0) and, when whole, its CRC-32 (None
    when not computed). Raises ``zlib.error`` as inflating it would; a pure function of its arguments."""
    global _inflated_bytes
    key = (raw, limit)
    hit = _inflated.get(key)
    if hit is not None:
        return hit
    inflate = zlib.decompressobj(-15)
    out = inflate.decompress(raw) + inflate.flush() if limit < 0 else inflate.decompress(raw, limit)
    size = len(raw) + len(out)
    if size > _INFLATED_PART:
        return out, None
    if _inflated_bytes + size > _INFLATED_LIMIT:
        _inflated.clear()
        _inflated_bytes = 0
    result = _inflated[key] = (out, zlib.crc32(out) if limit < 0 else None)
    _inflated_bytes += size
    return result


def formula_cells(archive: zipfile.ZipFile | Directory, sheet_name: str, data: bytes | None = None) -> set[str]:
    """Cells of one sheet that hold formulas (calamine gives only their values)."""
    import html

    names = set(archive.namelist())
    if "xl/workbook.xml" not in names:
        return set()
    workbook = read_part(archive, data, "xl/workbook.xml")
    rels = read_part(archive, data, "xl/_rels/workbook.xml.rels") if "xl/_rels/workbook.xml.rels" in names else b""
    targets, sheets = _workbook_sheets(workbook, rels)
    for name, rid in sheets:
        if html.unescape(name.decode()) != sheet_name:
            continue
        target = targets.get(rid, b"").decode().lstrip("/")
        part = target if target.startswith("xl/") else f"xl/{target}"
        if part in names:
            sheet_xml = read_part(archive, data, part)
            first = sheet_xml.find(b"<f")
            if first >= 0:
                if _FORMULA_TAG.search(sheet_xml, first) is None:
                    return set()  # only <formula1> of data validations and the like: _FORMULA_CELL cannot match
                return {m.decode() for m in _FORMULA_CELL.findall(sheet_xml)}
    return set()


_workbook_sheets_memo: dict[tuple[bytes, bytes], tuple[dict[bytes, bytes], list[tuple[bytes, bytes]]]] = {}


def _workbook_sheets(workbook: bytes, rels: bytes) -> tuple[dict[bytes, bytes], list[tuple[bytes, bytes]]]:
    """The relationship targets by id and the (name, id) of each sheet, as found in the workbook part and
    its relationships (memoised: every file of a template has the same two parts)."""
    key = (workbook, rels)
    found = _workbook_sheets_memo.get(key)
    if found is None:
        targets = dict(re.findall(rb'Id="([^"]+)"[^>]*Target="([^"]+)"', rels))
        targets.update({k: v for v, k in re.findall(rb'Target="([^"]+)"[^>]*Id="([^"]+)"', rels)})
        found = (targets, re.findall(rb'<sheet [^>]*name="([^"]+)"[^>]*r:id="([^"]+)"', workbook))
        if len(workbook) + len(rels) <= _INFLATED_PART:  # a template's parts, not a pasted monster
            if len(_workbook_sheets_memo) >= 64:
                _workbook_sheets_memo.clear()
            _workbook_sheets_memo[key] = found
    return found
