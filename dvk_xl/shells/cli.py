"""The ``dvk`` command: a thin shell over library functions.

Each command parses its input, calls one library function and renders the result. Heavy
modules are imported inside the commands so that ``dvk --help`` answers at once.
Exit codes: 0 ok, 1 findings or a handled error, 2 usage.
"""

from __future__ import annotations

import os
import sys
import traceback
from datetime import date
from pathlib import Path
from typing import Any

import click

from ..core.dates import parse_date
from ..core.errors import DateError, DvkError
from ..core.kinds import Period, ReportKind
from .click_vi import METAVARS, OPTIONS_METAVAR, SUBCOMMAND_METAVAR, vietnamese

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 110}
PIPE_CLOSED_EXIT = 141  # 128 + SIGPIPE, what a shell reports for a program whose reader went away


class DateParam(click.ParamType):
    """A day-first date option; one that cannot be read is a usage error (exit 2) saying why."""

    name = "date"

    def get_metavar(self, param: click.Parameter, ctx: click.Context | None = None) -> str:
        return "NGÀY/THÁNG/NĂM"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> date | None:
        if isinstance(value, date):
            return value
        try:
            return parse_date(value)
        except DateError as exc:
            self.fail(exc.message, param, ctx)


DATE = DateParam()

MAIL_HELP = ("Cách gửi thư: eml (thư nháp .eml, mặc định), webmail (thư mục tệp đính kèm theo nơi nhận và trang "
             "DanhSachThu.html để gửi bằng hộp thư trên web), outlook (đưa thư vào Outlook, chỉ trên Windows). "
             "/ How drafts are delivered.")


def mail_option(func: Any) -> Any:
    return click.option("--mail", "mail", type=click.Choice(["eml", "webmail", "outlook"]), help=MAIL_HELP)(func)


def _outlook_first(mail: str | None) -> Any:
    """With --mail outlook, Outlook reached before anything is written: if it cannot be, nothing is done."""
    if mail != "outlook":
        return None
    from .outlook import outlook_app

    return outlook_app()


def _delivered(delivery: Any, app: Any) -> None:
    """Outlook drafts are opened here (the shell's job); the other modes were written by the library."""
    if delivery is not None and delivery.mode == "outlook":
        from .outlook import open_in_outlook

        open_in_outlook(delivery, app)


def _vietnamese_metavars(params: list[click.Parameter]) -> None:
    """Option value placeholders in Vietnamese (TEXT, DIRECTORY… read as CHỮ, THƯ_MỤC…)."""
    for param in params:
        if isinstance(param, click.Option) and param.metavar is None and not param.is_flag:
            shown = METAVARS.get(param.type.name.upper())
            if shown:
                param.metavar = shown


class DvkCommand(click.Command):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("options_metavar", OPTIONS_METAVAR)
        super().__init__(*args, **kwargs)
        _vietnamese_metavars(self.params)


def _quiet_closed_pipe() -> None:
    """The reader of stdout went away (``dvk … | head -1``): send what is left nowhere."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass  # stdout is not a real file (a test runner): nothing left to flush there


class DvkGroup(click.Group):
    """Turns every error into one Vietnamese line and exit code 1 (tracebacks only with --debug).

    click's own messages (usage errors, help headings) are in Vietnamese too, see ``click_vi``.
    """

    command_class = DvkCommand

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("options_metavar", OPTIONS_METAVAR)
        kwargs.setdefault("subcommand_metavar", SUBCOMMAND_METAVAR)
        super().__init__(*args, **kwargs)
        _vietnamese_metavars(self.params)

    def main(self, *args: Any, **kwargs: Any) -> Any:
        with vietnamese():
            try:
                return super().main(*args, **kwargs)
            except BrokenPipeError:
                _quiet_closed_pipe()
                sys.exit(PIPE_CLOSED_EXIT)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            _quiet_closed_pipe()
            sys.exit(PIPE_CLOSED_EXIT)
        except DvkError as exc:
            click.echo(f"Lỗi: {exc.message}", err=True)
            sys.exit(1)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException, SystemExit):
            raise
        except KeyboardInterrupt:
            click.echo("Đã dừng theo yêu cầu; sổ tổng hợp không bị thay đổi dở dang.", err=True)
            sys.exit(1)
        except Exception as exc:  # the last line of defence: never a bare traceback for staff
            if ctx.obj and ctx.obj.get("debug"):
                traceback.print_exc()
            else:
                click.echo(f"Lỗi không mong đợi: {exc.__class__.__name__}: {exc} "
                           "(chạy lại với “dvk --debug …” để xem chi tiết và gửi cho bộ phận kỹ thuật)", err=True)
            sys.exit(1)


@click.group(cls=DvkGroup, context_settings=CONTEXT)
@click.option("--debug", is_flag=True, help="Hiện chi tiết lỗi (traceback). / Show tracebacks.")
@click.version_option(package_name="dvk_xl", message="dvk %(version)s",
                      help="Hiện phiên bản rồi thoát. / Show the version and exit.")
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """Phong trào thi đua “Dân vận khéo”: sổ tổng hợp Excel, mẫu đăng ký, tổng hợp, báo cáo.

    The "Dân vận khéo" emulation movement from an Excel master workbook:
    registration forms, consolidation, quotas, reports.
    """
    ctx.ensure_object(dict)["debug"] = debug


@main.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--year", default=2026, show_default=True, type=click.IntRange(2000, 2100),
              help="Năm thi đua. / Campaign year.")
@click.option("--committee", help="Tên cấp ủy, ví dụ “Đảng ủy phường Hồng An”. / Committee name.")
@click.option("--units", "units_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Danh sách đơn vị (CSV hoặc xlsx, cột như sheet “Đơn vị”). / Units file (CSV or xlsx).")
@click.option("--preset", default="phuong", show_default=True,
              help="Mẫu kế hoạch: phuong (Đảng ủy phường) hoặc vksnd (Đảng ủy VKSND). / Plan preset: phuong or vksnd.")
@click.option("--code", help="Mã cấp ủy do cấp trên đặt trong danh sách đơn vị của cấp trên (bỏ trống: cấp trên "
              "nhận biết theo tên). / This committee's code in the higher committee's unit list.")
@click.option("--force", is_flag=True, help="Ghi đè sổ đã có. / Overwrite an existing master.")
@click.option("--from", "previous", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Tạo từ sổ tổng hợp năm trước: mang sang đơn vị, danh mục, chỉ tiêu, cấu hình, mô hình đang thực "
              "hiện; dời hạn sang năm mới (năm mặc định: năm trước + 1). / Start from last year's master.")
@click.pass_context
def init(ctx: click.Context, directory: Path, year: int, committee: str | None, units_file: Path | None, preset: str,
         code: str | None, force: bool, previous: Path | None) -> None:
    """Tạo sổ tổng hợp mới cho đợt thi đua.

    Create a new master workbook for the campaign in DIRECTORY (with --from, next year's master
    from last year's, which is only read).
    """
    from ..master.book import init_master

    if previous is not None:
        from click.core import ParameterSource

        source = ParameterSource.COMMANDLINE
        mixed = [f"--{name.replace('_file', '')}" for name in ("committee", "units_file", "preset", "code")
                 if ctx.get_parameter_source(name) == source]
        if mixed:
            raise click.UsageError(f"--from mang sang đơn vị và cấu hình của sổ năm trước; không dùng cùng "
                                   f"{', '.join(mixed)} (sửa trong sổ mới sau khi tạo)")
        from ..master.nextyear import init_from

        explicit = ctx.get_parameter_source("year") == source
        carried = init_from(directory, previous, year=year if explicit else None, overwrite=force)
        for line in carried.lines():
            click.echo(line)
        return
    result = init_master(directory, year=year, committee=committee, units_file=units_file, preset=preset,
                         overwrite=force, code=code)
    click.echo(f"Đã tạo sổ tổng hợp: {result.path}")
    click.echo(f"  Kế hoạch mẫu: {result.preset.title}; {result.units} đơn vị")
    for notice in result.notices:
        click.echo(f"  Lưu ý: {notice}")


@main.command()
@click.argument("master", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Thư mục ghi các mẫu. / Output folder.")
@click.option("--unit", "units", multiple=True, help="Chỉ tạo cho mã đơn vị này (lặp lại được). / Only this unit code.")
@click.option("--form", "form", type=click.Choice(["pl01", "pl03"], case_sensitive=False), default="pl01",
              show_default=True, help="Phụ lục 01 (đăng ký) hoặc 03 (báo cáo kết quả). / Registration or results form.")
@click.option("--period", type=click.Choice([p.value for p in Period]),
              help="Kỳ báo cáo của Phụ lục 03: 6 tháng hoặc năm. / Results period (pl03 only).")
@click.option("--eml", is_flag=True, help="Kèm mỗi đơn vị một thư nháp gửi “Email” của đơn vị, đính kèm mẫu, ghi hạn "
              "nộp theo sheet “Tiến độ”. / Also a draft e-mail to each unit with its form.")
@mail_option
@click.option("--json", "as_json", is_flag=True, help="In đúng một tài liệu JSON. / Print one JSON document.")
def templates(master: Path, out_dir: Path, units: tuple[str, ...], form: str, period: str | None, eml: bool,
              mail: str | None, as_json: bool) -> None:
    """Tạo mẫu Phụ lục 01 (hoặc 03) cho từng đơn vị.

    Write one registration form (Phụ lục 01) per unit, or with --form pl03 --period one results
    form (Phụ lục 03) per unit pre-filled with its registered models; with --eml a draft e-mail
    to each unit with its form attached.
    """
    from ..reports.templates import write_templates
    from .progress_bar import progress_shown

    if form.lower() == "pl03" and not period:
        raise click.UsageError(f"Mẫu Phụ lục 03 cần --period {' hoặc --period '.join(Period)}")
    if eml or mail:
        import json

        from ..reports.unit_mail import send_templates

        app = _outlook_first(mail)
        with progress_shown(as_json) as progress:
            sent = send_templates(master, out_dir, units, form=form, period=Period.parse(period), mail=mail or "eml",
                                  progress=progress)
        _delivered(sent.delivery, app)
        if as_json:
            click.echo(json.dumps({"form": form.upper(), "paths": [str(p) for p in sent.paths], "mail": sent.as_dict()},
                                  ensure_ascii=False, indent=2))
            return
        click.echo(f"Đã tạo {len(sent.paths)} mẫu {form.upper()} trong {out_dir}")
        click.echo("\n".join(sent.lines()))
        return
    with progress_shown(as_json) as progress:
        result = write_templates(master, out_dir, units, form=form, period=Period.parse(period), progress=progress)
    if as_json:
        import json

        click.echo(json.dumps({"form": result.form.id, "paths": [str(p) for p in result.paths]}, ensure_ascii=False,
                              indent=2))
        return
    click.echo(f"Đã tạo {len(result.paths)} mẫu {result.form.id} trong {out_dir}")
    for path in result.paths:
        click.echo(f"  {path.name}")


@main.command()
@click.argument("directory", required=False, default="dvk-demo", type=click.Path(file_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Xóa thư mục demo cũ nếu có. / Replace an existing demo folder.")
def demo(directory: Path, force: bool) -> None:
    """Chạy thử toàn bộ quy trình trên dữ liệu mẫu của một phường.

    Run every step on an embedded demo campaign (a ward with 12 units) in DIRECTORY.
    """
    from ..demo.run import run_demo

    run_demo(directory, force=force, echo=click.echo)


def _render_intake(report, as_json: bool) -> None:
    click.echo(report.as_json() if as_json else "\n".join(report.lines()))
    sys.exit(report.exit_code)


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--master", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Sổ tổng hợp. / The master workbook.")
@click.option("--json", "as_json", is_flag=True, help="In đúng một tài liệu JSON. / Print one JSON document.")
def validate(files: tuple[Path, ...], master: Path, as_json: bool) -> None:
    """Kiểm tra tệp đơn vị gửi, không thay đổi gì.

    Check returned unit workbooks against the master without changing anything.
    Exit code 0 when no file is rejected, 1 otherwise.
    """
    from ..intake.consolidation import check_files
    from .progress_bar import progress_shown

    with progress_shown(as_json) as progress:
        report = check_files(master, files, progress=progress)
    _render_intake(report, as_json)


@main.command()
@click.argument("master", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("inbox", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--feedback", "feedback_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Ghi tệp phản hồi (ô lỗi tô đỏ) cho đơn vị vào thư mục này. / Write marked-up feedback here.")
@click.option("--json", "as_json", is_flag=True, help="In đúng một tài liệu JSON. / Print one JSON document.")
@click.option("--workers", type=click.IntRange(1, 64), help="Số tiến trình đọc tệp. / Reader processes.")
@click.option("--eml", is_flag=True, help="Kèm mỗi đơn vị có tệp phản hồi một thư nháp đính kèm tệp đó (cần --feedback). "
              "/ Also a draft e-mail to each unit with its feedback workbook.")
@mail_option
def consolidate(master: Path, inbox: Path, feedback_dir: Path | None, as_json: bool, workers: int | None, eml: bool,
                mail: str | None) -> None:
    """Kiểm tra và tổng hợp mọi tệp trong thư mục tiếp nhận vào sổ.

    Check every workbook in INBOX and merge the accepted ones into the master's register (DangKy),
    log them in TiepNhan and archive them; with --feedback DIR --eml a draft e-mail to each unit
    whose file has findings. Exit code 0 when no file is rejected, 1 otherwise.
    """
    from ..intake.consolidation import consolidate as run
    from .progress_bar import progress_shown

    if (eml or mail) and feedback_dir is None:
        raise click.UsageError("Thư phản hồi (--eml) cần thư mục phản hồi: thêm --feedback THƯ_MỤC")
    if eml or mail:
        import json

        from ..intake.feedback_mail import consolidate_with_mail

        app = _outlook_first(mail)
        with progress_shown(as_json) as progress:
            done = consolidate_with_mail(master, inbox, feedback_dir, mail=mail or "eml", workers=workers,
                                         progress=progress)
        _delivered(done.mail.delivery, app)
        if as_json:
            click.echo(json.dumps({**json.loads(done.report.as_json()), "mail": done.mail.as_dict()},
                                  ensure_ascii=False, indent=2))
        else:
            click.echo("\n".join([*done.report.lines(), *done.mail.lines()]))
        sys.exit(done.report.exit_code)
    with progress_shown(as_json) as progress:
        report = run(master, inbox, feedback_dir=feedback_dir, workers=workers, progress=progress)
    _render_intake(report, as_json)


@main.command()
@click.argument("master", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--kind", required=True, type=click.Choice([k.value for k in ReportKind]),
              help="dang-ky: Phụ lục 02; 6-thang, nam: Phụ lục 03. / Which report.")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Thư mục ghi báo cáo. / Output folder.")
@click.option("--eml", is_flag=True, help="Kèm thư nháp (.eml) gửi cấp trên. / Also write a draft e-mail.")
@click.option("--date", "day", type=DATE,
              help="Ngày ký ghi trên văn bản (ngày/tháng/năm). / Date printed on the document.")
@mail_option
def report(master: Path, kind: str, out_dir: Path, eml: bool, day: date | None, mail: str | None) -> None:
    """Lập báo cáo gửi cấp trên: Phụ lục 02 (danh sách đăng ký) hoặc Phụ lục 03 (kết quả).

    Write the report workbook for the higher committee in the official frame
    (Phụ lục 02 list of registrations, or Phụ lục 03 results), with --eml a draft e-mail too.
    """
    from ..reports.writer import write_report

    app = _outlook_first(mail)
    result = write_report(master, ReportKind(kind), out_dir, eml=eml or bool(mail), day=day, mail=mail or "eml")
    _delivered(result.delivery, app)
    click.echo(f"Đã lập báo cáo: {result.path} ({result.models} mô hình của {result.units} đơn vị)")
    if result.eml:
        click.echo(f"Thư nháp gửi cấp trên: {result.eml}")
    if result.delivery is not None:
        click.echo("\n".join(result.delivery.lines()))
    for notice in result.notices:
        click.echo(f"  Lưu ý: {notice}")


@main.command("build-addin")
@click.option("--out", "out", default="workbook/DanVanKheo.xlam", show_default=True,
              type=click.Path(dir_okay=False, path_type=Path), help="Tệp add-in sẽ tạo. / The .xlam to write.")
def build_addin_command(out: Path) -> None:
    """Tạo add-in Excel DanVanKheo.xlam (thanh công cụ “Dân vận khéo”) từ mã nguồn.

    Build the Excel add-in from macros/ (VBA as text, ribbon XML) and the installed xlwings'
    VBA module; works on any OS, no Excel needed.
    """
    from .addin import build_addin

    result = build_addin(out)
    click.echo(f"Đã tạo add-in: {result.path}")
    click.echo(f"  Mô-đun VBA: {', '.join(result.modules)} (xlwings {result.xlwings_version}); {result.buttons} nút")


@main.command("install-addin")
@click.argument("addin", required=False, type=click.Path(dir_okay=False, path_type=Path))
def install_addin_command(addin: Path | None) -> None:
    """Cài add-in DanVanKheo.xlam vào Excel của người dùng này (chỉ trên Windows).

    Install the add-in for the current Windows user: xlwings add-in, DanVanKheo.xlam in XLSTART,
    the Python interpreter in the add-in's config. Builds workbook/DanVanKheo.xlam when no ADDIN is given.
    """
    from .addin import install_addin

    install_addin(addin, echo=click.echo)
    click.echo("Xong. Mở Excel: thanh “Dân vận khéo” xuất hiện; mở sổ tổng hợp rồi dùng các nút.")


@main.command()
@click.argument("master", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("inbox", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--feedback", "feedback_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Ghi tệp phản hồi cho cấp dưới vào thư mục này. / Write feedback for the committees here.")
@click.option("--json", "as_json", is_flag=True, help="In đúng một tài liệu JSON. / Print one JSON document.")
def rollup(master: Path, inbox: Path, feedback_dir: Path | None, as_json: bool) -> None:
    """Tổng hợp báo cáo Phụ lục 02/03 của các cấp ủy cấp dưới vào sổ.

    Consolidate the Phụ lục 02/03 workbooks that subordinate committees (rows of the master's
    DonVi) made with “dvk report” into the register and results; models keep their IDs.
    Exit code 0 when no file is rejected, 1 otherwise.
    """
    from ..intake.rollup import rollup as run
    from .progress_bar import progress_shown

    with progress_shown(as_json) as progress:
        report = run(master, inbox, feedback_dir=feedback_dir, progress=progress)
    _render_intake(report, as_json)


@main.command()
@click.argument("master", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--today", "day", type=DATE,
              help="Ngày kiểm tra (ngày/tháng/năm), mặc định hôm nay. / Check as of this day (DD/MM/YYYY).")
@click.option("--json", "as_json", is_flag=True, help="In đúng một tài liệu JSON. / Print one JSON document.")
def compliance(master: Path, day: date | None, as_json: bool) -> None:
    """Kiểm tra chỉ tiêu, tiến độ và tám tiêu chí; ghi sheet “Tuân thủ” và “Thẩm định”.

    Check the quotas, the deadlines and the eight criteria; write the "Tuân thủ" and "Thẩm định"
    sheets of MASTER. Exit code 0 when every quota rule is met, 1 otherwise.
    """
    from ..compliance.check import run_compliance

    report = run_compliance(master, today=day)
    click.echo(report.as_json() if as_json else "\n".join(report.lines()))
    sys.exit(report.exit_code)


@main.command()
@click.argument("master", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Thư mục ghi thư nhắc. / Output folder for the drafts.")
@click.option("--today", "day", type=DATE,
              help="Ngày nhắc (ngày/tháng/năm), mặc định hôm nay. / Remind as of this day (DD/MM/YYYY).")
@click.option("--within", default=7, show_default=True, type=click.IntRange(0, 366),
              help="Nhắc cả bước còn hạn trong số ngày này. / Also remind of steps due within N days.")
@click.option("--templates", "templates_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Thư mục chứa mẫu đã gửi đơn vị, để đính kèm lại (mặc định: MauGuiDonVi cạnh sổ). "
                   "/ Folder of the units' blank forms to attach.")
@mail_option
@click.option("--json", "as_json", is_flag=True, help="In đúng một tài liệu JSON. / Print one JSON document.")
def remind(master: Path, out_dir: Path, day: date | None, within: int, templates_dir: Path | None, mail: str | None,
           as_json: bool) -> None:
    """Viết thư nhắc đơn vị còn nợ mẫu đến hạn hoặc đã trễ hạn.

    One draft e-mail per unit that still owes a form for a step of TienDo due within --within days
    or already late, naming the form, the deadline and how late; units up to date get nothing.
    """
    from ..reports.unit_mail import remind as run

    app = _outlook_first(mail)
    result = run(master, out_dir, today=day, within=within, templates_dir=templates_dir, mail=mail or "eml")
    _delivered(result.delivery, app)
    click.echo(result.as_json() if as_json else "\n".join(result.lines()))


@main.command()
@click.option("--json", "as_json", is_flag=True, help="In đúng một tài liệu JSON. / Print one JSON document.")
def codes(as_json: bool) -> None:
    """Liệt kê các mã phát hiện (lỗi, cảnh báo) công cụ có thể báo và ý nghĩa của từng mã.

    List every finding code the tool can report, with its severity (error or warning) and meaning.
    """
    from ..core.codes import catalogue_json, catalogue_lines

    click.echo(catalogue_json() if as_json else "\n".join(catalogue_lines()))



@main.command()
@click.option("--master", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Kiểm tra thêm các bảng của sổ tổng hợp này. / Also check this master's tables.")
@click.option("--json", "as_json", is_flag=True, help="In đúng một tài liệu JSON. / Print one JSON document.")
def doctor(master: Path | None, as_json: bool) -> None:
    """Kiểm tra cài đặt: Python, dvk_xl, xlwings, add-in, tệp cấu hình, vị trí tin cậy, LibreOffice/Excel.

    Check the installation, each piece with ✓, ✗ (and what to do) or – (not applicable: the ribbon
    checks off Windows). Exit code 0 when everything needed is in place, 1 otherwise.
    """
    import json

    from .doctor import all_ok, as_records, run_checks

    checks = run_checks(master)
    if as_json:
        click.echo(json.dumps({"ok": all_ok(checks), "checks": as_records(checks)}, ensure_ascii=False, indent=2))
    else:
        click.echo("\n".join(check.line() for check in checks))
        click.echo("Mọi thứ đã sẵn sàng." if all_ok(checks) else "Có mục chưa đạt (✗): làm theo hướng dẫn “→” rồi chạy lại “dvk doctor”.")
    sys.exit(0 if all_ok(checks) else 1)

if __name__ == "__main__":  # pragma: no cover
    main()
