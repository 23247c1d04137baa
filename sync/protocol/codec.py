"""Body compression for the wire: zstd (the default, chosen by measurement in
benchmarks/sync_bench.py) or gzip, with hard limits on both the compressed and the
decompressed size so that a decompression bomb is refused after reading at most the
limit, never expanded into memory."""

from __future__ import annotations

import io
import zlib

import zstandard

ENCODINGS = ("zstd", "gzip", "identity")
DEFAULT_ENCODING = "zstd"
# Level 3 is zstd's default; higher levels cost CPU at the branch for a few percent.
_ZSTD_LEVEL = 3
_CHUNK = 64 * 1024


class BodyTooLarge(Exception):
    """The body, or what it expands to, is over the limit."""


class BadEncoding(Exception):
    """The body is not valid data in the encoding it claims."""


def compress(data: bytes, encoding: str = DEFAULT_ENCODING) -> bytes:
    if encoding == "zstd":
        return zstandard.ZstdCompressor(level=_ZSTD_LEVEL).compress(data)
    if encoding == "gzip":
        compressor = zlib.compressobj(6, zlib.DEFLATED, 31)
        return compressor.compress(data) + compressor.flush()
    if encoding == "identity":
        return data
    raise ValueError(f"unknown encoding {encoding!r}")


def decompress(data: bytes, encoding: str, *, limit: int) -> bytes:
    """Expand `data`; raise BodyTooLarge as soon as the output would pass `limit`."""
    encoding = (encoding or "identity").strip().lower()
    if encoding == "identity":
        if len(data) > limit:
            raise BodyTooLarge(len(data))
        return data
    if encoding == "zstd":
        return _unzstd(data, limit)
    if encoding == "gzip":
        return _gunzip(data, limit)
    raise BadEncoding(encoding)


def _unzstd(data: bytes, limit: int) -> bytes:
    # A stream reader bounds its output per read, unlike one-shot decompression, which
    # trusts the frame's declared size (a bomb declares none, or lies).
    out = bytearray()
    try:
        with zstandard.ZstdDecompressor().stream_reader(
            io.BytesIO(data), read_across_frames=True
        ) as reader:
            while True:
                piece = reader.read(_CHUNK)
                if not piece:
                    break
                out += piece
                if len(out) > limit:
                    raise BodyTooLarge(len(out))
    except zstandard.ZstdError as exc:
        raise BadEncoding(str(exc)) from exc
    if not out and data:
        raise BadEncoding("no zstd frame")
    return bytes(out)


def _gunzip(data: bytes, limit: int) -> bytes:
    inflater = zlib.decompressobj(31)
    out = bytearray()
    try:
        pending = data
        while pending:
            out += inflater.decompress(pending, _CHUNK)
            if len(out) > limit:
                raise BodyTooLarge(len(out))
            pending = inflater.unconsumed_tail
            if inflater.eof:
                break
    except zlib.error as exc:
        raise BadEncoding(str(exc)) from exc
    if not inflater.eof:
        raise BadEncoding("truncated gzip stream")
    return bytes(out)
