"""A master table on its own sheet, as ``dvk init`` lays it out (title, hint, table, dropdowns).

Below ``api.py`` (which adds a table an older master lacks) and ``master/book.py`` (which creates
the master): both use it, neither is imported by it.
"""

from __future__ import annotations

from typing import Any

from ..spec.forms import DEFAULT_LISTS, LIST_HEADERS, LISTS, Form, excel_column

TABLE_HEADER_ROW = 4  # title in row 1, a hint in row 2, the table from row 4


DROPDOWN_ROWS = 2000  # rows of a master table that get its dropdowns
LIST_ROWS = 60  # DanhMuc rows a dropdown offers (staff may add values under the defaults)


def list_range(list_key: str) -> str:
    """The DanhMuc cells of one list, as a dropdown formula refers to them."""
    letter = excel_column(LISTS.position(list_key))
    return f"'{LISTS.sheet}'!${letter}${TABLE_HEADER_ROW + 1}:${letter}${TABLE_HEADER_ROW + LIST_ROWS}"


def add_table_sheet(book: Any, form: Form, rows: list[list[Any]] | tuple = ()) -> Any:
    """A master table on its own new sheet (title, hint, table, dropdowns from DanhMuc, print setup).

    Used by ``init_master`` and by ``FileWorkbook.ensure_table`` for a table an older master lacks.
    """
    from . import excel  # openpyxl: imported by what writes a sheet, never by a reader of the master

    ws = book.create_sheet(form.sheet)
    excel.merged_text(ws, 1, 1, min(len(form.columns), 6), form.title, excel.TITLE_FONT,
                      excel.Alignment(horizontal="left"))
    ws.cell(2, 1, TABLE_HINTS.get(form.table, "")).font = excel.ITALIC
    excel.add_table(ws, form.table, TABLE_HEADER_ROW, form.columns, rows)
    if form is not LISTS:
        for position, column in enumerate(form.columns):
            if column.choices in LIST_HEADERS:
                letter = excel_column(position)
                cells = f"{letter}{TABLE_HEADER_ROW + 1}:{letter}{TABLE_HEADER_ROW + DROPDOWN_ROWS}"
                excel.list_validation(ws, cells, list_range(column.choices), column.header,
                                      DEFAULT_LISTS[column.choices])
    ws.freeze_panes = ws.cell(TABLE_HEADER_ROW + 1, 1)
    excel.page_setup(ws, title_rows=f"{TABLE_HEADER_ROW}:{TABLE_HEADER_ROW}")
    return ws


TABLE_HINTS = {
    "CauHinh": "Sửa cột “Giá trị”; không đổi tên cột “Thiết lập”. Ngày nhập theo dạng ngày/tháng/năm.",
    "DonVi": "Mỗi đơn vị một dòng, mã đơn vị không trùng. Mẫu Phụ lục 01 được tạo cho từng dòng. "
             "Đổi mã đơn vị thì ghi mã cũ vào cột “Mã cũ” để giữ các mô hình đã đăng ký.",
    "DanhMuc": "Các giá trị của ô chọn trong mẫu gửi đơn vị. Có thể thêm lĩnh vực, loại đơn vị của địa phương.",
    "ChiTieu": "Chỉ tiêu của kế hoạch: phạm vi, chỉ số và mức tối thiểu.",
    "TienDo": "Hạn của từng bước; ngày không tồn tại sẽ bị báo lỗi, công cụ không tự dời ngày. Việc của cấp ủy "
              "làm xong thì nhập ngày vào cột “Ngày hoàn thành”.",
    "TieuChi": "Tám tiêu chí đánh giá mô hình (Mục III.1 Hướng dẫn).",
    "DangKy": "Do công cụ ghi khi tổng hợp; sửa tay, thêm dòng, sắp xếp, tô màu được: mỗi mô hình giữ dòng của mình, "
              "dòng thêm tay được cấp mã ở lần tổng hợp sau.",
    "TiepNhan": "Do công cụ ghi: mỗi tệp nhận được một dòng.",
    "ThamDinh": "Mỗi mô hình đã đăng ký một dòng (lệnh dvk compliance tự thêm). Đoàn thẩm định chọn Đạt / Không đạt "
                "cho từng tiêu chí; công cụ điền sẵn tiêu chí 1, 2, 8 khi dữ liệu chứng minh, không ghi đè ô đã nhập tay.",
    "MoHinhNamTruoc": "Mô hình đang thực hiện của năm trước (dvk init --from): mẫu Phụ lục 01 năm nay điền sẵn các "
                      "mô hình này là “Duy trì”. Xóa dòng của mô hình không mời đơn vị duy trì.",
}
