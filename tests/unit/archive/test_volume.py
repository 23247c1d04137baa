"""The volume format on its own: round trip, every flipped byte detected and located,
truncation, a wrong data key, and the recovery key's text form."""

from __future__ import annotations

from pathlib import Path

import pytest

from branchdesk.archive.keys import ArchiveKeyError, RecoveryKey, new_data_key, seal_to_recovery
from branchdesk.archive.volume import (
    VolumeError,
    VolumeWriter,
    read_entry,
    read_header,
    verify_volume,
)


def make_volume(folder: Path, records: int = 3) -> tuple[Path, bytes, RecoveryKey, list[int]]:
    key = new_data_key()
    recovery = RecoveryKey.generate()
    header = {
        "format": "branchdesk-archive-volume",
        "volume_id": "v1",
        "key_slots": [
            {"type": "recovery", **seal_to_recovery(recovery.public, key, context="volume:v1")}
        ],
    }
    writer = VolumeWriter(folder / "v1.bdav", header, key)
    offsets = [writer.add({"n": i, "text": "张三" * 20}).offset for i in range(records)]
    sealed = writer.finish()
    assert not (folder / "v1.bdav.partial").exists()
    return sealed.path, key, recovery, offsets


def test_round_trip_and_random_access(tmp_path: Path) -> None:
    path, key, recovery, offsets = make_volume(tmp_path)
    assert verify_volume(path, key).offsets == tuple(offsets)
    assert read_entry(path, key, offsets[2]) == {"n": 2, "text": "张三" * 20}
    # The printed recovery key alone opens it: no keyring, no database.
    assert read_header(path).recovery_data_key(recovery) == key


def test_every_flipped_byte_is_detected_and_located(tmp_path: Path) -> None:
    path, key, _, _ = make_volume(tmp_path, records=2)
    original = path.read_bytes()
    places = set()
    for i in range(len(original)):
        damaged = bytearray(original)
        damaged[i] ^= 0x01
        path.write_bytes(bytes(damaged))
        with pytest.raises(VolumeError) as caught:
            verify_volume(path, key)
        assert caught.value.params["volume"] == "v1.bdav"
        places.add(str(caught.value.params.get("where", "")).split(" (")[0])
    # The header, each entry and the trailer are each named when they are the damage.
    assert {"header", "entry 1", "entry 2", "entry 3"} <= places


def test_truncation_and_appended_bytes_are_detected(tmp_path: Path) -> None:
    path, key, _, _ = make_volume(tmp_path)
    original = path.read_bytes()
    for data in (original[:-40], original + b"x"):
        path.write_bytes(data)
        with pytest.raises(VolumeError):
            verify_volume(path, key)


def test_a_wrong_data_key_opens_nothing(tmp_path: Path) -> None:
    path, _, _, offsets = make_volume(tmp_path)
    with pytest.raises(VolumeError):
        read_entry(path, new_data_key(), offsets[0])


def test_recovery_key_text_round_trip_and_typos() -> None:
    key = RecoveryKey.generate()
    text = key.text()
    assert text.startswith("BDRK-") and len(text.split("-")) == 15
    assert RecoveryKey.parse(text.lower().replace("-", " ")).private == key.private
    typo = text[:-1] + ("A" if text[-1] != "A" else "B")
    with pytest.raises(ArchiveKeyError) as caught:
        RecoveryKey.parse(typo)
    assert caught.value.key in (
        "error.archive.recovery_key_typo",
        "error.archive.recovery_key_malformed",
    )
    with pytest.raises(ArchiveKeyError):
        RecoveryKey.parse("BDRK-1234")


def test_another_recovery_key_is_named_not_guessed(tmp_path: Path) -> None:
    path, _, _, _ = make_volume(tmp_path)
    with pytest.raises(ArchiveKeyError) as caught:
        read_header(path).recovery_data_key(RecoveryKey.generate())
    assert caught.value.key == "error.archive.other_recovery_key"
