"""The two plans in ../shared/seeds as presets: settings, quotas, deadlines, criteria, sample units.

Dates are kept as the plans write them and checked like any typed date, so a date that does not
exist in a plan ("31/11/2026") is reported, never moved.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..core.errors import DvkError

# Part III.1 of the procuracy plan (seed 003); the ward plan refers to the same attached criteria.
CRITERIA: list[tuple[str, str, str]] = [
    ("Đăng ký, tên gọi, chủ thể, lĩnh vực",
     "Có đăng ký thực hiện mô hình với cơ quan, đơn vị phát động, triển khai phong trào thi đua “Dân vận khéo”. "
     "Có tên gọi, chủ thể rõ ràng, nội dung thuộc một trong các lĩnh vực: kinh tế; văn hóa - xã hội; "
     "quốc phòng - an ninh, dân tộc - tôn giáo; xây dựng hệ thống chính trị.",
     "Tự động từ sổ đăng ký"),
    ("Kế hoạch, ra mắt",
     "Có xây dựng kế hoạch cụ thể để thực hiện; có tổ chức ra mắt mô hình (đối với mô hình xây dựng mới trong năm).",
     "Ra mắt: từ báo cáo kết quả; kế hoạch: đoàn thẩm định"),
    ("Tuyên truyền",
     "Có hình thức tuyên truyền rộng rãi để nhiều người biết về mô hình và hưởng ứng thực hiện.",
     "Đoàn thẩm định"),
    ("Huy động lực lượng, nguồn lực",
     "Huy động được nhiều lực lượng cùng tham gia; huy động được các nguồn lực xã hội hóa để thực hiện mô hình.",
     "Đoàn thẩm định"),
    ("Phương pháp sáng tạo, tiết kiệm",
     "Có phương pháp thực hiện cụ thể, sáng tạo, tiết kiệm thời gian, công sức, chi phí nhưng vẫn đem lại hiệu quả thiết thực.",
     "Đoàn thẩm định"),
    ("Giải quyết vấn đề khó khăn, bức xúc",
     "Giải quyết được những khó khăn, cấp bách, nhiệm vụ chính trị mà cấp ủy, cơ quan, đơn vị đang tập trung thực hiện "
     "hoặc giải quyết được những vấn đề bức xúc trong cơ quan, đơn vị; những vấn đề mà cán bộ, đảng viên, đoàn viên, "
     "hội viên và người lao động đang quan tâm.",
     "Đoàn thẩm định"),
    ("Bền vững, lan tỏa",
     "Có tính bền vững, sức lan tỏa, có khả năng duy trì hoặc nhân rộng ở các cơ quan, đơn vị.",
     "Đoàn thẩm định"),
    ("Hồ sơ lưu trữ",
     "Có hồ sơ lưu trữ đầy đủ theo quy định.",
     "Tự động từ kho lưu trữ tệp"),
]


@dataclass(frozen=True)
class Quota:
    rule_id: str
    description: str
    scope: str
    measure: str
    minimum: float
    target: str = ""
    parameter: str = ""
    source: str = ""


@dataclass(frozen=True)
class Deadline:
    step: str
    description: str
    due: str  # as written in the plan, day first
    responsible: str
    form: str
    note: str = ""


@dataclass(frozen=True)
class Preset:
    key: str
    title: str
    settings: dict[str, object]
    quotas: list[Quota]
    deadlines: list[Deadline]
    units: list[dict[str, object]] = field(default_factory=list)


WARD = Preset(
    key="phuong",
    title="Đảng ủy phường (Kế hoạch thực hiện phong trào thi đua “Dân vận khéo” năm 2026)",
    settings={
        "committee": "Đảng ủy phường Hồng An",
        "party_org": "Đảng bộ phường Hồng An",
        "parent_body": "Đảng bộ thành phố Hải Phòng",
        "higher_committee": "Ban Tuyên giáo và Dân vận Thành ủy Hải Phòng",
        "higher_email": "bantuyengiaodanvan@haiphong.gov.vn",
        "plan_number": "…-KH/ĐU",
        "place": "Hải Phòng",
        "signer_on_behalf": "T/M BAN CHẤP HÀNH",
        "signer_title": "PHÓ BÍ THƯ",
        "signer_name": "Cao Thị Thanh Xuân",
        "recipients": "Ban Tuyên giáo và Dân vận Thành ủy (để b/c); Thường trực Đảng ủy; Lưu VPĐU",
    },
    quotas=[
        Quota("CT1", "Đảng ủy chỉ đạo xây dựng 05 mô hình “Dân vận khéo”", "Toàn cấp ủy", "Số mô hình", 5,
              source="Mục II.1 Kế hoạch"),
        Quota("CT2", "Trong đó có ít nhất 01 mô hình mới", "Toàn cấp ủy", "Số mô hình mới", 1,
              source="Mục II.1 Kế hoạch"),
        Quota("CT3", "Trong đó có ít nhất 01 mô hình nhân rộng", "Toàn cấp ủy", "Số mô hình nhân rộng", 1,
              source="Mục II.1 Kế hoạch"),
        Quota("CT4", "100% chi bộ, đảng bộ trực thuộc, MTTQ và các tổ chức chính trị - xã hội đăng ký ít nhất 01 mô hình",
              "Từng đơn vị", "Tỷ lệ đơn vị có ít nhất N mô hình", 1.0, parameter="1",
              source="Mục II.1 Kế hoạch"),
    ],
    deadlines=[
        Deadline("dang-ky", "Đơn vị gửi đăng ký mô hình (Phụ lục 01) về Ban Xây dựng Đảng", "03/03/2026", "Đơn vị", "PL01",
                 "Kế hoạch ghi “trước ngày 03/3/2026”"),
        Deadline("gui-cap-tren", "Gửi danh sách đăng ký (Phụ lục 02) lên Ban Tuyên giáo và Dân vận Thành ủy",
                 "10/03/2026", "Cấp ủy", "PL02"),
        Deadline("bao-cao-6-thang", "Báo cáo kết quả 6 tháng đầu năm (Phụ lục 03)", "20/06/2026", "Đơn vị", "PL03"),
        Deadline("bao-cao-nam", "Báo cáo kết quả năm (Phụ lục 03)", "25/11/2026", "Đơn vị", "PL03"),
    ],
)

PROCURACY = Preset(
    key="vksnd",
    title="Đảng ủy cơ quan VKSND thành phố (Kế hoạch số 261-KH/ĐU ngày 27/01/2026)",
    settings={
        "committee": "Đảng ủy cơ quan Viện kiểm sát nhân dân thành phố Hải Phòng",
        "party_org": "Đảng bộ Viện kiểm sát nhân dân thành phố Hải Phòng",
        "parent_body": "Đảng bộ Các cơ quan đảng thành phố Hải Phòng",
        "higher_committee": "Đảng ủy Các cơ quan đảng thành phố",
        "higher_email": "danguycaccoquandang@haiphong.gov.vn",
        "plan_number": "261-KH/ĐU",
        "plan_date": "27/01/2026",
        "place": "Hải Phòng",
        "signer_on_behalf": "T/M ĐẢNG ỦY",
        "signer_title": "BÍ THƯ",
        "signer_name": "Nguyễn Hoàng Dương",
        "recipients": "Đảng ủy các CQ đảng thành phố (để b/c); Các Ủy viên BCHĐB; Các Chi bộ; Lưu ĐU",
    },
    quotas=[
        Quota("CT1", "Đảng bộ xây dựng ít nhất 01 mô hình gắn với nhiệm vụ chuyên môn", "Toàn cấp ủy", "Số mô hình", 1,
              source="Mục II.1 Kế hoạch"),
        Quota("CT2", "Chi bộ Phòng 9 xây dựng 01 mô hình", "Đơn vị", "Số mô hình", 1, target="Chi bộ Phòng 9",
              source="Mục II.2 Kế hoạch"),
        Quota("CT3", "Chi bộ VKSND khu vực 10 xây dựng 01 mô hình", "Đơn vị", "Số mô hình", 1,
              target="Chi bộ VKSND khu vực 10", source="Mục II.2 Kế hoạch"),
    ],
    deadlines=[
        Deadline("dang-ky", "Chi bộ gửi mô hình về Tổ giúp việc", "29/01/2026", "Đơn vị", "PL01"),
        Deadline("chon-tieu-bieu", "Lựa chọn, giới thiệu mô hình tiêu biểu lên Đảng ủy Các cơ quan đảng thành phố",
                 "10/10/2026", "Cấp ủy", ""),
        Deadline("bao-cao-6-thang", "Báo cáo kết quả 6 tháng đầu năm", "30/06/2026", "Cấp ủy", "PL03"),
        Deadline("bao-cao-nam", "Báo cáo kết quả năm", "31/11/2026", "Cấp ủy", "PL03"),
    ],
    units=[
        {"unit_code": "CB-P9", "unit_name": "Chi bộ Phòng 9", "unit_type": "Chi bộ", "min_models": 1},
        {"unit_code": "CB-KV10", "unit_name": "Chi bộ VKSND khu vực 10", "unit_type": "Chi bộ", "min_models": 1},
    ],
)

PRESETS: dict[str, Preset] = {p.key: p for p in (WARD, PROCURACY)}


def get_preset(key: str) -> Preset:
    try:
        return PRESETS[key]
    except KeyError:
        names = ", ".join(PRESETS)
        raise DvkError(f"Không có mẫu kế hoạch “{key}”; chọn một trong: {names}") from None
