"""Findings are data: every problem validation sees becomes one record, collected in a report."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from .codes import Severity, SeverityMismatch, check_code


@dataclass(frozen=True)
class Finding:
    """One problem in one place. ``code`` is stable kebab-case; ``message`` is Vietnamese.

    The severity comes from the code's entry in the catalogue (dvk_xl/core/codes.py): pass ``None``
    (or use ``Finding.of``); a severity still passed must agree with the catalogue.
    """

    code: str
    severity: Severity | str | None
    message: str
    file: str | None = None
    sheet: str | None = None
    cell: str | None = None

    def __post_init__(self) -> None:
        entry = check_code(self.code)
        if self.severity is not None and self.severity != entry.severity:
            raise SeverityMismatch(f"mã phát hiện “{self.code}” có mức độ “{entry.severity}” trong danh mục mã, "
                                   f"không phải “{self.severity}” (lỗi của công cụ); báo cho bộ phận kỹ thuật")
        object.__setattr__(self, "severity", entry.severity)

    @classmethod
    def of(cls, code: str, message: str, file: str | None = None, sheet: str | None = None,
           cell: str | None = None) -> Finding:
        """A finding whose severity is its code's, from the catalogue."""
        return cls(code, None, message, file, sheet, cell)

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def as_dict(self) -> dict:
        data = asdict(self)
        data.pop("file")
        data["severity"] = str(self.severity)  # a plain string in JSON and in sheets
        return data

    def one_line(self) -> str:
        """The finding as one line: file, sheet, message (which names the cell)."""
        where = " — ".join(part for part in (self.file, f"sheet “{self.sheet}”" if self.sheet else None) if part)
        label = "LỖI" if self.is_error else "Cảnh báo"
        return f"{label}: {where}: {self.message}" if where else f"{label}: {self.message}"


@dataclass
class FindingList:
    """Findings of one file (or one action), in the order they were found."""

    items: list[Finding] = field(default_factory=list)

    def add(self, finding: Finding) -> None:
        self.items.append(finding)

    def extend(self, findings) -> None:
        self.items.extend(findings)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.items if f.is_error]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.items if not f.is_error]

    def __iter__(self):
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)
