"""Publishing a build all or nothing.

A build writes its store and exports into `OUT/.staging/`, marks the folder complete, and
only then moves each output into `OUT/` with renames. Killed at any moment before the mark,
the previous outputs are untouched and the staging folder is thrown away; killed while
moving, the next build (or the next reader) finishes the moves, so `OUT/` never keeps a mix
of two builds. One build at a time writes into a folder: it holds a lock on `OUT/.lock`.
"""
from __future__ import annotations

import fcntl
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from kg.errors import StoreError

STAGING_DIR = ".staging"
RETIRED_DIR = ".retired"
LOCK_FILE = ".lock"
#: Written last into the staging folder: from then on its outputs are the build's.
COMPLETE_MARK = "COMPLETE"


@contextmanager
def build_lock(out_dir: Path) -> Iterator[None]:
    """Hold `out_dir`'s lock for the duration of a build.

    Raises:
        StoreError: another build is writing into `out_dir`.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    with open(out_dir / LOCK_FILE, "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise StoreError(f"{out_dir}: another `kg build` is writing here") from None
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def begin(out_dir: Path) -> Path:
    """An empty staging folder for a new build's outputs; `recover` first, under the lock."""
    staging = out_dir / STAGING_DIR
    staging.mkdir(parents=True)
    return staging


def publish(out_dir: Path) -> None:
    """Mark the staged outputs complete and move them into `out_dir`, replacing old ones."""
    (out_dir / STAGING_DIR / COMPLETE_MARK).touch()
    _move_staged(out_dir)


def recover(out_dir: Path) -> None:
    """Finish or undo a build that was stopped: complete outputs are moved in, others dropped.

    Call it only while holding `out_dir`'s lock, or where no build can be running.
    """
    staging = out_dir / STAGING_DIR
    if (staging / COMPLETE_MARK).exists():
        _move_staged(out_dir)
    elif staging.exists():
        shutil.rmtree(staging)
    shutil.rmtree(out_dir / RETIRED_DIR, ignore_errors=True)


def recover_if_idle(out_dir: Path) -> None:
    """`recover`, for readers: only when an interrupted build left complete outputs behind
    and no build is running now."""
    if not (out_dir / STAGING_DIR / COMPLETE_MARK).exists():
        return
    try:
        with build_lock(out_dir):
            recover(out_dir)
    except (StoreError, OSError):
        pass  # a build is running (it will finish the job), or the folder is read-only


def _move_staged(out_dir: Path) -> None:
    # Each step can be repeated after a kill: an output already moved is no longer staged,
    # and one moved aside but not yet replaced is replaced on the next pass.
    staging, retired = out_dir / STAGING_DIR, out_dir / RETIRED_DIR
    for staged in sorted(staging.iterdir()):
        if staged.name == COMPLETE_MARK:
            continue
        target = out_dir / staged.name
        if target.is_dir() and not target.is_symlink():
            retired.mkdir(exist_ok=True)
            aside = retired / staged.name
            shutil.rmtree(aside, ignore_errors=True)
            os.replace(target, aside)
        os.replace(staged, target)  # a file replaces a file in one step
    (staging / COMPLETE_MARK).unlink()
    staging.rmdir()
    shutil.rmtree(retired, ignore_errors=True)
