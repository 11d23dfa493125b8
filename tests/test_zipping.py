"""zipping.py: zips laid out from members deflated beforehand, read back by Python's zipfile and by unzip."""

import io
import shutil
import struct
import subprocess
import zipfile

import pytest
from hypothesis import given, settings, strategies as st

from archive import zipping
from archive.zipping import deflate, write_zip


def zipped(members: dict[str, bytes]) -> bytes:
    target = io.BytesIO()
    write_zip(target, ((name, deflate(content)) for name, content in members.items()))
    return target.getvalue()


def read_back(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None  # every member's CRC holds
        return {info.filename: archive.read(info) for info in archive.infolist()}


names = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), min_size=1, max_size=30)  # zipfile cuts a name at NUL


@settings(max_examples=50, deadline=None)
@given(st.dictionaries(names, st.binary(max_size=3000), max_size=12))
def test_every_member_reads_back_as_it_was(members):
    assert read_back(zipped(members)) == members


def test_the_bytes_are_those_of_pythons_zipfile_with_fixed_times_and_permissions():
    """The zip the offline copy had before its members were deflated on every core, below 65,535 members."""
    members = {"incident-archive/index.html": b"<!doctype html>" * 100, "incident-archive/регіони/index.html": b"x", "a/b.js": b""}
    before = io.BytesIO()
    with zipfile.ZipFile(before, "w") as archive:
        for name, content in members.items():
            info = zipfile.ZipInfo(name, date_time=(2000, 1, 1, 0, 0, 0))
            info.compress_type, info.external_attr = zipfile.ZIP_DEFLATED, 0o644 << 16
            archive.writestr(info, content)
    assert zipped(members) == before.getvalue()
    with zipfile.ZipFile(io.BytesIO(zipped(members))) as archive:
        assert {info.date_time for info in archive.infolist()} == {(2000, 1, 1, 0, 0, 0)}
        assert {info.external_attr >> 16 for info in archive.infolist()} == {0o644}
        assert {info.compress_type for info in archive.infolist()} == {zipfile.ZIP_DEFLATED}


def test_a_zip_of_more_members_than_its_end_record_can_count():
    """Over 65,535 members, as the offline copy of 100,000 incidents has: the ZIP64 end records count them."""
    members = {f"page-{number}.html": str(number).encode() for number in range(70_000)}
    data = zipped(members)
    back = read_back(data)
    assert len(back) == 70_000 and back["page-69999.html"] == b"69999"
    # zipfile reads the central directory by its size and needs no count: the ZIP64 end record must hold it
    end = data.rindex(b"PK\x06\x06")
    on_this_disk, in_all = struct.unpack_from("<QQ", data, end + 24)
    assert on_this_disk == in_all == 70_000


def test_members_past_four_gigabytes_are_found_through_zip64_records(monkeypatch, tmp_path):
    """A zip over 4 GB: its later members' offsets, and the central directory's, are in ZIP64 records
    (shown here with the threshold lowered, not with 4 GB of data)."""
    monkeypatch.setattr(zipping, "ZIP64_FROM", 1_000)
    members = {f"page-{number}.html": bytes(range(256)) * 3 for number in range(30)}
    data = zipped(members)
    assert read_back(data) == members
    assert b"PK\x06\x06" in data  # the ZIP64 end record, for the central directory's offset
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        later = [info for info in archive.infolist() if info.header_offset >= 1_000]
        assert later and all(info.extra.startswith(b"\x01\x00\x08\x00") for info in later)  # their offsets in ZIP64 fields
    if shutil.which("unzip"):  # Info-ZIP's reader too, where it is installed
        (tmp_path / "big.zip").write_bytes(data)
        tested = subprocess.run(["unzip", "-tq", str(tmp_path / "big.zip")], capture_output=True, text=True)
        assert tested.returncode == 0, tested.stdout + tested.stderr


def test_a_member_too_large_for_the_format_without_zip64_sizes_is_refused():
    huge = zipping.Deflated(b"", 0, 0xFFFFFFFF)
    with pytest.raises(ValueError, match="too large"):
        write_zip(io.BytesIO(), [("huge", huge)])
