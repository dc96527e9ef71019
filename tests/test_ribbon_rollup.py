"""The ribbon's roll-up button: the same tables as ``dvk rollup`` on the same city master."""

from __future__ import annotations

from click.testing import CliRunner

from dvk_xl.shells import ribbon
from dvk_xl.shells.cli import main
from dvk_xl.spec.forms import INTAKE_LOG, REGISTER, RESULTS
from dvk_xl.workbook.api import FileWorkbook

from .test_ribbon import Excel, _setup, twin  # noqa: F401 - _setup: the licence key and memory file, autouse
from .test_rollup import three_wards  # noqa: F401 - the fixture


def test_rolling_up_from_the_ribbon_gives_the_cli_tables(three_wards):  # noqa: F811
    city, inbox, reports = three_wards
    by_cli, in_excel = twin(city, "cli"), twin(city, "excel")
    assert CliRunner().invoke(main, ["rollup", str(by_cli), str(inbox)]).exit_code == 0
    before = in_excel.read_bytes()
    excel = Excel(in_excel)
    message = excel.press("tong-hop-cap-duoi", inbox)
    assert "Tổng cộng 6 tệp: 6 chấp nhận" in message, message
    for table in (REGISTER.table, RESULTS.table, INTAKE_LOG.table):
        live, file = excel.table(table), FileWorkbook(by_cli).read_table(table)
        assert live.equals(file), table
    assert len(excel.table(REGISTER.table)) == 7
    assert in_excel.read_bytes() == before and excel.double.calls("save")  # Excel saves, Python never writes it
    assert ribbon.ACTIONS["tong-hop-cap-duoi"].asks == "folder"


def test_a_rejected_report_gets_feedback_beside_the_master(three_wards, tmp_path):  # noqa: F811
    city, inbox, reports = three_wards
    bad = tmp_path / "bad_inbox"
    bad.mkdir()
    (bad / "khong_phai_bao_cao.xlsx").write_bytes(city.read_bytes())  # a master is not a subordinate's report
    excel = Excel(twin(city, "excel"))
    message = excel.press("tong-hop-cap-duoi", bad)
    assert "1 từ chối" in message, message
    assert list((excel.path.parent / ribbon.FEEDBACK_DIR).iterdir())
