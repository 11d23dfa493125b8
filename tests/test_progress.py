"""progress.py: a line on the terminal for long builds, nothing for short ones, CI or logs."""

import io
import time

from archive.progress import Progress


def test_silent_when_not_enabled():
    stream = io.StringIO()
    report = Progress(stream, enabled=False)
    report("Checking incident files", 5, 10)
    report.finish()
    assert stream.getvalue() == ""


def test_quiet_for_the_first_second_then_one_redrawn_line(monkeypatch):
    clock = [100.0]
    monkeypatch.setattr(time, "monotonic", lambda: clock[0])  # the clock archive.progress reads
    stream = io.StringIO()
    report = Progress(stream, enabled=True)
    report("Checking incident files", 1, 10)
    assert stream.getvalue() == ""
    clock[0] += 1.5
    report("Checking incident files", 5, 10)
    report("Checking incident files", 6, 10)  # too soon to redraw
    clock[0] += 0.2
    report("Indexing for search")
    report.finish()
    assert "Checking incident files 5/10 (50%)" in stream.getvalue() and "6/10" not in stream.getvalue()
    assert stream.getvalue().endswith("\r")


def test_off_in_ci(monkeypatch):
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    monkeypatch.setenv("CI", "true")
    assert Progress(Terminal()).enabled is False
    monkeypatch.delenv("CI")
    assert Progress(Terminal()).enabled is True
