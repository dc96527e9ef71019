"""The catalogue of finding codes: every code the tool can report, declared once with its severity.

A ``Finding`` takes its severity from here (dvk_xl/core/findings.py), so one code always means one
severity; a code missing from the catalogue is a bug of the tool, caught by ``check_code`` the
moment such a finding is made (tests/test_codes.py also looks for stray codes statically).
``dvk codes`` prints this catalogue and the README's table “Finding codes” mirrors it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum

from .errors import DvkError


class Severity(StrEnum):
    """An error rejects the file (or flags the master row); a warning is shown but does not block."""

    ERROR = "error"
    WARNING = "warning"

    @property
    def label_vi(self) -> str:
        return "Lỗi" if self is Severity.ERROR else "Cảnh báo"


ERROR, WARNING = Severity.ERROR, Severity.WARNING


class UnknownFindingCode(DvkError, KeyError):
    """A finding was made with a code the catalogue does not declare (a bug of the tool)."""


class SeverityMismatch(DvkError, ValueError):
    """A finding was made with a severity other than its code's (a bug of the tool)."""


@dataclass(frozen=True)
class CodeInfo:
    """One finding code: its severity, what it means for staff (Vietnamese), and a line for developers."""

    code: str
    severity: Severity
    message_vi: str
    description_en: str

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "severity": str(self.severity), "message_vi": self.message_vi,
                "description_en": self.description_en}


_ENTRIES = (
    # Reading a returned file (dvk_xl/intake/reading.py)
    CodeInfo("file-unreadable", ERROR, "Không mở được tệp: tệp hỏng hoặc không phải bảng tính Excel",
             "The file cannot be opened or is not a spreadsheet (corrupt, renamed, forbidden XML)."),
    CodeInfo("file-encrypted", ERROR, "Tệp được đặt mật khẩu nên không đọc được",
             "The workbook is password-protected."),
    CodeInfo("file-too-large", ERROR, "Tệp (hoặc nội dung giải nén) vượt giới hạn dung lượng",
             "The file, or its unpacked content, is larger than the limit."),
    CodeInfo("template-unknown", ERROR, "Không nhận ra mẫu biểu (không phải mẫu được gửi)",
             "Not a form this tool issued: no header row of the form, or not a Phụ lục 02/03 report for rollup."),
    CodeInfo("template-metadata-missing", WARNING,
             "Tệp mất thông tin ẩn của mẫu; đơn vị được nhận theo tiêu đề hoặc tên tệp",
             "The form's hidden metadata is missing (copied into another file); the unit is taken from the header."),
    CodeInfo("template-outdated", WARNING, "Mẫu phiên bản cũ; lần sau dùng mẫu mới",
             "The form was written by an older version of the template."),
    CodeInfo("unit-unknown", ERROR, "Không xác định được đơn vị gửi tệp, hoặc mã đơn vị không có trong sổ",
             "The sending unit cannot be recognised or is not in the master's unit list."),
    CodeInfo("unit-mismatch", WARNING, "Mã đơn vị ở tiêu đề hoặc tên tệp khác mã của mẫu",
             "The unit code in the header or the file name differs from the template's."),
    CodeInfo("committee-mismatch", ERROR, "Mẫu hoặc báo cáo của cấp ủy khác",
             "The form belongs to another committee's campaign, or a report's committee code and name disagree."),
    CodeInfo("year-mismatch", ERROR, "Mẫu của năm thi đua khác",
             "The form belongs to another campaign year."),
    CodeInfo("column-missing", ERROR, "Thiếu cột của mẫu ở dòng tiêu đề",
             "A column of the form is missing from the header row."),
    CodeInfo("value-too-long", ERROR, "Nội dung ô quá dài",
             "A cell holds more characters than a register cell may."),
    CodeInfo("formula-in-cell", WARNING, "Ô chứa công thức; công cụ chỉ lấy giá trị đã tính",
             "A cell holds a formula; its cached value is used."),
    CodeInfo("cell-not-read", WARNING, "Có nội dung nằm ngoài bảng của mẫu nên không được đọc",
             "Filled cells outside the form's table (or on another sheet) that the tool does not read."),
    CodeInfo("form-empty", ERROR, "Mẫu chưa có dòng nào được điền",
             "A unit's form has no filled row."),
    CodeInfo("late-submission", WARNING, "Tệp nhận sau hạn nộp",
             "The file was received after the deadline."),
    CodeInfo("internal-error", ERROR, "Công cụ gặp lỗi không mong đợi với tệp này (không phải lỗi của đơn vị)",
             "An unexpected exception of the tool on this file; the batch goes on."),
    # Values of the rows (dvk_xl/intake/validation.py, dvk_xl/core/numbers_vi.py)
    CodeInfo("value-required", ERROR, "Chưa nhập giá trị ở cột bắt buộc",
             "A required cell is empty (a row without a model ID in results and reports)."),
    CodeInfo("value-not-in-list", ERROR, "Giá trị không có trong danh mục",
             "A value is not in the dropdown list."),
    CodeInfo("value-invalid", ERROR, "Giá trị không hợp lệ (ví dụ số có phần lẻ, số âm, chữ thay cho số)",
             "A value cannot be read as the column's type (not a number, not whole, negative)."),
    CodeInfo("number-ambiguous", ERROR, "Số viết có thể hiểu hai cách; nhập lại cho rõ",
             "A number whose separators allow two readings (1.234 vs 1,234)."),
    CodeInfo("date-invalid", ERROR, "Ngày không đọc được hoặc không tồn tại",
             "A date that cannot be read or does not exist."),
    CodeInfo("date-out-of-range", ERROR, "Ngày nằm ngoài khoảng hợp lý của đợt thi đua",
             "A date outside the plausible window of the campaign."),
    CodeInfo("date-order", ERROR, "“Đến ngày” trước “Từ ngày”",
             "The end date is before the start date."),
    CodeInfo("year-out-of-range", ERROR, "Năm bắt đầu không hợp lý (trước năm đầu tiên hoặc sau năm thi đua)",
             "A start year outside the range from the first campaign year to this campaign's year."),
    CodeInfo("kind-year-mismatch", ERROR, "Năm bắt đầu không khớp loại mô hình (mới / duy trì / nhân rộng)",
             "The start year contradicts the model kind (a new model starts this year, others before)."),
    CodeInfo("launch-date-missing", ERROR, "Mô hình mới chưa có ngày ra mắt (dự kiến)",
             "A new model in a registration form has no (planned) launch date."),
    CodeInfo("duplicate-model", ERROR, "Mô hình lặp lại trong cùng một tệp",
             "The same model twice in one file."),
    CodeInfo("similar-model", WARNING, "Tên mô hình gần trùng với mô hình của đơn vị khác",
             "A model name very similar to another unit's model."),
    # Across years, when the master has last year's models (dvk_xl/intake/crossyear.py)
    CodeInfo("continued-unknown", WARNING, "Mô hình “Duy trì” không khớp mô hình nào đơn vị thực hiện năm trước",
             "A continued model that matches none of its unit's models of last year (by first ID, else by name)."),
    CodeInfo("replicated-unknown", WARNING, "Mô hình “Nhân rộng” không khớp mô hình nào của đơn vị khác",
             "A replicated model whose name matches no other unit's model, this year or last."),
    CodeInfo("continued-start-year-changed", WARNING, "Mô hình duy trì có năm bắt đầu khác năm trước",
             "A continued model whose start year differs from last year's."),
    CodeInfo("new-ran-last-year", WARNING, "Mô hình ghi “Mới” nhưng đơn vị đã thực hiện năm trước",
             "A new model whose name matches one the unit ran last year (probably continued)."),
    # Results (dvk_xl/intake/results.py)
    CodeInfo("period-unknown", ERROR, "Không xác định được kỳ báo cáo (6 tháng hay năm)",
             "The reporting period of a results form or report is missing."),
    CodeInfo("model-unknown", ERROR, "Mã mô hình chưa đăng ký",
             "Results for a model that is not registered."),
    CodeInfo("launched-without-date", WARNING, "Đã ghi “Có” ra mắt nhưng chưa nhập ngày ra mắt",
             "A results row says the model was launched but gives no launch date."),
    CodeInfo("result-missing", WARNING, "Chưa có kết quả của mô hình đã đăng ký",
             "A registered model has no result in the unit's results form."),
    # Merging into the register (dvk_xl/intake/consolidation.py, dvk_xl/intake/rollup.py)
    CodeInfo("manual-edit-kept", WARNING, "Dòng cán bộ sửa tay trong sổ được giữ nguyên",
             "A register row edited by hand is kept instead of the file's version."),
    CodeInfo("model-withdrawn", WARNING, "Mô hình không còn trong tệp mới nên được đánh dấu “Đã rút”",
             "A model missing from the sender's new file is kept and marked withdrawn."),
    # Reports from the committees below (dvk_xl/intake/rollup.py)
    CodeInfo("report-modified", ERROR, "Báo cáo đã bị sửa sau khi lập",
             "The report's hidden data and its declared model count disagree."),
    CodeInfo("model-id-conflict", ERROR, "Mã mô hình trùng với mô hình của cấp ủy khác trong sổ",
             "A model (or its namespaced ID) is already held by another committee."),
    CodeInfo("report-empty", WARNING, "Báo cáo của cấp dưới không có mô hình nào",
             "A report from a committee below lists no model."),
    # The master itself (dvk_xl/master/reconcile.py, dvk_xl/compliance/deadlines.py, dvk_xl/compliance/criteria.py)
    CodeInfo("unit-orphaned", WARNING, "Mô hình trong sổ có mã đơn vị không còn trong sheet “Đơn vị”",
             "A register row whose unit is not in DonVi; it is not counted."),
    CodeInfo("register-value-not-in-list", WARNING, "Giá trị trong sổ không có trong danh mục",
             "A register value (field, kind, subject) not in the lists."),
    CodeInfo("register-value-invalid", WARNING, "Năm bắt đầu trong sổ không hợp lệ",
             "A register start year that is not a four-digit year up to the campaign year."),
    CodeInfo("register-other-year", WARNING, "Mô hình trong sổ thuộc năm thi đua khác",
             "A register model ID of another campaign year."),
    CodeInfo("register-row-without-id", WARNING, "Mô hình trong sổ chưa có mã hoặc mã bị trùng",
             "A register row without a (unique) model ID, so it has no evaluation row."),
    CodeInfo("deadline-other-year", WARNING, "Hạn trong sheet tiến độ thuộc năm khác",
             "A TienDo deadline outside the campaign year."),
    CodeInfo("deadline-date-invalid", ERROR, "Ngày trong sheet tiến độ không đọc được hoặc không tồn tại",
             "A TienDo date that cannot be read."),
    CodeInfo("evaluation-value-unknown", WARNING, "Giá trị thẩm định không có trong danh mục",
             "An evaluation value outside its dropdown list."),
    CodeInfo("recognised-criteria-not-met", WARNING, "Mô hình được công nhận nhưng có tiêu chí chưa đạt",
             "A recognised model with a criterion marked as not met."),
    CodeInfo("typical-withdrawn", WARNING, "Mô hình đã rút nhưng vẫn được chọn tiêu biểu",
             "A withdrawn model is marked typical."),
    CodeInfo("typical-criteria-not-met", ERROR, "Mô hình tiêu biểu chưa đạt đủ 8 tiêu chí",
             "A typical model does not meet all eight criteria."),
    CodeInfo("typical-not-recognised", ERROR, "Mô hình tiêu biểu chưa được công nhận",
             "A typical model whose evaluation result is not “recognised”."),
    CodeInfo("typical-unit-rating-missing", ERROR, "Mô hình tập thể tiêu biểu chưa có xếp loại đơn vị",
             "A typical collective model whose unit has no yearly rating."),
    CodeInfo("typical-unit-rating", ERROR, "Mô hình tập thể tiêu biểu nhưng đơn vị xếp loại chưa đủ",
             "A typical collective model whose unit is rated below “good”."),
    CodeInfo("typical-individual-criteria", ERROR, "Cá nhân tiêu biểu chưa xác nhận đạt tiêu chuẩn riêng",
             "A typical individual model without the personal standards confirmed."),
    CodeInfo("typical-more-than-one", ERROR, "Đơn vị có hơn một mô hình tiêu biểu",
             "More than one typical model for one unit."),
)

CATALOGUE: dict[str, CodeInfo] = {entry.code: entry for entry in _ENTRIES}
assert len(CATALOGUE) == len(_ENTRIES), "a finding code is declared twice"


def check_code(code: str) -> CodeInfo:
    """The catalogue entry of ``code``; ``UnknownFindingCode`` if the tool made up a code."""
    try:
        return CATALOGUE[code]
    except (KeyError, TypeError):
        raise UnknownFindingCode(f"mã phát hiện “{code}” không có trong danh mục mã (lỗi của công cụ, không phải "
                                 "của đơn vị); báo cho bộ phận kỹ thuật") from None


def severity_of(code: str) -> Severity:
    return check_code(code).severity


def catalogue_json() -> str:
    """The catalogue as one JSON document: a list of {code, severity, message_vi, description_en}."""
    return json.dumps([entry.as_dict() for entry in _ENTRIES], ensure_ascii=False, indent=2)


def catalogue_lines() -> list[str]:
    """The catalogue as an aligned text table for staff: code, mức độ, ý nghĩa."""
    width = max(len(entry.code) for entry in _ENTRIES)
    level = max(len(s.label_vi) for s in Severity)
    lines = [f"{'Mã':<{width}}  {'Mức độ':<{level}}  Ý nghĩa"]
    lines += [f"{entry.code:<{width}}  {entry.severity.label_vi:<{level}}  {entry.message_vi}" for entry in _ENTRIES]
    lines.append(f"{len(_ENTRIES)} mã: {sum(e.severity is ERROR for e in _ENTRIES)} mã lỗi, "
                 f"{sum(e.severity is WARNING for e in _ENTRIES)} mã cảnh báo (cảnh báo không chặn tệp).")
    return lines


__all__ = ["Severity", "CodeInfo", "CATALOGUE", "UnknownFindingCode", "SeverityMismatch", "check_code",
           "severity_of", "catalogue_json", "catalogue_lines"]
