from dvk_xl.spec.forms import MASTER_TABLES, PL01, REGISTER, excel_column


def test_pl01_columns_are_the_plan_form_in_order():
    assert PL01.headers == [
        "STT", "Tên mô hình", "Lĩnh vực", "Chủ thể (Tập thể / Cá nhân)", "Tập thể, cá nhân thực hiện",
        "Loại mô hình (Mới / Duy trì / Nhân rộng)", "Năm bắt đầu", "Lực lượng phối hợp",
        "Mục tiêu, tiêu chí, kết quả cần đạt", "Giải pháp, cách làm", "Từ ngày", "Đến ngày",
        "Ngày ra mắt (dự kiến)", "Người phụ trách", "Điện thoại", "Ghi chú", "Mã đăng ký lần đầu",
    ]


def test_register_derives_its_model_columns_from_pl01():
    model_headers = [h for h in PL01.headers if h != "STT"]
    assert [h for h in REGISTER.headers if h in model_headers] == model_headers


def test_table_names_are_fixed_and_unique():
    names = [form.table for form in MASTER_TABLES]
    assert names[:8] == ["CauHinh", "DonVi", "DanhMuc", "ChiTieu", "TienDo", "TieuChi", "DangKy", "TiepNhan"]
    assert {"TinhHinhNop", "KetQua"} <= set(names)
    assert len(set(names)) == len(names)
    for form in MASTER_TABLES:
        assert len(set(form.keys)) == len(form.keys)


def test_excel_column_letters():
    assert [excel_column(i) for i in (0, 25, 26, 27, 701)] == ["A", "Z", "AA", "AB", "ZZ"]
