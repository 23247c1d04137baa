"""Writing a file that holds a secret or personal data (the recovery sheet, a printed
case document saved to disk): readable and writable by its owner alone from its first
byte, as exports are. The file is created with that mode (never made and then
chmod-ed, which leaves a moment when others can open it), written to a temporary name
beside the target, flushed to the disk and renamed over the target: a failure leaves
nothing, and a target that was world-readable is replaced, not rewritten in place.

Creating the temporary file is the check that the folder can be written, and comes
first: a recovery key must not be issued for a sheet that cannot be saved.

A target that exists and is not a regular file (`/dev/stdout`, a pipe, a printer's
device) is written to directly: there is no file to replace, its folder (`/dev`) is not
the person's to write in, and its mode is not theirs to change. A symbolic link is
followed: the file it names is replaced, the link is left as it is."""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from branchdesk.domain.errors import FieldError, ValidationError

#: Owner read and write, nobody else (POSIX; Windows files follow the folder's ACL).
PRIVATE_MODE = 0o600


@contextlib.contextmanager
def open_private(target: Path) -> Iterator[BinaryIO]:
    """A binary file to write, which becomes `target` when the block ends without an
    error; OSError when the folder cannot be written (before the block runs)."""
    if _is_stream(target):
        # O_WRONLY alone: no O_CREAT (it exists), no O_TRUNC, no chmod, no fsync (a
        # pipe refuses it); what was written is all there is to undo, and cannot be.
        with os.fdopen(os.open(target, os.O_WRONLY), "wb") as stream:
            yield stream
        return
    if target.is_symlink():
        # The file it names is what the person means (`/dev/stdout` redirected to a
        # file is such a link): the rename goes beside that file, over it, and the
        # link stays a link.
        try:
            target = target.resolve()
        except RuntimeError as exc:  # a loop of links (Python 3.11 says so this way)
            raise OSError(errno.ELOOP, os.strerror(errno.ELOOP), str(target)) from exc
    # mkstemp opens with O_CREAT | O_EXCL and mode 0600.
    handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    tmp = Path(name)
    try:
        with os.fdopen(handle, "wb") as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _is_stream(target: Path) -> bool:
    """`target` exists (through any symbolic link) and is a device or a pipe."""
    try:
        mode = target.stat().st_mode
    except OSError:
        return False
    return not stat.S_ISREG(mode) and not stat.S_ISDIR(mode)


@contextlib.contextmanager
def private_file(target: Path, *, field: str = "path") -> Iterator[BinaryIO]:
    """`open_private` for a command's output file: a folder that does not exist or
    cannot be written is refused as invalid input naming `field`."""
    if not target.parent.is_dir() or target.is_dir():
        raise ValidationError([FieldError(field, "error.field.invalid")])
    stack = contextlib.ExitStack()
    try:
        f = stack.enter_context(open_private(target))
    except OSError as exc:
        raise ValidationError(
            [FieldError(field, "error.export.not_writable", {"path": str(target)})]
        ) from exc
    with stack:
        yield f


def write_private(target: Path, data: bytes, *, field: str = "path") -> None:
    """`data` into `target`, readable by its owner alone (see `private_file`)."""
    with private_file(target, field=field) as f:
        f.write(data)


#: A folder its owner alone may list and enter (POSIX; Windows follows the parent's ACL).
PRIVATE_DIR_MODE = 0o700


def make_private_dir(folder: Path) -> None:
    """`folder` made for its owner alone (0700), with any missing parents (those keep
    the usual mode). A folder that exists empty, made for BranchDesk, is made
    owner-only too; one that already holds something else is the person's and its
    mode is left as it is (changing it could lock others out of their own files)."""
    # mkdir applies the mode to the last folder only, through the umask, which cannot
    # widen it; nothing is chmod-ed after the folder has content.
    folder.mkdir(mode=PRIVATE_DIR_MODE, parents=True, exist_ok=True)
    if not any(folder.iterdir()):
        folder.chmod(PRIVATE_DIR_MODE)
