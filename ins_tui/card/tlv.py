"""A small BER-TLV reader for the Vitale files.

Vitale files are zero-padded: parsing stops at a `00` (or `FF`) tag instead of
reading padding as data. Malformed lengths raise `ValueError` so the reader can
refuse the card rather than show garbage.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Tlv:
    tag: int
    value: bytes

    @property
    def constructed(self) -> bool:
        first = self.tag
        while first > 0xFF:
            first >>= 8
        return bool(first & 0x20)

    def children(self) -> list[Tlv]:
        return list(parse(self.value))

    def first(self, tag: int) -> Tlv | None:
        return next((t for t in parse(self.value) if t.tag == tag), None)


def parse(data: bytes) -> Iterator[Tlv]:
    pos, end = 0, len(data)
    while pos < end:
        tag = data[pos]
        if tag in (0x00, 0xFF):
            return
        pos += 1
        if tag & 0x1F == 0x1F:  # multi-byte tag (7F21, 5F37…)
            while True:
                if pos >= end:
                    raise ValueError("truncated tag")
                tag = (tag << 8) | data[pos]
                pos += 1
                if not data[pos - 1] & 0x80:
                    break
        if pos >= end:
            raise ValueError("missing length")
        length = data[pos]
        pos += 1
        if length & 0x80:
            count = length & 0x7F
            if count == 0 or count > 3 or pos + count > end:
                raise ValueError("bad length")
            length = int.from_bytes(data[pos : pos + count], "big")
            pos += count
        if pos + length > end:
            raise ValueError("value overruns the file")
        yield Tlv(tag, bytes(data[pos : pos + length]))
        pos += length


def encode(tag: int, value: bytes) -> bytes:
    """BER-TLV encoding, used by the virtual cards to build their files."""
    tag_bytes = tag.to_bytes((tag.bit_length() + 7) // 8 or 1, "big")
    n = len(value)
    if n < 0x80:
        length = bytes([n])
    elif n <= 0xFF:
        length = bytes([0x81, n])
    else:
        length = bytes([0x82]) + n.to_bytes(2, "big")
    return tag_bytes + length + value
