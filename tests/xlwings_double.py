"""Real xlwings Book objects on Linux, for the live workbook's tests.

xlwings' remote engine builds a ``Book`` from the JSON payload its Office.js / Office Scripts
clients send (sheets' values, tables with their addresses) and answers with actions (set values,
resize a table, …). ``ExcelDouble`` plays that client: it makes the payload from a master file as
Excel would show it, hands out ``xw.Book(json=…)`` objects, and applies the returned actions the
way Excel applies them, so a test can "reopen" and read what was written.
The remote engine asks for a licence key: the free non-commercial key, set for the tests only.
"""

from __future__ import annotations

import copy
import re
from datetime import date, datetime
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils.cell import range_boundaries

from dvk_xl.spec.forms import excel_column

ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}( \d{2}:\d{2}:\d{2})?")
CLIENT_DATE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z")


def _address(min_col: int, min_row: int, max_col: int, max_row: int) -> str:
    return f"${excel_column(min_col - 1)}${min_row}:${excel_column(max_col - 1)}${max_row}"


def _to_client(value: Any) -> Any:
    """A cell value as the Office Scripts client sends it (dates as ISO text, empty as "")."""
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        if not isinstance(value, datetime):
            value = datetime(value.year, value.month, value.day)
        return value.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    return value


def _from_server(value: Any) -> Any:
    """A value the engine sent, as Excel stores it: a leading apostrophe only marks text, ISO days are dates."""
    if isinstance(value, str):
        if value.startswith("'"):
            return value[1:]
        if ISO_DAY.fullmatch(value):
            return _to_client(datetime.fromisoformat(value))
    return value


def _as_excel_holds(value: Any) -> Any:
    if value == "":
        return None
    if isinstance(value, str) and CLIENT_DATE.fullmatch(value):
        return datetime.fromisoformat(value[:-1])
    return value


def _table_entry(name: str, ref: str) -> dict[str, Any]:
    min_col, min_row, max_col, max_row = range_boundaries(ref)
    return {
        "name": name,
        "range_address": _address(min_col, min_row, max_col, max_row),
        "header_row_range_address": _address(min_col, min_row, max_col, min_row),
        "data_body_range_address": _address(min_col, min_row + 1, max_col, max(max_row, min_row + 1)),
        "total_row_range_address": None,
        "show_headers": True,
        "show_totals": False,
        "table_style": "TableStyleMedium2",
        "show_autofilter": True,
    }


def _a1(where: dict[str, Any], absolute: bool = False) -> str:
    """The A1 address of an action's (or a validation source's) 0-based rectangle."""
    mark = "$" if absolute else ""
    first = f"{mark}{excel_column(where['start_column'])}{mark}{where['start_row'] + 1}"
    last = (f"{mark}{excel_column(where['start_column'] + where['column_count'] - 1)}"
            f"{mark}{where['start_row'] + where['row_count']}")
    return first if first == last else f"{first}:{last}"


def remote_engine() -> None:
    """Register xlwings' remote engine, whenever xlwings was imported.

    xlwings registers it at import time only when the licence key is already set, and another test
    may have imported xlwings first. The tests set the free non-commercial key (monkeypatch), never the product.
    """
    import xlwings as xw

    if "remote" not in [engine.name for engine in xw.engines]:
        from xlwings.pro import _xlremote

        xw.engines.add(xw.main.Engine(impl=_xlremote.engine))


def payload_from_file(path: Path) -> dict[str, Any]:
    """What Excel's client would send for the workbook ``path`` open in Excel."""
    import xlwings as xw

    book = load_workbook(path)
    sheets = []
    for ws in book.worksheets:
        values = [[_to_client(c.value) for c in row] for row in ws.iter_rows(min_row=1, max_row=ws.max_row,
                                                                               max_col=ws.max_column)]
        tables = [_table_entry(t.displayName, t.ref) for t in ws.tables.values()]
        sheets.append({"name": ws.title, "values": values or [[""]], "pictures": [], "tables": tables})
    return {"client": "Microsoft Office Scripts", "version": xw.__version__,
            "book": {"name": path.name, "active_sheet_index": 0, "selection": "A1"},
            "names": [], "sheets": sheets}


class ExcelDouble:
    """The workbook as Excel holds it, between xlwings calls."""

    def __init__(self, path: Path, client: str = "Microsoft Office Scripts") -> None:
        """``client``: the Office Scripts client by default; "Office.js" (the add-in client) is the one
        the remote engine lets set data validation and alignment."""
        self.path = path
        self.payload = payload_from_file(path)
        self.payload["client"] = client
        self.actions: list[dict[str, Any]] = []  # everything applied so far, in order

    def book(self):
        import xlwings as xw

        remote_engine()
        return xw.Book(json=copy.deepcopy(self.payload))

    def apply(self, book) -> list[dict[str, Any]]:
        """Apply the actions the engine returned for ``book``; returns them."""
        actions = book.json()["actions"]
        sheets = self.payload["sheets"]
        for action in actions:
            sheet = sheets[action["sheet_position"]] if action["sheet_position"] is not None else None
            if action["func"] == "setValues":
                self._set_values(sheet, action)
            elif action["func"] == "resizeTable":
                index, address = action["args"]
                table = sheet["tables"][index]
                table.update(_table_entry(table["name"], address.replace("$", "")))
            elif action["func"] == "addTable":
                address, _, _, name = action["args"]
                sheet["tables"].append(_table_entry(name, address.replace("$", "")))
            elif action["func"] == "addSheet":
                index, name = action["args"]
                sheets.insert(index, {"name": name, "values": [[""]], "pictures": [], "tables": []})
            elif action["func"] == "sheetDelete":
                sheets.remove(sheet)
            elif action["func"] == "rangeMerge":
                sheet.setdefault("merged", []).append(_a1(action))
            elif action["func"] == "setDataValidationList":
                source, _ = action["args"]
                if source["type"] == "range":  # as Excel stores it: a formula referring to the cells
                    formula = f"='{sheets[source['sheet_position']]['name']}'!{_a1(source, absolute=True)}"
                else:
                    formula = source
                sheet.setdefault("validations", []).append((_a1(action), formula))
        self.actions.extend(actions)
        return actions

    @staticmethod
    def _set_values(sheet: dict[str, Any], action: dict[str, Any]) -> None:
        grid = sheet["values"]
        width = max(len(grid[0]), action["start_column"] + action["column_count"])
        height = action["start_row"] + action["row_count"]
        for row in grid:
            row.extend([""] * (width - len(row)))
        grid.extend([[""] * width for _ in range(height - len(grid))])
        for r, values in enumerate(action["values"]):
            for c, value in enumerate(values):
                grid[action["start_row"] + r][action["start_column"] + c] = _from_server(value)

    def layout(self, name: str) -> dict[str, list]:
        """A sheet's merged ranges and list validations (cells, source formula), as Excel holds them."""
        sheet = next(s for s in self.payload["sheets"] if s["name"] == name)
        return {"merged": sheet.get("merged", []), "validations": sheet.get("validations", [])}

    def calls(self, func: str) -> list[dict[str, Any]]:
        return [a for a in self.actions if a["func"] == func]

    def sheet_values(self, name: str) -> list[list[Any]]:
        """A sheet's cells as Excel holds them (empty as None, trailing empty rows dropped)."""
        sheet = next(s for s in self.payload["sheets"] if s["name"] == name)
        rows = [[_as_excel_holds(v) for v in row] for row in sheet["values"]]
        while rows and not any(v is not None for v in rows[-1]):
            rows.pop()
        return rows
