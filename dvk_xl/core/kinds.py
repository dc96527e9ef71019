"""The closed sets of words the code reasons about, each value once, with its Vietnamese label.

Every enum is a ``StrEnum`` whose values are the strings already in use (CLI keys such as
``dang-ky``, the intake log's machine keys, the words written in the master's cells), so JSON
output, click choices, workbook metadata and comparisons with existing data stay byte-for-byte
the same. This module is a leaf (standard library only): the CLI imports it for ``--help``.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Self


class _Labelled(StrEnum):
    """A StrEnum whose members are declared as ``(value, Vietnamese label)``."""

    _label: str

    def __new__(cls, value: str, label: str) -> Self:
        member = str.__new__(cls, value)
        member._value_ = value
        member._label = label
        return member

    @property
    def label(self) -> str:
        """What staff see: the Vietnamese word for this value."""
        return self._label

    @classmethod
    def from_label(cls, label: object) -> Self | None:
        """The member whose label is ``label`` (exact, after trimming spaces); None if none is."""
        wanted = " ".join(str(label or "").split())
        return next((m for m in cls if m._label == wanted), None)

    @classmethod
    def parse(cls, value: object) -> Self | None:
        """The member whose value is ``value`` (a key typed on the command line, read from metadata); else None."""
        return cls._value2member_map_.get(value) if isinstance(value, str) else None  # type: ignore[return-value]

    @classmethod
    def labels(cls) -> dict[str, str]:
        """value -> label, in declaration order."""
        return {m.value: m._label for m in cls}


class Period(_Labelled):
    """Reporting period of Phụ lục 03; the label is what the "Kỳ báo cáo" column holds."""

    HALF_YEAR = "6-thang", "6 tháng"
    YEAR = "nam", "Năm"

    @property
    def phrase(self) -> str:
        """The period in a sentence: "Phụ lục 03 (6 tháng đầu năm)"."""
        return "6 tháng đầu năm" if self is Period.HALF_YEAR else "cả năm"


class ReportKind(_Labelled):
    """What ``dvk report`` writes for the higher committee."""

    REGISTRATION = "dang-ky", "Phụ lục 02"
    HALF_YEAR = "6-thang", "báo cáo 6 tháng"
    YEAR = "nam", "báo cáo năm"

    @property
    def form(self) -> str:
        """The form that goes up: PL02 (list of registrations) or PL03 (results)."""
        return "PL02" if self is ReportKind.REGISTRATION else "PL03"

    @property
    def period(self) -> Period | None:
        """The results period of a PL03 report; None for the registration list."""
        return None if self is ReportKind.REGISTRATION else Period(self.value)


class IntakeStatus(_Labelled):
    """What intake did with a returned file (``NhatKyNhan``'s "Kết quả", JSON ``status``)."""

    ACCEPTED = "accepted", "Chấp nhận"
    REJECTED = "rejected", "Từ chối"
    UNCHANGED = "unchanged", "Không đổi"
    SUPERSEDED = "superseded", "Bị thay thế"


# A unit delivered a form when a file of it was accepted, even if a later file replaced it.
DELIVERED_STATUSES: tuple[IntakeStatus, ...] = (IntakeStatus.ACCEPTED, IntakeStatus.SUPERSEDED)


class ModelKind(_Labelled):
    """Loại mô hình, fixed by the plans (the master's DanhMuc may list these words only)."""

    NEW = "Mới", "Mới"
    CONTINUED = "Duy trì", "Duy trì"
    REPLICATED = "Nhân rộng", "Nhân rộng"


class RegisterStatus(_Labelled):
    """"Tình trạng đăng ký" of a model in the master's register."""

    ACTIVE = "Đang thực hiện", "Đang thực hiện"
    WITHDRAWN = "Đã rút", "Đã rút"


ALL: tuple[type[_Labelled], ...] = (Period, ReportKind, IntakeStatus, ModelKind, RegisterStatus)
