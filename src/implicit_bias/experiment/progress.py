"""Progress of a sweep as it runs: a rich bar (runs done of total, runs per second, ETA, how
many diverged) on a terminal or in a notebook (rich renders in Jupyter), plain lines in a log.

The runner calls ``progress(done, total, diverged)`` after each finished task (runs found in
the store count as done at once); these are the two ways of showing it.
"""

import contextlib
from collections.abc import Callable, Iterator

from rich.console import Console

Progress = Callable[[int, int, int], None]


@contextlib.contextmanager
def progress_bar(console: Console | None = None) -> Iterator[Progress]:
    """A live bar for the duration of the ``with`` block; yields the runner's callback."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress as Bar, TimeRemainingColumn

    bar = Bar("[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
              "[progress.data.speed]{task.fields[rate]}", TimeRemainingColumn(), "[red]{task.fields[diverged]}",
              console=console)
    task = bar.add_task("runs", total=None, rate="", diverged="")

    def update(done: int, total: int, diverged: int) -> None:
        bar.update(task, completed=done, total=total, diverged=f"{diverged} diverged" if diverged else "")
        speed = bar.tasks[0].speed  # rich's running estimate, after the update
        bar.update(task, rate=f"{speed:.3g} runs/s" if speed else "")

    with bar:
        yield update


def progress_lines(done: int, total: int, diverged: int) -> None:
    """One plain line per finished task (for logs and pipes, where a bar would be noise)."""
    print(f"runs: {done}/{total} done, {diverged} diverged", flush=True)
