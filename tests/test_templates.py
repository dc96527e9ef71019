from openpyxl import load_workbook

from dvk_xl.reports.templates import HEADER_ROW, write_templates
from dvk_xl.spec.forms import METADATA_SHEET, PL01

from .conftest import pdf_text, soffice_to_pdf


def test_one_template_per_unit_with_plain_file_names(ward_master, tmp_path):
    result = write_templates(ward_master, tmp_path / "out")
    names = sorted(p.name for p in result.paths)
    assert len(names) == 12
    assert "PL01_CB01_Chi_bo_Khu_dan_cu_so_1.xlsx" in names
    assert "PL01_MT01_Uy_ban_Mat_tran_To_quoc_Viet_Nam_phuong.xlsx" in names


def test_template_cells_golden(ward_master, tmp_path):
    path = write_templates(ward_master, tmp_path / "out", units=["CB01"]).paths[0]
    ws = load_workbook(path)[PL01.sheet]
    assert ws["A1"].value == "ĐẢNG BỘ PHƯỜNG HỒNG AN"
    assert ws["A2"].value == "CHI BỘ KHU DÂN CƯ SỐ 1"
    assert ws["A3"].value == "*"
    right = next(c for c in ws[1] if c.value == "ĐẢNG CỘNG SẢN VIỆT NAM")
    assert right.font.underline == "single"
    assert ws.cell(2, right.column).value == "Hải Phòng, ngày …… tháng …… năm 2026"
    assert ws.cell(2, right.column).font.i
    assert any(c.value == "ĐĂNG KÝ MÔ HÌNH “DÂN VẬN KHÉO” NĂM 2026" for row in ws.iter_rows(max_row=9) for c in row)
    assert [c.value for c in ws[HEADER_ROW]] == PL01.headers
    assert ws["A1"].font.name == "Times New Roman"
    assert any(c.value == "T/M CHI BỘ" for row in ws.iter_rows(min_row=HEADER_ROW + 1) for c in row)


def test_template_metadata_dropdowns_and_protection(ward_master, tmp_path):
    path = write_templates(ward_master, tmp_path / "out", units=["PN01"]).paths[0]
    book = load_workbook(path)
    meta = {r[0]: r[1] for r in book[METADATA_SHEET].iter_rows(values_only=True)}
    assert meta["form_id"] == "PL01" and meta["form_version"] == 1
    assert meta["unit_code"] == "PN01" and meta["year"] == 2026
    assert book[METADATA_SHEET].sheet_state == "veryHidden"
    ws = book[PL01.sheet]
    formulas = {dv.formula1: str(dv.sqref) for dv in ws.data_validations.dataValidation if dv.type == "list"}
    assert formulas == {"=ds_fields": f"C{HEADER_ROW + 1}:C{HEADER_ROW + 30}",
                        "=ds_subjects": f"D{HEADER_ROW + 1}:D{HEADER_ROW + 30}",
                        "=ds_kinds": f"F{HEADER_ROW + 1}:F{HEADER_ROW + 30}"}
    assert "ds_fields" in book.defined_names
    assert any(dv.type == "date" for dv in ws.data_validations.dataValidation)
    assert ws.protection.sheet is True
    assert ws.cell(HEADER_ROW, 2).protection.locked is True
    assert ws.cell(HEADER_ROW + 1, 2).protection.locked is False
    assert ws.cell(HEADER_ROW + 1, 11).number_format == "dd/mm/yyyy"
    assert ws.freeze_panes == f"C{HEADER_ROW + 1}"
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9


def test_template_opens_in_libreoffice_and_prints_the_frame(ward_master, tmp_path):
    path = write_templates(ward_master, tmp_path / "out", units=["CB01"]).paths[0]
    pdf = soffice_to_pdf(path, tmp_path / "pdf")
    first_page = pdf_text(pdf)
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" in first_page
    assert "CHI BỘ KHU DÂN CƯ SỐ 1" in first_page
    assert "Tên mô hình" in first_page


def test_both_presets_masters_open_in_libreoffice(ward_master, procuracy_master, tmp_path):
    for master in (ward_master, procuracy_master):
        pdf = soffice_to_pdf(master, tmp_path / master.parent.name)
        assert "SỔ TỔNG HỢP PHONG TRÀO THI ĐUA" in pdf_text(pdf)
