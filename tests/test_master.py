from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook

from dvk_xl.core.errors import DvkError
from dvk_xl.master.book import init_master, load_deadlines, load_settings, load_units, open_master
from dvk_xl.spec.forms import DEADLINES, MASTER_TABLES, UNITS


def table_rows(path: Path, name: str) -> list[list]:
    """A table's body as it is in the file, read cell by cell."""
    book = load_workbook(path)
    for ws in book.worksheets:
        if name in ws.tables:
            return [[c.value for c in row] for row in ws[ws.tables[name].ref]][1:]
    raise AssertionError(f"no table {name}")


def test_ward_preset_builds_every_named_table(ward_master):
    book = load_workbook(ward_master)
    tables = {name for ws in book.worksheets for name in ws.tables}
    assert tables == {form.table for form in MASTER_TABLES}
    assert "Hướng dẫn" in book.sheetnames
    assert book.worksheets[0].title == "Hướng dẫn"


def test_ward_preset_quotas_and_deadlines_golden(ward_master):
    quotas = table_rows(ward_master, "ChiTieu")
    assert [(q[0], q[2], q[4], q[6]) for q in quotas] == [
        ("CT1", "Toàn cấp ủy", "Số mô hình", 5),
        ("CT2", "Toàn cấp ủy", "Số mô hình mới", 1),
        ("CT3", "Toàn cấp ủy", "Số mô hình nhân rộng", 1),
        ("CT4", "Từng đơn vị", "Tỷ lệ đơn vị có ít nhất N mô hình", 1),
    ]
    deadlines = load_deadlines(open_master(ward_master))
    assert list(zip(deadlines["step"], deadlines["due"], strict=True)) == [
        ("dang-ky", date(2026, 3, 3)),
        ("gui-cap-tren", date(2026, 3, 10)),
        ("bao-cao-6-thang", date(2026, 6, 20)),
        ("bao-cao-nam", date(2026, 11, 25)),
    ]
    assert len(table_rows(ward_master, "TieuChi")) == 8


def test_procuracy_preset_says_its_annual_deadline_does_not_exist(procuracy_master):
    result_rows = table_rows(procuracy_master, "TienDo")
    annual = next(r for r in result_rows if r[0] == "bao-cao-nam")
    assert annual[2] is None  # never silently moved to 30/11 or 01/12
    assert "31/11/2026" in annual[5] and "30 ngày" in annual[5]
    quotas = table_rows(procuracy_master, "ChiTieu")
    assert [(q[0], q[3], q[6]) for q in quotas] == [
        ("CT1", None, 1), ("CT2", "Chi bộ Phòng 9", 1), ("CT3", "Chi bộ VKSND khu vực 10", 1)]
    units = load_units(open_master(procuracy_master))
    assert list(units["unit_name"]) == ["Chi bộ Phòng 9", "Chi bộ VKSND khu vực 10"]


def test_init_reports_the_impossible_date_as_a_notice(tmp_path):
    result = init_master(tmp_path, preset="vksnd")
    assert any("31/11/2026" in n and "30 ngày" in n for n in result.notices)


def test_settings_are_typed(ward_master):
    settings = load_settings(open_master(ward_master))
    assert settings.year == 2026
    assert settings.committee == "Đảng ủy phường Hồng An"
    assert settings.party_org == "Đảng bộ phường Hồng An"
    assert "Ban Tuyên giáo và Dân vận Thành ủy (để b/c)" in settings.recipient_list


def test_a_typed_impossible_deadline_is_refused_naming_the_cell(ward_master):
    book = load_workbook(ward_master)
    ws = book[DEADLINES.sheet]
    ws["C8"] = "31/11/2026"  # the annual report row
    book.save(ward_master)
    with pytest.raises(DvkError) as info:
        load_deadlines(open_master(ward_master))
    message = info.value.message
    assert "sheet “Tiến độ”, ô C8" in message and "30 ngày" in message
    assert "\n" not in message


def test_unknown_preset_is_refused_and_nothing_written(tmp_path):
    with pytest.raises(DvkError, match="Không có mẫu kế hoạch “xa”; chọn một trong: phuong, vksnd"):
        init_master(tmp_path / "m", preset="xa")
    assert not (tmp_path / "m").exists()


def write_csv(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_units_file_with_a_missing_column(tmp_path):
    units = write_csv(tmp_path / "dv.csv", "Mã đơn vị,Loại đơn vị\nCB01,Chi bộ\n")
    with pytest.raises(DvkError) as info:
        init_master(tmp_path / "m", units_file=units)
    assert info.value.message.startswith("dv.csv, dòng 1: thiếu cột “Tên đơn vị”")
    assert not list((tmp_path / "m").glob("*")) if (tmp_path / "m").exists() else True


def test_units_file_with_a_duplicate_code_names_the_cell(tmp_path):
    units = write_csv(tmp_path / "dv.csv", "Mã đơn vị;Tên đơn vị;Loại đơn vị\nCB01;Chi bộ 1;Chi bộ\ncb01;Chi bộ 2;Chi bộ\n")
    with pytest.raises(DvkError, match=r"dv.csv, ô A3: mã đơn vị “cb01” trùng với dòng 2"):
        init_master(tmp_path / "m", units_file=units)


def test_units_from_an_xlsx_file(tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    ws = book.active
    ws.append(UNITS.headers)
    ws.append(["P9", "Chi bộ Phòng 9", "Chi bộ", "p9@example.vn", 1])
    ws.append([None, None, None, None, None])
    ws.append(["KV10", "Chi bộ VKSND khu vực 10", "Chi bộ", None, None])
    book.save(tmp_path / "dv.xlsx")
    master = init_master(tmp_path / "m", units_file=tmp_path / "dv.xlsx", preset="vksnd").path
    assert [r[0] for r in table_rows(master, "DonVi")] == ["P9", "KV10"]


def test_existing_master_is_not_overwritten(ward_master):
    with pytest.raises(DvkError, match="Đã có sổ tổng hợp"):
        init_master(ward_master.parent, preset="phuong")


def test_a_failed_save_leaves_neither_half_a_file_nor_a_temporary_one(tmp_path, monkeypatch):
    from openpyxl.workbook.workbook import Workbook as OpenpyxlWorkbook

    def broken_save(self, filename):
        Path(filename).write_bytes(b"PK\x03\x04 half a workbook")
        raise OSError("đĩa đầy")

    monkeypatch.setattr(OpenpyxlWorkbook, "save", broken_save)
    with pytest.raises(OSError):
        init_master(tmp_path / "m", preset="phuong")
    assert list((tmp_path / "m").iterdir()) == []


def test_an_existing_master_survives_a_failed_save(ward_master, monkeypatch):
    from dvk_xl.spec.forms import INTAKE_LOG
    from dvk_xl.workbook import xlsx_patch

    before = ward_master.read_bytes()
    wb = open_master(ward_master)
    frame = wb.read_table(INTAKE_LOG.table)
    frame.loc[0] = ["x"] * len(frame.columns)
    wb.write_table(INTAKE_LOG.table, frame)

    def broken(source, target, writes):
        Path(target).write_bytes(b"half")
        raise OSError("đĩa đầy")

    monkeypatch.setattr(xlsx_patch, "patch_tables", broken)
    with pytest.raises(OSError):
        wb.save()
    assert ward_master.read_bytes() == before
    assert sorted(p.name for p in ward_master.parent.iterdir()) == [ward_master.name]
