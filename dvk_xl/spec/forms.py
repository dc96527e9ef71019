"""The one source of truth for every form and master table.

Each form declares its columns once (key, exact Vietnamese header, type, required, list, width,
number format). The master writer, the unit templates, the reader, the pandera schemas and the
report writers all derive from these declarations: changing a form is one edit here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from ..core.kinds import IntakeStatus, ModelKind, Period, RegisterStatus

ColumnType = Literal["text", "int", "number", "date"]

DATE_FORMAT = "dd/mm/yyyy"

# Values the code reasons about. The lists in the master's DanhMuc may add others (fields vary
# between localities), but these meanings are fixed by the plans.
# Model kinds, periods, register and intake statuses live in kinds.py; the names below are aliases
# kept so that branches written before kinds.py still merge. New code uses the enums.
KIND_NEW, KIND_CONTINUED, KIND_REPLICATED = ModelKind.NEW, ModelKind.CONTINUED, ModelKind.REPLICATED
SUBJECT_COLLECTIVE, SUBJECT_INDIVIDUAL = "Tập thể", "Cá nhân"
RESULT_ONGOING, RESULT_DONE, RESULT_PAUSED, RESULT_DROPPED = "Đang thực hiện", "Hoàn thành", "Tạm dừng", "Không triển khai"
YES, NO = "Có", "Không"
ASSESS_MET, ASSESS_NOT_MET = "Đạt", "Chưa đạt"
PROPOSE_RECOGNITION, PROPOSE_TYPICAL, PROPOSE_NONE = "Đề nghị công nhận", "Đề nghị công nhận tiêu biểu", "Không đề nghị"
# Quotas (ChiTieu): where a rule applies and what it counts. The code reasons about these words.
SCOPE_ALL, SCOPE_EACH_UNIT, SCOPE_UNIT_TYPE, SCOPE_UNIT = "Toàn cấp ủy", "Từng đơn vị", "Loại đơn vị", "Đơn vị"
MEASURE_MODELS, MEASURE_NEW, MEASURE_CONTINUED, MEASURE_REPLICATED = (
    "Số mô hình", "Số mô hình mới", "Số mô hình duy trì", "Số mô hình nhân rộng")
MEASURE_COLLECTIVE, MEASURE_INDIVIDUAL, MEASURE_FIELD = "Số mô hình tập thể", "Số mô hình cá nhân", "Số mô hình theo lĩnh vực"
MEASURE_RECOGNISED, MEASURE_TYPICAL = "Số mô hình được công nhận", "Số mô hình tiêu biểu"
MEASURE_UNIT_SHARE = "Tỷ lệ đơn vị có ít nhất N mô hình"
# Evaluation (ThamDinh): the team's verdict per criterion, per model, and the unit's yearly rating.
CRITERION_MET, CRITERION_NOT_MET = "Đạt", "Không đạt"
EVAL_RECOGNISED, EVAL_NOT_RECOGNISED = "Công nhận", "Không công nhận"
UNIT_RATINGS = ["Hoàn thành xuất sắc nhiệm vụ", "Hoàn thành tốt nhiệm vụ", "Hoàn thành nhiệm vụ",
                "Không hoàn thành nhiệm vụ"]
UNIT_RATINGS_GOOD = UNIT_RATINGS[:2]  # "hoàn thành tốt nhiệm vụ trở lên" (seed 003, III.2)
PERIODS: dict[str, str] = Period.labels()  # alias, see kinds.Period

def submission_label(form_id: str | None, period: str | None = None) -> str:
    """What a unit sends, as the intake log names it: "PL01", or "PL03 (6 tháng)" for a results period."""
    if not form_id:
        return ""
    known = Period.parse(period)
    return f"{form_id} ({known.label})" if known else form_id


DEFAULT_LISTS: dict[str, list[str]] = {
    "fields": [
        "Kinh tế",
        "Văn hóa - xã hội",
        "Quốc phòng - an ninh, dân tộc - tôn giáo",
        "Xây dựng hệ thống chính trị",
    ],
    "kinds": [k.value for k in ModelKind],
    "subjects": [SUBJECT_COLLECTIVE, SUBJECT_INDIVIDUAL],
    "unit_types": [
        "Chi bộ",
        "Đảng bộ trực thuộc",
        "Mặt trận Tổ quốc",
        "Tổ chức chính trị - xã hội",
        "Cơ quan, đơn vị",
        "Trường học",
        "Doanh nghiệp",
    ],
    # Phụ lục 03 (results): how far a model has got, yes/no, a unit's self-assessment, its proposal.
    "result_statuses": [RESULT_ONGOING, RESULT_DONE, RESULT_PAUSED, RESULT_DROPPED],
    "yes_no": [YES, NO],
    "assessments": [ASSESS_MET, ASSESS_NOT_MET],
    "proposals": [PROPOSE_RECOGNITION, PROPOSE_TYPICAL, PROPOSE_NONE],
    # Quotas and evaluation (compliance).
    "quota_scopes": [SCOPE_ALL, SCOPE_EACH_UNIT, SCOPE_UNIT_TYPE, SCOPE_UNIT],
    "quota_measures": [MEASURE_MODELS, MEASURE_NEW, MEASURE_CONTINUED, MEASURE_REPLICATED, MEASURE_COLLECTIVE,
                       MEASURE_INDIVIDUAL, MEASURE_FIELD, MEASURE_RECOGNISED, MEASURE_TYPICAL, MEASURE_UNIT_SHARE],
    "criteria_results": [CRITERION_MET, CRITERION_NOT_MET],
    "evaluation_results": [EVAL_RECOGNISED, EVAL_NOT_RECOGNISED],
    "unit_ratings": UNIT_RATINGS,
}

# Headers of the DanhMuc table: one column per list.
LIST_HEADERS: dict[str, str] = {
    "fields": "Lĩnh vực",
    "kinds": "Loại mô hình",
    "subjects": "Chủ thể",
    "unit_types": "Loại đơn vị",
    "result_statuses": "Tình trạng thực hiện",
    "yes_no": "Có / Không",
    "assessments": "Tự đánh giá tiêu chí",
    "proposals": "Đề nghị của đơn vị",
    "quota_scopes": "Phạm vi chỉ tiêu",
    "quota_measures": "Chỉ số chỉ tiêu",
    "criteria_results": "Đánh giá tiêu chí",
    "evaluation_results": "Kết quả thẩm định",
    "unit_ratings": "Xếp loại đơn vị",
}


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    type: ColumnType = "text"
    required: bool = False
    choices: str | None = None  # name of a list in DanhMuc (a key of LIST_HEADERS)
    width: float = 15
    number_format: str | None = None
    hint: str = ""  # shown to the unit when it selects the cell

    @property
    def excel_format(self) -> str | None:
        if self.number_format:
            return self.number_format
        return DATE_FORMAT if self.type == "date" else None


@dataclass(frozen=True)
class Form:
    """A form or master table: where it lives and its columns in order."""

    id: str
    sheet: str
    table: str  # the fixed Excel Table name (ASCII, no spaces)
    columns: tuple[Column, ...]
    title: str = ""
    version: int = 1
    # Keys that name one row of a table the tool rewrites (e.g. the model ID): columns staff add to the
    # table travel with that row (workbook.keep_staff_columns). Empty: the table has no such identity.
    identity: tuple[str, ...] = ()
    _index: dict[str, int] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._index.update({c.key: i for i, c in enumerate(self.columns)})

    @property
    def keys(self) -> list[str]:
        return [c.key for c in self.columns]

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]

    def column(self, key: str) -> Column:
        return self.columns[self._index[key]]

    def position(self, key: str) -> int:
        """0-based position of a column."""
        return self._index[key]

    def header_of(self, key: str) -> str:
        return self.column(key).header

    def by_header(self) -> dict[str, str]:
        return {c.header: c.key for c in self.columns}


def excel_column(index: int) -> str:
    """0-based column index -> Excel letters (0 -> A, 26 -> AA)."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def column_number(letters: str) -> int:
    """Excel letters -> 1-based column number (A -> 1, AA -> 27); the inverse of ``excel_column`` + 1.

    The one place letters are read: openpyxl.utils costs ~0.2 s to import, this costs nothing.
    """
    number = 0
    for ch in letters.upper():
        number = number * 26 + ord(ch) - 64
    return number


# --- Unit-facing forms ----------------------------------------------------------------------

PL01 = Form(
    id="PL01",
    version=1,
    sheet="Phụ lục 01",
    table="PL01",
    title="ĐĂNG KÝ MÔ HÌNH “DÂN VẬN KHÉO” NĂM {year}",
    columns=(
        Column("stt", "STT", "int", width=5),
        Column("name", "Tên mô hình", required=True, width=32, hint="Tên gọi rõ ràng của mô hình"),
        Column("field", "Lĩnh vực", required=True, choices="fields", width=22),
        Column("subject", "Chủ thể (Tập thể / Cá nhân)", required=True, choices="subjects", width=13),
        Column("carried_by", "Tập thể, cá nhân thực hiện", required=True, width=22),
        Column("kind", "Loại mô hình (Mới / Duy trì / Nhân rộng)", required=True, choices="kinds", width=14),
        Column("start_year", "Năm bắt đầu", "int", required=True, width=9, number_format="0",
               hint="Mô hình mới: năm của đợt thi đua; duy trì hoặc nhân rộng: năm trước đó"),
        Column("partners", "Lực lượng phối hợp", width=20),
        Column("goals", "Mục tiêu, tiêu chí, kết quả cần đạt", required=True, width=34),
        Column("method", "Giải pháp, cách làm", width=30),
        Column("date_from", "Từ ngày", "date", required=True, width=12, hint="Nhập ngày/tháng/năm, ví dụ 01/03/2026"),
        Column("date_to", "Đến ngày", "date", required=True, width=12, hint="Không trước “Từ ngày”"),
        Column("launch_date", "Ngày ra mắt (dự kiến)", "date", width=12, hint="Bắt buộc với mô hình mới"),
        Column("person_in_charge", "Người phụ trách", required=True, width=18),
        Column("phone", "Điện thoại", width=13, number_format="@"),
        Column("note", "Ghi chú", width=16),
        # A model continued from an earlier year (a form pre-filled from MoHinhNamTruoc): the ID of its first
        # registration, unchanged year to year. Optional and last, so a form or master made before it existed
        # still reads as it is; for the same reason the form's version stays 1 (an older form lacks nothing).
        Column("first_id", "Mã đăng ký lần đầu", width=22,
               hint="Công cụ điền cho mô hình duy trì từ năm trước; mô hình mới để trống"),
    ),
)

UNIT_FORMS: dict[str, Form] = {PL01.id: PL01}

# --- Master workbook tables -----------------------------------------------------------------

SETTINGS = Form(
    id="CauHinh",
    sheet="Cấu hình",
    table="CauHinh",
    title="CẤU HÌNH ĐỢT THI ĐUA",
    columns=(
        Column("label", "Thiết lập", required=True, width=38),
        Column("value", "Giá trị", width=60),
    ),
)


@dataclass(frozen=True)
class Setting:
    key: str
    label: str
    type: ColumnType = "text"
    required: bool = False


# The rows of CauHinh. Staff see and edit the labels; code reads them by key.
SETTING_ROWS: tuple[Setting, ...] = (
    Setting("year", "Năm thi đua", "int", required=True),
    Setting("committee", "Tên cấp ủy", required=True),
    Setting("party_org", "Đảng bộ (dòng đầu tiêu đề mẫu của đơn vị)"),
    Setting("parent_body", "Đảng bộ cấp trên (dòng đầu tiêu đề văn bản của cấp ủy)"),
    Setting("higher_committee", "Cấp trên nhận báo cáo"),
    Setting("higher_email", "Email cấp trên"),
    Setting("committee_code", "Mã cấp ủy (theo danh sách đơn vị của cấp trên)"),
    Setting("plan_number", "Số kế hoạch"),
    Setting("plan_date", "Ngày kế hoạch", "date"),
    Setting("place", "Địa danh"),
    Setting("signer_on_behalf", "Thay mặt (dòng đầu khối chữ ký)"),
    Setting("signer_title", "Chức vụ người ký"),
    Setting("signer_name", "Người ký"),
    Setting("recipients", "Nơi nhận (mỗi nơi cách nhau bởi dấu ;)"),
    Setting("contact", "Cán bộ đầu mối (họ tên, điện thoại)"),
    # How the ribbon sends drafts (reports.delivery.MAIL_MODES); empty: Outlook when installed, else webmail.
    Setting("mail_via", "Cách gửi thư (Outlook, webmail hoặc eml; để trống: tự chọn)"),
)

UNITS = Form(
    id="DonVi",
    sheet="Đơn vị",
    table="DonVi",
    title="DANH SÁCH ĐƠN VỊ ĐĂNG KÝ, BÁO CÁO",
    columns=(
        Column("unit_code", "Mã đơn vị", required=True, width=12),
        Column("unit_name", "Tên đơn vị", required=True, width=40),
        Column("unit_type", "Loại đơn vị", choices="unit_types", width=24),
        Column("email", "Email", width=30),
        Column("min_models", "Số mô hình tối thiểu", "int", width=12, number_format="0"),
        # A unit re-coded by staff: its former code(s), so models registered under them follow it.
        Column("old_code", "Mã cũ", width=12),
    ),
)

LISTS = Form(
    id="DanhMuc",
    sheet="Danh mục",
    table="DanhMuc",
    title="DANH MỤC DÙNG CHO CÁC Ô CHỌN",
    columns=tuple(Column(key, header, width=36) for key, header in LIST_HEADERS.items()),
)

QUOTAS = Form(
    id="ChiTieu",
    sheet="Chỉ tiêu",
    table="ChiTieu",
    title="CHỈ TIÊU CỦA KẾ HOẠCH",
    columns=(
        Column("rule_id", "Mã", required=True, width=8),
        Column("description", "Nội dung chỉ tiêu", required=True, width=50),
        Column("scope", "Phạm vi", required=True, choices="quota_scopes", width=20),
        Column("target", "Áp dụng cho (loại đơn vị / đơn vị)", width=28),
        Column("measure", "Chỉ số", required=True, choices="quota_measures", width=30),
        Column("parameter", "Tham số", width=16),
        Column("minimum", "Tối thiểu", "number", required=True, width=10, number_format="General"),
        Column("source", "Căn cứ", width=30),
    ),
)

DEADLINES = Form(
    id="TienDo",
    sheet="Tiến độ",
    table="TienDo",
    title="TIẾN ĐỘ, THỜI HẠN",
    columns=(
        Column("step", "Mã", required=True, width=18),
        Column("description", "Công việc", required=True, width=50),
        Column("due", "Hạn", "date", width=12),
        Column("responsible", "Bên thực hiện", width=16),
        Column("form", "Biểu mẫu", width=10),
        Column("note", "Ghi chú", width=50),
        # Steps no file proves (sending the list up, choosing typical models): staff type the day done.
        Column("done_on", "Ngày hoàn thành", "date", width=12),
    ),
)

CRITERIA = Form(
    id="TieuChi",
    sheet="Tiêu chí",
    table="TieuChi",
    title="TIÊU CHÍ ĐÁNH GIÁ MÔ HÌNH “DÂN VẬN KHÉO”",
    columns=(
        Column("number", "Số", "int", required=True, width=6),
        Column("short", "Tiêu chí", required=True, width=30),
        Column("text", "Nội dung", required=True, width=90),
        Column("evidence", "Cách xác định", width=40),
    ),
)

REGISTER_STATUS_ACTIVE, REGISTER_STATUS_WITHDRAWN = RegisterStatus.ACTIVE, RegisterStatus.WITHDRAWN  # aliases

REGISTER = Form(
    id="DangKy",
    identity=("model_id",),
    sheet="Đăng ký",
    table="DangKy",
    title="SỔ ĐĂNG KÝ MÔ HÌNH “DÂN VẬN KHÉO”",
    columns=(
        Column("model_id", "Mã mô hình", required=True, width=22),
        Column("unit_code", "Mã đơn vị", required=True, width=10),
        Column("unit_name", "Tên đơn vị", width=26),
        *(c for c in PL01.columns if c.key not in ("stt", "first_id")),
        Column("status", "Tình trạng đăng ký", width=14),
        Column("source_file", "Tệp nguồn", width=26),
        Column("source_row", "Dòng trong tệp", "int", width=8),
        Column("received_at", "Ngày tiếp nhận", "date", width=12),
        Column("row_check", "Mã kiểm tra", width=12),
        # Filled by roll-up only (dvk_xl/intake/rollup.py): the model's ID as the sending committee has it, and
        # where the model was first registered ("<ID> (<committee>)"), unchanged from level to level.
        # Optional and last, so a master made before they existed still reads (they are added when written).
        Column("source_id", "Mã mô hình ở cấp dưới", width=22),
        Column("origin", "Mã mô hình gốc (cấp ủy đăng ký)", width=34),
        # Last for the same reason (and so a master made before it has its columns where they were): the model's
        # ID at its first registration, carried from a pre-filled Phụ lục 01 (a model continued across years).
        PL01.column("first_id"),
    ),
)

# Phụ lục 03: each unit reports, per registered model, how it went. The model's ID and name come
# pre-filled and locked from the register; everything else is the unit's.
PL03 = Form(
    id="PL03",
    version=1,
    sheet="Phụ lục 03",
    table="PL03",
    title="BÁO CÁO KẾT QUẢ THỰC HIỆN MÔ HÌNH “DÂN VẬN KHÉO” {period} NĂM {year}",
    columns=(
        PL01.column("stt"),
        REGISTER.column("model_id"),
        PL01.column("name"),
        Column("result_status", "Tình trạng thực hiện", required=True, choices="result_statuses", width=14),
        Column("launched", "Đã ra mắt (Có / Không)", choices="yes_no", width=10,
               hint="Mô hình mới phải tổ chức ra mắt"),
        Column("launched_on", "Ngày ra mắt", "date", width=12, hint="Ngày đã tổ chức ra mắt, ví dụ 20/03/2026"),
        Column("results", "Kết quả chủ yếu đạt được", required=True, width=40),
        Column("participants", "Số người tham gia", "int", width=10, number_format="#,##0"),
        Column("resources", "Nguồn lực huy động (đồng)", "number", width=15, number_format="#,##0"),
        *(Column(f"self_c{i}", f"Tự đánh giá tiêu chí {i}", choices="assessments", width=8) for i in range(1, 9)),
        Column("proposal", "Đề nghị của đơn vị", choices="proposals", width=16),
        PL01.column("note"),
    ),
)
UNIT_FORMS[PL03.id] = PL03

INTAKE_LOG = Form(
    id="TiepNhan",
    identity=("received_at", "file", "sha256"),
    sheet="Tiếp nhận",
    table="TiepNhan",
    title="SỔ TIẾP NHẬN TỆP CỦA ĐƠN VỊ",
    columns=(
        Column("received_at", "Thời điểm nhận", width=18, number_format="dd/mm/yyyy hh:mm"),
        Column("file", "Tệp", width=34),
        Column("unit_code", "Mã đơn vị", width=10),
        Column("unit_name", "Tên đơn vị", width=26),
        Column("form", "Biểu mẫu", width=8),
        Column("sha256", "SHA-256", width=20),
        Column("status", "Kết quả", width=14),
        Column("models", "Số mô hình", "int", width=8),
        Column("errors", "Số lỗi", "int", width=8),
        Column("warnings", "Số cảnh báo", "int", width=8),
        Column("on_time", "Đúng hạn", width=10),
        Column("archive", "Bản lưu", width=30),
    ),
)

# Results, period by period: one row per model and period, merged from the units' Phụ lục 03
# (or rolled up from a lower committee's report, which also brings that committee's evaluation).
RESULTS = Form(
    id="KetQua",
    identity=("model_id", "period"),
    sheet="Kết quả",
    table="KetQua",
    title="KẾT QUẢ THỰC HIỆN MÔ HÌNH THEO KỲ BÁO CÁO",
    columns=(
        Column("period", "Kỳ báo cáo", required=True, width=10),
        REGISTER.column("model_id"),
        REGISTER.column("unit_code"),
        REGISTER.column("unit_name"),
        *(c for c in PL03.columns if c.key not in ("stt", "model_id")),
        Column("lower_result", "Cấp dưới công nhận", choices="yes_no", width=10),
        Column("lower_typical", "Cấp dưới chọn tiêu biểu", choices="yes_no", width=10),
        Column("lower_commendation", "Cấp dưới khen thưởng", width=16),
        REGISTER.column("source_file"),
        REGISTER.column("source_row"),
        REGISTER.column("received_at"),
    ),
)

INTAKE_STATUS: dict[str, str] = IntakeStatus.labels()  # alias, see kinds.IntakeStatus

SUBMISSIONS = Form(
    id="TinhHinhNop",
    identity=("unit_code", "form"),
    sheet="Tình hình nộp",
    table="TinhHinhNop",
    title="TÌNH HÌNH NỘP MẪU CỦA ĐƠN VỊ (dự kiến và đã nhận)",
    columns=(
        Column("unit_code", "Mã đơn vị", width=10),
        Column("unit_name", "Tên đơn vị", width=34),
        Column("form", "Biểu mẫu", width=8),
        Column("state", "Tình trạng", width=16),
        Column("files", "Số tệp đã nhận", "int", width=10),
        Column("last_received", "Lần nhận gần nhất", width=18, number_format="dd/mm/yyyy hh:mm"),
        Column("models", "Số mô hình", "int", width=10),
        Column("on_time", "Đúng hạn", width=16),
    ),
)

# What a committee's reports carry for the higher committee (hidden sheet REPORT_DATA_SHEET, one
# row per model, read back by ``dvk rollup``): the register for Phụ lục 02, the period's results
# with the committee's own evaluation for Phụ lục 03. Models keep their IDs from below.
REPORT_DATA_SHEET = "_dvk_data"
REPORT_PL02 = Form(
    id="PL02",
    sheet=REPORT_DATA_SHEET,
    table="PL02",
    title="DANH SÁCH ĐĂNG KÝ MÔ HÌNH “DÂN VẬN KHÉO” NĂM {year}",
    columns=tuple(c for c in REGISTER.columns if c.key not in ("source_file", "source_row", "received_at", "row_check")),
)
REPORT_PL03 = Form(
    id="PL03TH",
    sheet=REPORT_DATA_SHEET,
    table="PL03TH",
    title="BÁO CÁO KẾT QUẢ THỰC HIỆN PHONG TRÀO THI ĐUA “DÂN VẬN KHÉO”",
    columns=tuple(c for c in RESULTS.columns if c.key not in ("source_file", "source_row", "received_at")),
)
REPORT_FORMS: dict[str, Form] = {REPORT_PL02.id: REPORT_PL02, REPORT_PL03.id: REPORT_PL03}

# The committee's evaluation of each registered model against the eight criteria (seed 003, III).
# One row per model ID, kept in step with DangKy by ``dvk compliance``; the team's cells are never
# overwritten. ``auto_marks`` records which criteria the tool filled, so it can tell them from typed ones.
EVALUATION = Form(
    id="ThamDinh",
    identity=("model_id",),
    sheet="Thẩm định",
    table="ThamDinh",
    title="THẨM ĐỊNH, ĐÁNH GIÁ MÔ HÌNH THEO TÁM TIÊU CHÍ",
    columns=(
        REGISTER.column("model_id"),
        REGISTER.column("unit_code"),
        REGISTER.column("unit_name"),
        PL01.column("name"),
        PL01.column("field"),
        PL01.column("subject"),
        PL01.column("kind"),
        REGISTER.column("status"),
        *(Column(f"c{i}", f"Tiêu chí {i}", choices="criteria_results", width=9) for i in range(1, 9)),
        Column("evidence", "Minh chứng, nhận xét của đoàn thẩm định", width=36),
        Column("result", "Kết quả thẩm định", choices="evaluation_results", width=14),
        Column("typical", "Tiêu biểu (Có / Không)", choices="yes_no", width=10),
        Column("unit_rating", "Xếp loại đơn vị trong năm", choices="unit_ratings", width=20),
        Column("personal", "Cá nhân đạt tiêu chuẩn riêng (Mục III.2)", choices="yes_no", width=12),
        Column("commendation", "Đề xuất khen thưởng", width=20),
        Column("note", "Ghi chú", width=24),
        Column("auto_note", "Công cụ ghi nhận (tự động)", width=44),
        Column("auto_marks", "Ô công cụ đã điền", width=12),
    ),
)

# Last year's models, carried into a master made with ``dvk init --from``: what each unit ran, so
# that this year's forms can be pre-filled and a "Duy trì" model checked against it. Optional: a
# master without it simply has no previous year. ``first_id`` is the model's ID at its first
# registration (unchanged from year to year); ``model_id`` is its ID in the previous year.
PREVIOUS_MODELS = Form(
    id="MoHinhNamTruoc",
    identity=("model_id",),
    sheet="Mô hình năm trước",
    table="MoHinhNamTruoc",
    title="MÔ HÌNH ĐÃ THỰC HIỆN NĂM TRƯỚC (mang sang từ sổ năm trước)",
    columns=(
        Column("year", "Năm", "int", required=True, width=7, number_format="0"),
        REGISTER.column("model_id"),
        Column("first_id", "Mã đăng ký lần đầu", required=True, width=22),
        REGISTER.column("unit_code"),
        REGISTER.column("unit_name"),
        PL01.column("name"),
        PL01.column("field"),
        PL01.column("subject"),
        PL01.column("carried_by"),
        PL01.column("kind"),
        PL01.column("start_year"),
        REGISTER.column("status"),
        Column("result", "Kết quả thẩm định", width=14),
        # What this year's form pre-fills besides the model's identity (optional: the unit keeps or edits them).
        # Dates are last year's moved one year (empty where that day does not exist in the new year).
        PL01.column("partners"),
        PL01.column("goals"),
        PL01.column("method"),
        Column("date_from", "Từ ngày (năm nay)", "date", width=12),
        Column("date_to", "Đến ngày (năm nay)", "date", width=12),
        PL01.column("person_in_charge"),
        PL01.column("phone"),
    ),
)

MASTER_TABLES: tuple[Form, ...] = (SETTINGS, UNITS, LISTS, QUOTAS, DEADLINES, CRITERIA, REGISTER, INTAKE_LOG,
                                   SUBMISSIONS, RESULTS, EVALUATION)
# Tables a master may have or not: absent means empty (a master not made with ``dvk init --from`` has no
# previous year). Read with ``master.book.table_records``; ``dvk doctor`` checks them only where present.
OPTIONAL_TABLES: tuple[Form, ...] = (PREVIOUS_MODELS,)
GUIDE_SHEET = "Hướng dẫn"
METADATA_SHEET = "_dvk"  # hidden sheet in every unit template
LISTS_SHEET_IN_TEMPLATE = "DanhMuc"  # hidden sheet with the dropdown lists in a unit template
FRAME_TEXTS_KEY = "frame_texts"  # metadata: the texts a template wrote around its input rows
