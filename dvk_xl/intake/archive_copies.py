"""Received files copied into the archive under their sha256 (the pipeline's ``_archive`` and ``_Archiver``)."""

from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path


def copy_to_archive(source: str | Path, target: str | Path) -> None:
    """``source`` to ``target`` through a temporary file (never half a copy under the final name); an archive
    copy already there is kept: it is named after its bytes."""
    if not os.path.exists(target):
        temp = f"{target}.tmp"
        if not _send_file(source, temp):
            shutil.copyfile(source, temp)
        os.replace(temp, target)


def _send_file(source: str | Path, target: str) -> bool:
    """``shutil.copyfile(source, target)`` on Linux (``os.sendfile`` until the end, errors named alike) with the
    few system calls it needs: copyfile stats both paths four times first, a third of a copy's cost over
    10,000 files. False where sendfile is missing (Windows) or refused at once: the caller uses copyfile."""
    if not hasattr(os, "sendfile"):
        return False
    reader = os.open(source, os.O_RDONLY)
    try:
        blocksize = max(os.fstat(reader).st_size, 2 ** 23)
        writer = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
        try:
            offset = 0
            while True:
                try:
                    sent = os.sendfile(writer, reader, offset, blocksize)
                except OSError as err:
                    err.filename, err.filename2 = os.fspath(source), target
                    if err.errno == errno.ENOSPC or offset:
                        raise err from None
                    return False
                if not sent:
                    return True
                offset += sent
        finally:
            os.close(writer)
    finally:
        os.close(reader)
