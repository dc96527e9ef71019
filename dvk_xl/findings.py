"""Findings are data: every problem validation sees becomes one record, collected in a report."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Finding:
    """One problem in one place. ``code`` is stable kebab-case; ``message`` is Vietnamese."""

    code: str
    severity: Severity
    message: str
    file: str | None = None
    sheet: str | None = None
    cell: str | None = None

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def as_dict(self) -> dict:
        data = asdict(self)
        data.pop("file")
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
