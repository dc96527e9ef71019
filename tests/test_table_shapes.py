"""A table's sheet, columns and corners are looked up once per file (dvk_xl/workbook/api.py ``_table_shape``):
calamine reads a whole table to give them, a second for a city's 50,000-row register."""

from __future__ import annotations

from collections import Counter

from dvk_xl.master.book import init_master
from dvk_xl.spec.forms import REGISTER
from dvk_xl.workbook.api import FileWorkbook


class CountingReader:
    """The calamine workbook, counting the tables asked of it."""

    def __init__(self, fast) -> None:
        self.fast, self.asked = fast, Counter()

    def get_table_by_name(self, name):
        self.asked[name] += 1
        return self.fast.get_table_by_name(name)

    def __getattr__(self, name):
        return getattr(self.fast, name)


def test_read_write_and_save_ask_calamine_for_the_register_once(tmp_path):
    path = init_master(tmp_path, preset="phuong").path
    wb = FileWorkbook(path)
    wb._fast = reader = CountingReader(wb._fast)
    frame = wb.read_table(REGISTER.table)
    frame.loc[0] = [f"giá trị {i}" for i in range(len(frame.columns))]
    wb.write_table(REGISTER.table, frame)
    wb.save()
    assert reader.asked[REGISTER.table] == 1
    again = FileWorkbook(path)
    assert again.read_table(REGISTER.table).iloc[0].tolist() == frame.iloc[0].tolist()


def test_writing_without_reading_asks_once_and_a_reopened_file_is_asked_again(tmp_path):
    path = init_master(tmp_path, preset="phuong").path
    frame = FileWorkbook(path).read_table(REGISTER.table)
    frame.loc[0] = ["x"] * len(frame.columns)
    wb = FileWorkbook(path)
    wb._fast = reader = CountingReader(wb._fast)
    wb.write_table(REGISTER.table, frame)
    wb.save()
    assert reader.asked[REGISTER.table] == 1
    wb._reopen()  # a new reader of the saved file: what it says of the table is its own
    assert wb._shapes == {}
    assert FileWorkbook(path).read_table(REGISTER.table).iloc[0].tolist() == ["x"] * len(frame.columns)
