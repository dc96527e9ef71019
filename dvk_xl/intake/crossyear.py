"""Checks across years at Phụ lục 01 intake: a “Duy trì” or “Nhân rộng” model against last year's.

Last year's models come from ``MoHinhNamTruoc`` (written by ``dvk init --from``). They are read
once per run (``load_previous``, called by ``load_state``) and indexed by folded name
(``text.similarity_key``, the folding of ``similar-model``) and by word, so that matching a row is a
dictionary look-up and the closest names come from the words they share, never from comparing every
pair. A master without the table, or with it empty, has no previous year: no check runs.

- ``continued-unknown``: a “Duy trì” model that matches nothing its unit ran last year (by “Mã đăng ký
  lần đầu” when the row has one, else by name);
- ``replicated-unknown``: a “Nhân rộng” model whose name matches no model of another unit, this year
  or last;
- ``continued-start-year-changed``: a matched continued model whose start year is not last year's.

Names match when their folded keys are equal, or when one key's words (at least ``CONTAINED_WORDS``)
all appear in the other's (“Khu dân cư sáng - xanh - sạch - đẹp - an toàn” continues “Khu dân cư
sáng - xanh - sạch - đẹp”).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from ..core import text
from ..core.kinds import ModelKind, RegisterStatus
from ..master.book import code_key, whole_year
from ..master.previous import has_previous_year, read_previous_models
from .reading import ReturnedFile

if TYPE_CHECKING:
    import pandas as pd

    from ..workbook.api import Workbook
    from .validation import Campaign

CONTAINED_WORDS = 3  # a name of fewer significant words must match in full (“An ninh” is in too many names)
SHOWN = 3  # closest names listed in a message

# Unit codes repeat on every row: their key (accents stripped, spaces removed) is worked out once each.
unit_key = lru_cache(maxsize=1 << 12)(code_key)


def id_key(value: object) -> str:
    """A model ID compared without case or spaces (“dvk-2024-cb01-1 ” is DVK-2024-CB01-1)."""
    return "".join(text.clean(value).split()).lower()  # IDs are ASCII: no folding needed


@dataclass(frozen=True, slots=True)
class PreviousModel:
    """One model of last year, its unit followed to its code in this year's DonVi."""

    unit: str
    model_id: str
    first_id: str
    name: str
    start_year: int | None
    withdrawn: bool

    @property
    def identity(self) -> str:
        """The model's lasting ID: its first registration's, else last year's."""
        return self.first_id or self.model_id


@dataclass(frozen=True, slots=True)
class Known:
    """A model name in an index: whose it is and, for last year's, the model itself."""

    unit: str
    name: str
    words: frozenset[str]
    model: PreviousModel | None = None

    @property
    def key(self) -> str:
        """The words in order: names whose words are the same match exactly."""
        return " ".join(sorted(self.words))

    def shown(self) -> str:
        return f"“{self.name}” ({self.unit})"


class NameIndex:
    """Model names by folded key (exact matches) and by word (containment and closest names).

    A search counts the words each entry shares with the name from the postings of those words, in
    numpy (``bincount``): no Python loop over the entries, however many share a common word.
    """

    def __init__(self, entries: Iterable[Known] = ()) -> None:
        self.entries: list[Known] = []
        self.by_key: dict[str, list[int]] = {}
        self.postings: dict[str, list[int]] = {}
        self._units: dict[str, int] = {}  # unit_key(unit) -> a number, for masks
        self._unit_of: list[int] = []
        self._frozen: tuple[dict[str, Any], Any, Any] | None = None  # postings, units, sizes as arrays
        for entry in entries:
            self.add(entry)

    def add(self, entry: Known) -> None:
        position = len(self.entries)
        self.entries.append(entry)
        self._unit_of.append(self._units.setdefault(unit_key(entry.unit), len(self._units)))
        self.by_key.setdefault(entry.key, []).append(position)
        for word in entry.words:
            self.postings.setdefault(word, []).append(position)
        self._frozen = None

    def _arrays(self) -> tuple[dict[str, Any], Any, Any]:
        import numpy as np

        if self._frozen is None:
            self._frozen = ({w: np.asarray(p, dtype=np.int64) for w, p in self.postings.items()},
                            np.asarray(self._unit_of, dtype=np.int64),
                            np.asarray([len(e.words) for e in self.entries], dtype=np.int64))
        return self._frozen

    def search(self, words: frozenset[str], other_than: str | None = None,
               limit: int = SHOWN) -> tuple[list[Known], list[tuple[float, Known]]]:
        """(the entries that match ``words``, else the ``limit`` closest with their score, best first).

        ``other_than``: a unit (any spelling of its code) whose entries are left out. Closest: the share
        of words in common (Dice); entries sharing no word are left out.
        """
        import numpy as np

        if not words or not self.entries:
            return [], []
        skip = self._units.get(unit_key(other_than), -1) if other_than else -1
        exact = [self.entries[i] for i in self.by_key.get(" ".join(sorted(words)), ()) if self._unit_of[i] != skip]
        if exact:
            return exact, []
        postings, units, sizes = self._arrays()
        hits = [postings[w] for w in words if w in postings]
        if not hits:
            return [], []
        overlap = np.bincount(np.concatenate(hits), minlength=len(self.entries))
        candidates = np.flatnonzero(overlap)
        candidates = candidates[units[candidates] != skip]
        shared, size = overlap[candidates], sizes[candidates]
        smaller = np.minimum(size, len(words))
        contained = candidates[(shared == smaller) & (smaller >= CONTAINED_WORDS)]
        if contained.size:
            return [self.entries[i] for i in contained.tolist()], []
        scores = 2 * shared / (size + len(words))
        best = np.argsort(-scores, kind="stable")[:limit]
        return [], [(float(scores[i]), self.entries[int(candidates[i])]) for i in best.tolist()]


def name_words(name: object) -> frozenset[str]:
    """The significant words of a model name, folded as ``similar-model`` folds them."""
    return frozenset(text.similarity_key(name).split())  # similarity_key cleans it; empty gives no word


@dataclass
class PreviousYear:
    """Last year's models as the checks need them, indexed once per run."""

    year: int
    by_unit: dict[str, NameIndex] = field(default_factory=dict)  # unit_key(unit) -> its models still run
    withdrawn: dict[str, NameIndex] = field(default_factory=dict)  # unit_key(unit) -> its withdrawn models
    by_id: dict[str, PreviousModel] = field(default_factory=dict)  # id_key of first or last-year ID -> model
    names: NameIndex = field(default_factory=NameIndex)  # every unit's models still run

    def add(self, model: PreviousModel) -> None:
        known = Known(model.unit, model.name, name_words(model.name), model)
        unit = unit_key(model.unit)
        if model.withdrawn:
            self.withdrawn.setdefault(unit, NameIndex()).add(known)
        else:
            self.by_unit.setdefault(unit, NameIndex()).add(known)
            self.names.add(known)
        for model_id in (model.model_id, model.first_id):
            if model_id:
                self.by_id.setdefault(id_key(model_id), model)

    def models_of(self, unit: str) -> list[Known]:
        index = self.by_unit.get(unit_key(unit))
        return index.entries if index else []


def load_previous(wb: Workbook, units: pd.DataFrame, year: int) -> PreviousYear | None:
    """Last year's models of a master made with ``dvk init --from``; None when it has none."""
    if not has_previous_year(wb):
        return None
    # The master's one reader: units re-coded since (“Mã cũ”) are found under their new code.
    records = read_previous_models(wb, units)
    years = [y for y in (whole_year(r.get("year")) for r in records) if y]
    previous = PreviousYear(max(years) if years else year - 1)
    for record in records:
        name, unit = text.clean(record.get("name")), text.clean(record.get("unit_code"))
        if not name or not unit:
            continue
        previous.add(PreviousModel(
            unit=unit, model_id=text.clean(record.get("model_id")), first_id=text.clean(record.get("first_id")),
            name=name, start_year=whole_year(record.get("start_year")),
            withdrawn=text.clean(record.get("status")) == RegisterStatus.WITHDRAWN))
    return previous if previous.by_id or previous.names.entries or previous.withdrawn else None


# --- the check (a PL01 form check, registered in handlers.py) ----------------------------------


def check_across_years(frame: pd.DataFrame, files: list[ReturnedFile], campaign: Campaign) -> None:
    """Each “Duy trì” and “Nhân rộng” row of the batch against last year's models (and this year's)."""
    previous = campaign.previous
    if previous is None or frame.empty:
        return
    kinds = frame["kind"].tolist()
    rows = [i for i, kind in enumerate(kinds) if kind in (ModelKind.CONTINUED, ModelKind.REPLICATED, ModelKind.NEW)]
    if not rows:
        return
    ids = frame["first_id"].tolist() if "first_id" in frame.columns else [None] * len(frame)
    units = [text.clean(u) for u in frame["_unit"]]  # NaN where the file's unit is unknown (already an error)
    names, years = frame["name"].tolist(), frame["start_year"].tolist()
    positions, excel_rows = frame["_file"].tolist(), frame["_row"].tolist()
    this_year: NameIndex | None = None
    for i in rows:
        unit, name = units[i], text.clean(names[i])
        if not unit or not name:
            continue
        row = Row(files[int(positions[i])], int(excel_rows[i]), unit, name, name_words(name))
        if kinds[i] == ModelKind.CONTINUED:
            matched = _continued(row, text.clean(ids[i]), previous)
            if matched is not None:
                _start_year(row, years[i], matched, previous)
        elif kinds[i] == ModelKind.NEW:
            _new(row, previous)
        else:
            if this_year is None:  # built once per batch, only when a replicated model needs it
                this_year = _this_year(campaign, names, units)
            _replicated(row, previous, this_year, campaign.year)


@dataclass(frozen=True, slots=True)
class Row:
    file: ReturnedFile
    row: int
    unit: str
    name: str
    words: frozenset[str]

    def add(self, code: str, key: str, message: str) -> None:
        """A warning at the cell of ``key`` (the name's when the form lacks that column), unless the cell
        already has an error (a duplicate row, a year not read): the unit fixes that first."""
        cell = self.file.cell(key, self.row) or self.file.cell("name", self.row)
        if not any(f.cell == cell and f.is_error for f in self.file.findings):
            self.file.add(code, message, cell=cell)


def _continued(row: Row, first_id: str, previous: PreviousYear) -> PreviousModel | None:
    """The model of last year a “Duy trì” row continues; ``continued-unknown`` when there is none."""
    year, mine = previous.year, unit_key(row.unit)
    if first_id:
        model = previous.by_id.get(id_key(first_id))
        if model is not None and unit_key(model.unit) == mine and not model.withdrawn:
            return model
        if model is not None and unit_key(model.unit) == mine:
            what = f"mô hình “{model.name}” năm {year} đã rút, không được thực hiện"
        elif model is not None:
            what = f"đó là mã của mô hình “{model.name}” của đơn vị {model.unit}, không phải của đơn vị {row.unit}"
        else:
            what = f"mã này không có trong các mô hình đơn vị {row.unit} thực hiện năm {year}"
        row.add("continued-unknown", "first_id",
                f"mô hình “{row.name}” ghi loại “{ModelKind.CONTINUED}” với “Mã đăng ký lần đầu” “{first_id}” nhưng "
                f"{what}{_closest_of_unit(row, previous)}; giữ đúng mã được điền sẵn trong mẫu, hoặc xóa mã và chọn "
                f"loại “{ModelKind.NEW}” nếu là mô hình mới")
        return None
    index = previous.by_unit.get(mine)
    matched, _ = index.search(row.words) if index else ([], [])
    if matched:
        return matched[0].model
    if not index:
        what = f"năm {year} đơn vị {row.unit} không có mô hình nào trong sổ năm trước"
    else:
        what = f"không khớp mô hình nào đơn vị {row.unit} thực hiện năm {year}{_closest_of_unit(row, previous)}"
    gone = previous.withdrawn.get(mine)
    if gone and (dropped := gone.search(row.words)[0]):
        what += f"; mô hình “{dropped[0].name}” năm {year} đã rút"
    others, _ = previous.names.search(row.words, other_than=row.unit)
    if others:
        what += (f"; tên này trùng mô hình {others[0].shown()} năm {year}: nếu học theo mô hình đó, chọn loại "
                 f"“{ModelKind.REPLICATED}”")
    row.add("continued-unknown", "name",
            f"mô hình “{row.name}” ghi loại “{ModelKind.CONTINUED}” nhưng {what}; sửa lại đúng tên mô hình năm trước, "
            f"hoặc chọn loại “{ModelKind.NEW}” nếu là mô hình mới")
    return None


def _new(row: Row, previous: PreviousYear) -> None:
    """A “Mới” model the unit already ran last year: ``new-ran-last-year`` (it is more likely “Duy trì”,
    which keeps its history and counts toward the continued quota)."""
    index = previous.by_unit.get(unit_key(row.unit))
    matched = index.search(row.words)[0] if index else []
    if matched:
        model = matched[0].model
        row.add("new-ran-last-year", "kind",
                f"mô hình “{row.name}” ghi loại “{ModelKind.NEW}” nhưng đơn vị {row.unit} đã thực hiện mô hình "
                f"“{model.name}” năm {previous.year} (mã {model.model_id}); nếu tiếp tục mô hình đó, chọn loại "
                f"“{ModelKind.CONTINUED}” và năm bắt đầu {model.start_year or 'như năm trước'}")


def _closest_of_unit(row: Row, previous: PreviousYear) -> str:
    """“; gần nhất: “A”, “B”” from the unit's models of last year (all of them if none is close)."""
    index = previous.by_unit.get(unit_key(row.unit))
    if not index:
        return ""
    _, scored = index.search(row.words, limit=2 * SHOWN)
    names = [e.name for _, e in sorted(scored, key=lambda s: -s[0])] or [e.name for e in index.entries]
    listed = ", ".join(f"“{n}”" for n in list(dict.fromkeys(names))[:SHOWN])
    return f"; mô hình năm trước của đơn vị gần nhất: {listed}"


def _start_year(row: Row, value: Any, model: PreviousModel, previous: PreviousYear) -> None:
    year = value if isinstance(value, int) else None  # unreadable cells were reported already, as None
    if year is None or model.start_year is None or year == model.start_year:
        return
    row.add("continued-start-year-changed", "start_year",
            f"mô hình duy trì “{row.name}” (mã {model.identity}) năm {previous.year} ghi “Năm bắt đầu” "
            f"{model.start_year}, nay ghi {year}; sửa lại {model.start_year} nếu là cùng mô hình, hoặc chọn loại "
            f"“{ModelKind.NEW}” nếu là mô hình mới")


def _this_year(campaign: Campaign, names: list[Any], units: list[str]) -> NameIndex:
    """This year's models: the register's and the batch's (a model sent in the same batch counts too)."""
    index = NameIndex()
    seen: set[tuple[str, str]] = set()
    pairs = [pair for entries in campaign.existing_models.values() for pair in entries]
    for unit, name in [*pairs, *zip(units, names, strict=True)]:
        unit, name = text.clean(unit), text.clean(name)
        if unit and name and (unit_key(unit), text.fold(name)) not in seen:
            seen.add((unit_key(unit), text.fold(name)))
            index.add(Known(unit, name, name_words(name)))
    return index


def _replicated(row: Row, previous: PreviousYear, this_year: NameIndex, year: int) -> None:
    """``replicated-unknown`` when no other unit's model, this year or last, has the row's name."""
    mine = unit_key(row.unit)
    found_last, close_last = previous.names.search(row.words, other_than=row.unit, limit=2 * SHOWN)
    found_now, close_now = this_year.search(row.words, other_than=row.unit, limit=2 * SHOWN) if not found_last else ([], [])
    if found_last or found_now:
        return
    shown: dict[tuple[str, str], str] = {}
    for _, entry in sorted([*close_last, *close_now], key=lambda s: -s[0]):
        shown.setdefault((unit_key(entry.unit), text.fold(entry.name)), entry.shown())
    hint = (f"; có thể nhân rộng từ: {', '.join(list(shown.values())[:SHOWN])}" if shown
            else "; không có mô hình nào của đơn vị khác có tên gần giống")
    own, _ = previous.by_unit[mine].search(row.words) if mine in previous.by_unit else ([], [])
    if own:
        hint += (f"; tên này trùng mô hình đơn vị đã thực hiện năm {previous.year}: nếu đơn vị tiếp tục mô hình của "
                 f"mình, chọn loại “{ModelKind.CONTINUED}”")
    row.add("replicated-unknown", "name",
            f"mô hình “{row.name}” ghi loại “{ModelKind.REPLICATED}” nhưng không khớp mô hình nào của đơn vị khác "
            f"(năm {year} hoặc năm {previous.year}){hint}; đặt tên theo mô hình được nhân rộng, hoặc chọn loại "
            f"“{ModelKind.NEW}” nếu là mô hình mới")


__all__ = ["PreviousModel", "PreviousYear", "NameIndex", "load_previous", "check_across_years"]
