"""Generate N returned Phụ lục 01 workbooks and their master, for the benchmark.

Each set is built the way a real campaign is: ``init_master`` with all the units in DonVi, one
real template per unit type written by ``write_templates`` (our code, official frame, hidden
``_dvk`` metadata sheet), then every unit's returned file is that template with the unit's name
and code put in, and its models typed into the input rows. Loading and saving 10,000 workbooks
with openpyxl would take a quarter of an hour, so the units' files are produced by patching the
template's zip parts directly (inline-string cells, exactly as openpyxl writes them), in parallel.

    python benchmarks/generate.py 1000            # -> benchmarks/out/n1000/{master,inbox}
    python benchmarks/generate.py 60 --check 5    # read 5 files back with calamine and openpyxl

Sets are cached under benchmarks/out/n<N>/ and rebuilt when the template code changes.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import re
import shutil
import sys
import time
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from multiprocessing import Pool
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from dvk_xl.master.book import init_master
from dvk_xl.reports.templates import HEADER_ROW, INPUT_ROWS, UnitInfo, template_file_name, write_templates
from dvk_xl.spec.forms import (
    DEFAULT_LISTS,
    KIND_CONTINUED,
    KIND_NEW,
    KIND_REPLICATED,
    METADATA_SHEET,
    PL01,
    excel_column,
)

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
YEAR = 2026
SEED = 2026
GENERATOR_VERSION = 1
EXCEL_EPOCH = date(1899, 12, 30)

# --- realistic Vietnamese vocabulary ---------------------------------------------------------

WARDS = ["Hồng An", "Lê Chân", "An Biên", "Hàng Kênh", "Dư Hàng", "Cát Dài", "Trần Nguyên Hãn", "Niệm Nghĩa",
         "Vĩnh Niệm", "Kênh Dương", "Đông Hải", "Nam Hải", "Đằng Lâm", "Thành Tô", "Ngọc Xuyên", "Hải Sơn",
         "Minh Đức", "Lãm Hà", "Quán Toan", "Hùng Vương", "Sở Dầu", "Thượng Lý", "Máy Chai", "Vạn Mỹ", "Cầu Tre",
         "Lạc Viên", "Gia Viên", "Đông Khê", "Cầu Đất", "Lạch Tray", "Đằng Giang", "Kiến An", "Đồ Sơn",
         "Dương Kinh", "An Dương", "Hòa Nghĩa", "Tràng Cát", "Bàng La", "Ngọc Sơn", "Thủy Đường"]
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô",
          "Dương", "Lý", "Đinh", "Trịnh", "Đào", "Mai", "Cao", "Lương"]
MIDDLE_MEN = ["Văn", "Hữu", "Đức", "Minh", "Quang", "Xuân", "Thanh", "Công", "Mạnh"]
MIDDLE_WOMEN = ["Thị", "Thu", "Ngọc", "Thanh", "Kim", "Hoài", "Minh", "Thúy"]
GIVEN_MEN = ["Hùng", "Tâm", "Minh", "Long", "Dũng", "Khánh", "Thắng", "Thành", "Hải", "Tuấn", "Bình", "Sơn",
             "Quý", "Cường", "Nghĩa", "Hòa", "Trung", "Phúc"]
GIVEN_WOMEN = ["Lan", "Hương", "Mai", "Hà", "Thu", "Yến", "Phương", "Nga", "Trang", "Quỳnh", "Huệ", "Thủy",
               "Hạnh", "Loan", "Oanh", "Tuyết", "Hoa"]

# unit type -> (code prefix, share of units, name patterns)
UNIT_TYPES: dict[str, tuple[str, float, list[str]]] = {
    "Chi bộ": ("CB", 0.58, ["Chi bộ Khu dân cư số {k} phường {ward}", "Chi bộ Tổ dân phố số {k} phường {ward}",
                            "Chi bộ Thôn {village}, phường {ward}", "Chi bộ Công an phường {ward}",
                            "Chi bộ Quân sự phường {ward}", "Chi bộ Trạm Y tế phường {ward}"]),
    "Đảng bộ trực thuộc": ("DB", 0.07, ["Đảng bộ Trường Trung học cơ sở {ward}", "Đảng bộ Quân sự phường {ward}",
                                        "Đảng bộ Công an phường {ward}", "Đảng bộ Bệnh viện đa khoa {ward}"]),
    "Mặt trận Tổ quốc": ("MT", 0.05, ["Ủy ban Mặt trận Tổ quốc Việt Nam phường {ward}"]),
    "Tổ chức chính trị - xã hội": ("TC", 0.16, [
        "Đoàn Thanh niên Cộng sản Hồ Chí Minh phường {ward}", "Hội Liên hiệp Phụ nữ phường {ward}",
        "Hội Cựu chiến binh phường {ward}", "Hội Nông dân phường {ward}", "Công đoàn cơ sở phường {ward}"]),
    "Cơ quan, đơn vị": ("CQ", 0.06, ["Chi bộ Văn phòng Đảng ủy phường {ward}", "Chi bộ Bảo hiểm xã hội khu vực {k}",
                                     "Chi bộ Chi cục Thuế khu vực {k}", "Chi bộ Kho bạc Nhà nước khu vực {k}"]),
    "Trường học": ("TH", 0.06, ["Chi bộ Trường Mầm non {ward} {k}", "Chi bộ Trường Tiểu học {ward}",
                                "Chi bộ Trường Trung học phổ thông {person}"]),
    "Doanh nghiệp": ("DN", 0.02, ["Chi bộ Công ty Cổ phần Cảng {ward}", "Chi bộ Công ty TNHH Dệt may {ward}",
                                  "Chi bộ Công ty Cổ phần Cấp nước {ward}"]),
}
VILLAGES = ["Đông", "Đoài", "Nam", "Bắc", "Trung", "Thượng", "Hạ", "An Lạc", "Phú Xá", "Vĩnh Khê"]
HEROES = ["Trần Phú", "Lê Quý Đôn", "Ngô Quyền", "Nguyễn Trãi", "Thái Phiên", "Lê Hồng Phong", "Hồng Bàng"]

MODEL_NAMES: dict[str, list[str]] = {
    "Kinh tế": ["Vận động Nhân dân hiến đất mở rộng ngõ {k}", "Phụ nữ giúp nhau phát triển kinh tế",
                "Chợ 4.0 thanh toán không dùng tiền mặt", "Tổ hợp tác trồng rau an toàn",
                "Hũ gạo tiết kiệm giúp hội viên nghèo", "Cựu chiến binh làm kinh tế giỏi",
                "Thanh niên khởi nghiệp từ nông sản địa phương", "Tổ vay vốn xoay vòng không lãi"],
    "Văn hóa - xã hội": ["Khu dân cư sáng - xanh - sạch - đẹp - an toàn", "Bình dân học vụ số cho người cao tuổi",
                         "Tủ sách pháp luật tại nhà văn hóa", "Con đường bích họa", "Bữa cơm nghĩa tình",
                         "Tổ dân phố văn minh, hạnh phúc", "Phân loại rác thải tại nguồn", "Nhà nhân ái cho hộ khó khăn",
                         "Trường học thân thiện, học sinh tích cực", "Đồng hành cùng người cao tuổi"],
    "Quốc phòng - an ninh, dân tộc - tôn giáo": [
        "Camera an ninh khu dân cư", "Tổ tự quản an ninh trật tự tuyến phố", "Dân quân gần dân",
        "Đoàn kết lương giáo, tốt đời - đẹp đạo", "Ngõ phố bình yên", "Tổ liên gia an toàn phòng cháy chữa cháy",
        "Thắp sáng đường quê, đường phố an toàn"],
    "Xây dựng hệ thống chính trị": [
        "Chính quyền thân thiện vì Nhân dân phục vụ", "Đảng viên gương mẫu, gắn bó với Nhân dân",
        "Zalo tổ dân phố: kết nối chính quyền với người dân", "Một cửa thân thiện, trả kết quả đúng hẹn",
        "Sinh hoạt chi bộ chuyên đề gắn với nhiệm vụ khu dân cư", "Cựu chiến binh gương mẫu, tiếp lửa truyền thống"],
}
QUALIFIERS = ["tại khu dân cư số {k}", "ở tổ dân phố số {k}", "phường {ward}", "trên tuyến phố {hero}",
              "gắn với chuyển đổi số", "năm {year}", "giai đoạn {year}-{next}", ""]
GOALS = ["{p}% hộ dân phân loại rác tại nguồn", "Lắp {k} camera tại các ngõ, giảm {p}% vụ trộm cắp",
         "Vận động {k} hộ hiến đất, mở rộng ngõ lên 4 m", "{n} người cao tuổi dùng được dịch vụ công trực tuyến",
         "Hỗ trợ {k} hộ khó khăn sửa nhà", "{p}% hộ đạt danh hiệu gia đình văn hóa",
         "{k} hội viên được vay vốn, {m} hộ thoát nghèo", "Không để phát sinh tụ điểm tệ nạn xã hội",
         "{p}% hồ sơ trả đúng hạn, {q}% hồ sơ nộp trực tuyến", "Trồng {n} cây xanh trên các tuyến phố",
         "Kể chuyện truyền thống cho {n} đoàn viên", "{p}% hộ giáo dân ký cam kết"]
METHODS = ["Chia tổ tự quản theo ngõ, mỗi tháng một buổi tổng vệ sinh", "Đảng viên gương mẫu làm trước, họp dân từng hộ",
           "Vận động xã hội hóa kinh phí", "Lớp học cuối tuần tại nhà văn hóa", "Ngày thứ bảy tình nguyện",
           "Gặp gỡ hộ dân, nắm tình hình từng tổ", "Tổ tiết kiệm, vay vốn theo nhóm", "Nhân rộng cách làm của đơn vị bạn",
           "Phối hợp chức sắc tôn giáo vận động", "Đội hình tình nguyện đến từng nhà", "Hướng dẫn qua nhóm Zalo của tổ"]
PARTNERS = ["Ban công tác Mặt trận", "Chi hội Phụ nữ", "Chi hội Cựu chiến binh", "Chi đoàn Thanh niên",
            "Công an phường", "Tổ bảo vệ an ninh trật tự cơ sở", "Ngân hàng chính sách xã hội", "Hội Cha mẹ học sinh",
            "Ban Hành giáo họ đạo", "Doanh nghiệp trên địa bàn", "Trạm Y tế phường"]
NOTES = ["", "", "", "", "Đăng ký bổ sung", "Phối hợp với đơn vị bạn", "Mô hình cấp phường chỉ đạo", "Có kế hoạch kèm theo"]
# Old-style tone placement and stray case, as units type them; the reader accepts both spellings.
FIELD_VARIANTS = {"Văn hóa - xã hội": "Văn hoá - xã hội", "Kinh tế": "kinh tế"}


def person(rng: random.Random) -> str:
    if rng.random() < 0.5:
        return f"{rng.choice(FAMILY)} {rng.choice(MIDDLE_MEN)} {rng.choice(GIVEN_MEN)}"
    return f"{rng.choice(FAMILY)} {rng.choice(MIDDLE_WOMEN)} {rng.choice(GIVEN_WOMEN)}"


def make_units(n: int, seed: int = SEED) -> list[dict[str, Any]]:
    """``n`` units for DonVi, with unique codes and mostly unique Vietnamese names."""
    rng = random.Random(seed)
    types = list(UNIT_TYPES)
    weights = [UNIT_TYPES[t][1] for t in types]
    width = max(3, len(str(n)))
    counters = dict.fromkeys(types, 0)
    units = []
    for i in range(n):
        # Every type appears in small sets too, so every signature block variant is exercised.
        unit_type = types[i] if i < len(types) else rng.choices(types, weights)[0]
        prefix, _, patterns = UNIT_TYPES[unit_type]
        counters[unit_type] += 1
        name = rng.choice(patterns).format(k=rng.randint(1, 25), ward=rng.choice(WARDS),
                                           village=rng.choice(VILLAGES), person=rng.choice(HEROES))
        units.append({"unit_code": f"{prefix}{counters[unit_type]:0{width}d}", "unit_name": name,
                      "unit_type": unit_type, "email": "", "min_models": 1})
    return units


def _day(rng: random.Random, first: date, last: date) -> date:
    return first + timedelta(days=rng.randint(0, (last - first).days))


def _date_cell(rng: random.Random, value: date) -> date | str:
    """Most units' dates are date cells; some are typed as text, day first."""
    draw = rng.random()
    if draw < 0.70:
        return value
    if draw < 0.95:
        return value.strftime("%d/%m/%Y")
    return f"{value.day}/{value.month}/{value.year}"


def unit_models(unit: dict[str, Any], index: int, seed: int = SEED, year: int = YEAR) -> list[tuple]:
    """The rows a unit types into its form (PL01 columns after STT, values as typed)."""
    rng = random.Random(seed * 1_000_003 + index)
    count = rng.choice([3, 4, 4, 5, 5, 5, 6, 6, 7])
    fields = DEFAULT_LISTS["fields"]
    pool = [(f, name) for f in fields for name in MODEL_NAMES[f]]
    rows = []
    for f, base in rng.sample(pool, count):
        qualifier = rng.choice(QUALIFIERS).format(k=rng.randint(1, 30), ward=rng.choice(WARDS),
                                                  hero=rng.choice(HEROES), year=year, next=year + 1)
        name = f"{base.format(k=rng.randint(1, 60))} {qualifier}".strip()
        field_text = FIELD_VARIANTS[f] if f in FIELD_VARIANTS and rng.random() < 0.05 else f
        individual = rng.random() < 0.15
        leader = person(rng)
        subject = DEFAULT_LISTS["subjects"][1 if individual else 0]
        carried_by = f"Đồng chí {leader}" if individual else unit["unit_name"]
        kind = rng.choices([KIND_NEW, KIND_CONTINUED, KIND_REPLICATED], [0.35, 0.45, 0.20])[0]
        start_year = year if kind == KIND_NEW else rng.randint(year - 5, year - 1)
        start = _day(rng, date(year, 1, 5), date(year, 4, 15))
        end = _day(rng, date(year, 6, 30), date(year, 12, 31))
        launch = _day(rng, start, start + timedelta(days=30)) if kind == KIND_NEW else None
        goals = "; ".join(g.format(p=rng.choice([80, 90, 95, 100]), q=rng.choice([50, 70, 90]), k=rng.randint(3, 40),
                                   m=rng.randint(2, 15), n=rng.randint(50, 1000))
                          for g in rng.sample(GOALS, rng.randint(1, 2)))
        partners = ", ".join(rng.sample(PARTNERS, rng.randint(0, 2)))
        rows.append((name, field_text, subject, carried_by, kind, start_year, partners, goals,
                     rng.choice(METHODS), _date_cell(rng, start), _date_cell(rng, end),
                     _date_cell(rng, launch) if launch else None, leader,
                     f"09{rng.randint(0, 99_999_999):08d}" if rng.random() < 0.9 else "", rng.choice(NOTES)))
    return rows


# --- patching the real template --------------------------------------------------------------

_ROW = re.compile(r'<row r="(\d+)"[^>]*>.*?</row>|<row r="(\d+)"[^>]*/>', re.S)
_CELL_STYLE = re.compile(r'<c r="([A-Z]+)\d+" s="(\d+)"')


@dataclass
class Template:
    """The parts of one real template and where its unit's name and code sit."""

    parts: list[tuple[zipfile.ZipInfo, bytes]]
    sheet_part: str
    meta_part: str
    code: str
    name: str
    styles: dict[str, str]  # column letter -> style index of the input cells


def _sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> part path, from workbook.xml and its relationships."""
    workbook = archive.read("xl/workbook.xml").decode()
    rels = archive.read("xl/_rels/workbook.xml.rels").decode()
    targets = {m.group(2): m.group(1) for m in re.finditer(r'Target="([^"]+)" Id="([^"]+)"', rels)}
    targets.update({m.group(1): m.group(2) for m in re.finditer(r'Id="([^"]+)" Target="([^"]+)"', rels)})
    parts = {}
    for m in re.finditer(r'<sheet name="([^"]+)"[^>]*r:id="([^"]+)"', workbook):
        target = targets[m.group(2)].lstrip("/")
        parts[m.group(1)] = target if target.startswith("xl/") else f"xl/{target}"
    return parts


def load_template(path: Path, code: str, name: str) -> Template:
    with zipfile.ZipFile(path) as archive:
        parts = [(info, archive.read(info.filename)) for info in archive.infolist()]
        sheets = _sheet_parts(archive)
    content = dict((info.filename, data) for info, data in parts)
    sheet = content[sheets[PL01.sheet]].decode()
    first = HEADER_ROW + 1
    row = re.search(rf'<row r="{first}"[^>]*>.*?</row>', sheet, re.S)
    styles = dict(_CELL_STYLE.findall(row.group(0))) if row else {}
    if len(styles) != len(PL01.columns):
        raise RuntimeError(f"{path.name}: row {first} of the template is not an input row of {len(PL01.columns)} cells")
    return Template(parts, sheets[PL01.sheet], sheets[METADATA_SHEET], code, name, styles)


def _replace_once(xml: str, old: str, new: str, what: str) -> str:
    if xml.count(old) != 1:
        raise RuntimeError(f"the template changed: {what} found {xml.count(old)} times, expected once")
    return xml.replace(old, new)


def _cell_xml(ref: str, style: str, value: Any) -> str:
    if value is None or value == "":
        return f'<c r="{ref}" s="{style}" t="n" />'
    if isinstance(value, date):
        return f'<c r="{ref}" s="{style}" t="n"><v>{(value - EXCEL_EPOCH).days}</v></c>'
    if isinstance(value, int):
        return f'<c r="{ref}" s="{style}" t="n"><v>{value}</v></c>'
    return f'<c r="{ref}" s="{style}" t="inlineStr"><is><t>{escape(str(value))}</t></is></c>'


def patch_sheet(template: Template, xml: str, unit: dict[str, Any], rows: Sequence[tuple]) -> str:
    """The data sheet with the unit's name and code in the header and its models in the input rows."""
    old_name, old_code = escape(template.name), escape(template.code)
    name, code = escape(unit["unit_name"]), escape(unit["unit_code"])
    xml = _replace_once(xml, f"<t>{escape(template.name.upper())}</t>", f"<t>{escape(unit['unit_name'].upper())}</t>",
                        "the unit's name in the official header")
    xml = _replace_once(xml, f"<t>Đơn vị: {old_name} (mã đơn vị: {old_code})</t>",
                        f"<t>Đơn vị: {name} (mã đơn vị: {code})</t>", "the unit line under the title")
    xml = _replace_once(xml, f"{PL01.id} — {old_code} — ", f"{PL01.id} — {code} — ", "the footer")
    letters = [excel_column(c) for c in range(len(PL01.columns))]
    filled = []
    for i, model in enumerate(rows):
        r = HEADER_ROW + 1 + i
        values = (i + 1, *model, *[None] * (len(letters) - 1 - len(model)))  # columns after the model's stay empty
        cells = "".join(_cell_xml(f"{letter}{r}", template.styles[letter], value) for letter, value in zip(letters, values, strict=True))
        filled.append((r, f'<row r="{r}">{cells}</row>'))
    for r, row_xml in filled:
        old = re.search(rf'<row r="{r}"[^>]*>.*?</row>', xml, re.S)
        if not old:
            raise RuntimeError(f"the template has no input row {r}")
        xml = xml[:old.start()] + row_xml + xml[old.end():]
    return xml


def patch_metadata(template: Template, xml: str, unit: dict[str, Any]) -> str:
    for key in ("unit_code", "unit_name"):
        pattern = re.compile(rf'(<t>{key}</t></is></c><c r="B\d+"[^>]*t="inlineStr"><is><t>)([^<]*)(</t>)')
        xml, count = pattern.subn(lambda m, k=key: m.group(1) + escape(unit[k]) + m.group(3), xml)
        if count != 1:
            raise RuntimeError(f"the template changed: metadata {key} found {count} times, expected once")
    return xml


def write_unit_file(template: Template, unit: dict[str, Any], rows: Sequence[tuple], path: Path) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, data in template.parts:
            if info.filename == template.sheet_part:
                data = patch_sheet(template, data.decode(), unit, rows).encode()
            elif info.filename == template.meta_part:
                data = patch_metadata(template, data.decode(), unit).encode()
            copy = zipfile.ZipInfo(info.filename, info.date_time)
            copy.compress_type = zipfile.ZIP_DEFLATED
            copy.external_attr = info.external_attr
            archive.writestr(copy, data)


# --- a whole set -----------------------------------------------------------------------------

_WORKER: dict[str, Any] = {}


def _init_worker(templates: dict[str, Template], inbox: str, seed: int, year: int) -> None:
    _WORKER.update(templates=templates, inbox=Path(inbox), seed=seed, year=year)


def _write_one(job: tuple[int, dict[str, Any]]) -> tuple[str, str, int]:
    index, unit = job
    rows = unit_models(unit, index, _WORKER["seed"], _WORKER["year"])
    info = UnitInfo(unit["unit_code"], unit["unit_name"], unit["unit_type"])
    path = _WORKER["inbox"] / template_file_name(PL01, info)
    write_unit_file(_WORKER["templates"][unit["unit_type"]], unit, rows, path)
    # Files arrive around the registration deadline (03/3): a few late, the rest on time.
    rng = random.Random(index)
    received = datetime(_WORKER["year"], 2, 15, 8) + timedelta(minutes=rng.randint(0, 18 * 24 * 60))
    os.utime(path, (received.timestamp(), received.timestamp()))
    return path.name, unit["unit_code"], len(rows)


def code_fingerprint() -> str:
    """Changes when the template code or this generator changes, so cached sets are rebuilt."""
    import dvk_xl

    package = Path(dvk_xl.__file__).parent
    digest = hashlib.sha256(str(GENERATOR_VERSION).encode())
    for path in (package / "spec" / "forms.py", package / "reports" / "templates.py", package / "workbook" / "excel.py",
                 package / "master" / "book.py",
                 Path(__file__)):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


@dataclass
class BenchSet:
    n: int
    directory: Path
    master: Path
    inbox: Path
    templates: Path
    files: list[dict[str, Any]]
    seconds: float = 0.0
    cached: bool = False

    @property
    def rows(self) -> int:
        return sum(f["rows"] for f in self.files)


def _load_cached(directory: Path, n: int, seed: int) -> BenchSet | None:
    manifest = directory / "manifest.json"
    if not manifest.exists():
        return None
    data = json.loads(manifest.read_text(encoding="utf-8"))
    if (data.get("n"), data.get("seed"), data.get("fingerprint")) != (n, seed, code_fingerprint()):
        return None
    inbox = directory / "inbox"
    if sum(1 for _ in inbox.glob("*.xlsx")) != n:
        return None
    return BenchSet(n, directory, directory / data["master"], inbox, directory / "templates", data["files"],
                    data.get("seconds", 0.0), cached=True)


def generate(n: int, out: Path = OUT, seed: int = SEED, year: int = YEAR, workers: int | None = None,
             force: bool = False) -> BenchSet:
    """The set of ``n`` returned files and the master (from the cache when it is current)."""
    directory = Path(out) / f"n{n}"
    if not force and (cached := _load_cached(directory, n, seed)):
        return cached
    started = time.perf_counter()
    building = Path(out) / f"n{n}.building"
    shutil.rmtree(building, ignore_errors=True)
    units = make_units(n, seed)
    committee = "Đảng ủy phường Hồng An" if n <= 100 else "Đảng ủy Khối các cơ quan thành phố Hải Phòng"
    master = init_master(building / "master", year=year, committee=committee, preset="phuong", units=units).path

    # One real template per unit type (the signature block depends on it), written by our code.
    samples = {}
    for unit in units:
        samples.setdefault(unit["unit_type"], unit)
    written = write_templates(master, building / "templates", units=[u["unit_code"] for u in samples.values()])
    templates = {}
    for unit_type, unit in samples.items():
        path = building / "templates" / template_file_name(PL01, UnitInfo(unit["unit_code"], unit["unit_name"], unit_type))
        assert path in written.paths, path
        templates[unit_type] = load_template(path, unit["unit_code"], unit["unit_name"])

    inbox = building / "inbox"
    inbox.mkdir(parents=True)
    jobs = list(enumerate(units))
    workers = workers or min(os.cpu_count() or 1, 8)
    if workers > 1 and n >= 200:
        with Pool(workers, _init_worker, (templates, str(inbox), seed, year)) as pool:
            results = pool.map(_write_one, jobs, chunksize=max(1, n // (workers * 8)))
    else:
        _init_worker(templates, str(inbox), seed, year)
        results = [_write_one(job) for job in jobs]
    if len({name for name, _, _ in results}) != n:
        raise RuntimeError("two units got the same file name")
    files = [{"file": name, "unit_code": code, "rows": rows} for name, code, rows in results]
    seconds = round(time.perf_counter() - started, 2)
    manifest = {"n": n, "seed": seed, "year": year, "fingerprint": code_fingerprint(),
                "master": str(master.relative_to(building)), "seconds": seconds, "files": files}
    (building / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    shutil.rmtree(directory, ignore_errors=True)
    building.rename(directory)
    return BenchSet(n, directory, directory / manifest["master"], directory / "inbox", directory / "templates",
                    files, seconds)


# --- reading back ----------------------------------------------------------------------------


def read_back_calamine(path: Path) -> tuple[dict[str, Any], list[list[Any]]]:
    """(metadata, filled data rows) of a returned file, read with python-calamine."""
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_path(str(path))
    meta = {str(r[0]): r[1] for r in book.get_sheet_by_name(METADATA_SHEET).to_python() if r and r[0]}
    grid = book.get_sheet_by_name(PL01.sheet).to_python(skip_empty_area=False)
    rows = [r for r in grid[HEADER_ROW:HEADER_ROW + INPUT_ROWS] if any(v not in (None, "") for v in r[1:])]
    return meta, rows


def read_back_openpyxl(path: Path) -> tuple[dict[str, Any], list[list[Any]]]:
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True)
    meta = {str(r[0]): r[1] for r in book[METADATA_SHEET].iter_rows(values_only=True) if r and r[0]}
    ws = book[PL01.sheet]
    rows = [list(r) for r in ws.iter_rows(min_row=HEADER_ROW + 1, max_row=HEADER_ROW + INPUT_ROWS, values_only=True)
            if any(v not in (None, "") for v in r[1:])]
    book.close()
    return meta, rows


def check(bench: BenchSet, count: int = 5) -> None:
    """Read ``count`` files back with both libraries and compare them with what was generated."""
    units = {u["unit_code"]: (i, u) for i, u in enumerate(make_units(bench.n))}
    for entry in bench.files[:count]:
        index, unit = units[entry["unit_code"]]
        expected = unit_models(unit, index)
        path = bench.inbox / entry["file"]
        for reader in (read_back_calamine, read_back_openpyxl):
            meta, rows = reader(path)
            assert meta["unit_code"] == unit["unit_code"] and meta["unit_name"] == unit["unit_name"], (reader, meta)
            assert len(rows) == len(expected) == entry["rows"], (reader, path.name, len(rows))
            for number, (got, want) in enumerate(zip(rows, expected, strict=True), start=1):
                assert int(got[0]) == number, (reader.__name__, path.name, got[0])
                for value, typed in zip(got[1:1 + len(want)], want, strict=True):  # later columns: none generated
                    if isinstance(typed, date):
                        value = value.date() if isinstance(value, datetime) else value
                    elif isinstance(typed, int):
                        value = int(value)
                    assert (value or None) == (typed or None), (reader.__name__, path.name, value, typed)
    print(f"checked {min(count, len(bench.files))} files with python-calamine and openpyxl: OK")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Generate N returned Phụ lục 01 workbooks and their master.")
    parser.add_argument("n", type=int, nargs="+", help="number of units / files, e.g. 60 1000 10000")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--force", action="store_true", help="rebuild even if a current set is cached")
    parser.add_argument("--check", type=int, default=3, metavar="K", help="read K files back (0: skip)")
    args = parser.parse_args(argv)
    for n in args.n:
        bench = generate(n, args.out, force=args.force)
        state = "cached" if bench.cached else f"generated in {bench.seconds:.1f} s"
        print(f"N={n}: {len(bench.files)} files, {bench.rows} models, {state}: {bench.directory}")
        if args.check:
            check(bench, args.check)
    return 0


if __name__ == "__main__":
    sys.exit(main())
