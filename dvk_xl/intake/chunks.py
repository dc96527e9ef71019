"""Unit forms of a large inbox read and checked in chunks, so memory stays flat as the inbox grows.

Each chunk of files is read (on every core), checked file by file and by one pandera pass over its
rows; then the raw cell values of its files are freed and only the typed rows are kept. What looks
across the whole batch (the similar-model check, the form's own checks such as the one across years)
runs once over the typed rows of every chunk, so every finding, its text and its order are those of
the one pass over the whole batch (``validation.validate_files``), which smaller batches still take.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..core.progress import Progress, no_progress, reading_label
from ..spec.forms import FRAME_TEXTS_KEY, PL01, UNIT_FORMS, Form
from .reading import ModelRow, ReturnedFile, read_returned
from .validation import (
    Campaign,
    FormCheck,
    _reading_order,
    _validate_rows,
    check_duplicates,
    check_file_level,
    guarded,
    reread_by_file,
    rows_frame,
    run_isolating,
)

if TYPE_CHECKING:
    import pandas as pd

    from .pipeline import HandlerSet
    from .state import MasterState

PARALLEL_FROM = 40  # as ``pipeline.PARALLEL_FROM``: below this many files a process pool costs more than it saves
CHUNK_FILES = 500  # files read and checked at a time: their raw cells are freed before the next chunk
_NO_VALUES: dict[str, Any] = {}  # what a checked row keeps of its raw cells: nothing (shared, never written)


def check_in_chunks(paths: list[Path], state: MasterState, handlers: HandlerSet, workers: int | None,
                    progress: Progress = no_progress, on_read: Callable[[list[ReturnedFile]], None] | None = None,
                    ) -> tuple[list[ReturnedFile], dict[int, list[dict[str, Any]]]]:
    """Read and check ``paths`` chunk by chunk: the files (findings on them) and the typed rows by file position.

    The same result as ``handlers.read`` then ``handlers.check`` of the unit forms over all files at once
    (unit forms only: files are read with ``read_returned``, as ``read_unit_forms`` reads them).
    ``on_read`` hears of each chunk's files, in order, as soon as they are read (the intake archives them).
    """
    campaign = state.campaign
    checks = {form_id: handler.checks for form_id, handler in handlers.forms.items()}
    files: list[ReturnedFile] = []
    frames: dict[str, list[pd.DataFrame]] = {form_id: [] for form_id in UNIT_FORMS}
    kept: list[int] = []  # findings of each file before its rows were checked (file-level ones)
    total = len(paths)
    with _reader(workers, len(paths)) as read:
        upcoming = read(paths[:CHUNK_FILES])
        for start in range(0, total, CHUNK_FILES):
            chunk = []
            for done, file in enumerate(upcoming, start=start + 1):
                chunk.append(file)
                progress(done, total, reading_label(done, total, paths[done - 1].name))
            # The next chunk is read on the other cores while this one is checked here.
            upcoming = read(paths[start + CHUNK_FILES:start + 2 * CHUNK_FILES])
            if on_read is not None:
                on_read(chunk)
            _check_read(chunk, files, frames, kept, campaign)
    typed = {form.id: _check_batch(files, frames.pop(form.id), form, campaign, checks.get(form.id, ()), kept)
             for form in UNIT_FORMS.values()}
    for file in files:
        file.findings[:] = sorted(dict.fromkeys(file.findings), key=_reading_order)  # a re-run adds nothing twice
    return files, rows_by_file(typed)


@contextmanager
def _reader(workers: int | None, count: int) -> Iterator[Callable[[list[Path]], Iterator[ReturnedFile]]]:
    """read(paths) -> the files, in order: in this process, or on every core with one pool for every chunk
    (tasks are queued at once, so the pool reads ahead while the caller checks)."""
    workers = workers if workers is not None else (os.cpu_count() or 1)
    if workers <= 1 or count < PARALLEL_FROM:
        yield lambda paths: map(read_returned, paths)
        return
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=workers) as pool:
        yield lambda paths: pool.map(read_returned, paths, chunksize=max(1, len(paths) // (workers * 8)))


def _check_read(chunk: list[ReturnedFile], files: list[ReturnedFile], frames: dict[str, list[pd.DataFrame]],
                kept: list[int], campaign: Campaign) -> None:
    """File-level checks and the pandera pass of one chunk just read; then its raw cells are freed."""
    start = len(files)
    files.extend(chunk)
    for file in chunk:
        guarded(file, check_file_level, file, campaign)
        kept.append(len(file.findings))
    for form in UNIT_FORMS.values():
        frames[form.id].append(_check_chunk(files, start, form, campaign))
    for file in chunk:  # checked: the typed rows hold what goes on; the count and row numbers stay
        file.rows = [ModelRow(row.row, _NO_VALUES) for row in file.rows]
        file.meta.pop(FRAME_TEXTS_KEY, None)  # the template's texts, only needed while reading


def _check_chunk(files: list[ReturnedFile], start: int, form: Form, campaign: Campaign) -> pd.DataFrame:
    """The pandera pass over the rows of ``files[start:]`` (positions in ``files``); a pass that fails is
    run again file by file, so only the file that breaks it gets ``internal-error`` (as ``validate_files``)."""
    frame = rows_frame(files[start:], form)
    frame["_file"] += start
    if frame.empty:
        return frame
    return run_isolating(lambda rows: _validate_rows(rows, files, form, campaign, similar=False),
                         frame, files, reread_by_file(files, form))


def _check_batch(files: list[ReturnedFile], frames: list[pd.DataFrame], form: Form, campaign: Campaign,
                 checks: Sequence[FormCheck], kept: list[int]) -> pd.DataFrame:
    """The checks across the batch over every chunk's typed rows: similar models, then the form's own.

    Should one fail, they run again file by file and a file that breaks them gets ``internal-error`` in
    place of its row findings, as when ``validate_files`` runs the whole check again file by file.
    """
    import pandas as pd

    frame = pd.concat(frames, ignore_index=True) if frames else rows_frame([], form)
    del frames[:]
    if frame.empty:
        return frame

    def by_file(rows: pd.DataFrame) -> Iterator[tuple[int, pd.DataFrame]]:  # raw cells are freed: split the typed rows
        for position, own in rows.groupby("_file", sort=True):
            yield int(position), own.reset_index(drop=True)

    return run_isolating(lambda rows: _batch_checks(rows, files, form, campaign, checks), frame, files, by_file,
                         keep=kept)


def _batch_checks(frame: pd.DataFrame, files: list[ReturnedFile], form: Form, campaign: Campaign,
                  checks: Sequence[FormCheck]) -> None:
    if form is PL01:
        check_duplicates(frame, files, form, campaign)
    for check in checks:
        check(frame, files, campaign)


def rows_by_file(typed: dict[str, pd.DataFrame]) -> dict[int, list[dict[str, Any]]]:
    """The typed rows of each file position as records (one pass over all files' rows), each form's frame
    taken out of ``typed`` and freed once converted."""
    by_file: dict[int, list[dict[str, Any]]] = {}
    for form_id in list(typed):
        frame = typed.pop(form_id)
        for record in records(frame):
            by_file.setdefault(int(record["_file"]), []).append(record)
    return by_file


_NATIVE = frozenset({str, type(None), int, float, bool, date, datetime})  # values pandas' to_dict gives back as they are


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """``frame.to_dict("records")``, column by column: the same dicts (keys in the columns' order, values
    boxed as pandas boxes them), without a pandas call per value (50,000 rows of 20 columns at city scale).

    ``to_dict`` iterates each column (as here) and passes the values of object and extension columns to
    ``maybe_box_native``, which returns a Python ``str``, ``None``, ``int``, ``float``, ``bool``, ``date``
    or ``datetime`` as it is; only other values (numpy scalars, ``pd.NA``) go through it here.
    """
    import numpy as np
    from pandas.api.extensions import ExtensionDtype

    try:
        from pandas.core.dtypes.cast import maybe_box_native  # pandas' own boxing, not a public name
    except ImportError:  # a pandas that moved it: its own, slower way
        return frame.to_dict("records")

    columns = frame.columns.tolist()
    values = []
    for position, dtype in enumerate(frame.dtypes.tolist()):
        column = list(frame.iloc[:, position])
        if dtype == np.dtype(object) or isinstance(dtype, ExtensionDtype):
            column = [v if type(v) in _NATIVE else maybe_box_native(v) for v in column]
        values.append(column)
    return [dict(zip(columns, row, strict=True)) for row in zip(*values, strict=True)]
