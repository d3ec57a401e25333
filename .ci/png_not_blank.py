#!/usr/bin/env python3
"""Exit 0 when a PNG screenshot shows a drawn window: decodes it with the standard library only
(a CI machine may have nothing else) and asks for many colors and a large area that differs
from the most common color. A window that never drew is one flat color; a black frame too.

    python3 .ci/png_not_blank.py window.png
"""
import collections
import struct
import sys
import zlib


def read_png(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG file")
    pos, idat, header = 8, [], None
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat.append(body)
        pos += 12 + length
    width, height, depth, color, _, _, interlace = header
    channels = {2: 3, 6: 4}.get(color)
    if depth != 8 or channels is None or interlace:
        raise ValueError(f"unsupported PNG (bit depth {depth}, color type {color}, interlace {interlace})")
    raw, stride, rows, prev = zlib.decompress(b"".join(idat)), width * channels, [], bytearray(width * channels)
    for y in range(height):
        start = y * (stride + 1)
        kind, row = raw[start], bytearray(raw[start + 1:start + 1 + stride])
        for i in range(stride):  # undo the row filter (PNG spec, section 9)
            a = row[i - channels] if i >= channels else 0
            b, c = prev[i], prev[i - channels] if i >= channels else 0
            if kind == 1:
                row[i] = (row[i] + a) & 255
            elif kind == 2:
                row[i] = (row[i] + b) & 255
            elif kind == 3:
                row[i] = (row[i] + (a + b) // 2) & 255
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                row[i] = (row[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(row))
        prev = row
    return width, height, channels, rows


def main():
    path = sys.argv[1]
    try:
        width, height, channels, rows = read_png(path)
    except (OSError, ValueError, zlib.error, TypeError, struct.error) as e:
        print(f"png_not_blank: {path}: {e}", file=sys.stderr)
        return 1
    counts = collections.Counter()
    for row in rows[::4]:  # every 4th row and column is plenty to tell a drawn window
        for x in range(0, width, 4):
            counts[row[x * channels:x * channels + 3]] += 1
    total = sum(counts.values())
    other = 1.0 - counts.most_common(1)[0][1] / total
    print(f"png_not_blank: {path}: {width}x{height}, {len(counts)} colors, {other:.0%} not the background")
    if len(counts) < 16 or other < 0.05:
        print("png_not_blank: the screenshot is blank", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
