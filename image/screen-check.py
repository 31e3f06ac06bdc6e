#!/usr/bin/env python3
"""Checks a QEMU screendump for the room sign: one of the status colours (free, busy, soon) from
app/ui/theme.h covers a large part of the screen, and the screen is not a dark text console.
Usage: screen-check.py THEME_H SCREEN.png   (plain PNG decoding, no imaging library needed)"""
import re
import struct
import sys
import zlib

MIN_STATUS_SHARE = 0.10   # the status band/background is far larger than this on every layout
MAX_DARK_SHARE = 0.97     # a text console is almost entirely black


def read_png(path):
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    pos, idat, width = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", body)
            if depth != 8 or colour not in (2, 6) or interlace:
                raise ValueError(f"unsupported PNG (depth {depth}, colour type {colour})")
            bpp = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += body
    raw = zlib.decompress(idat)
    stride = width * bpp
    rows, prev, i = [], bytearray(stride), 0
    for _ in range(height):
        ftype, line = raw[i], bytearray(raw[i + 1:i + 1 + stride])
        i += 1 + stride
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b, c = prev[x], prev[x - bpp] if x >= bpp else 0
            if ftype == 1:
                line[x] = (line[x] + a) & 255
            elif ftype == 2:
                line[x] = (line[x] + b) & 255
            elif ftype == 3:
                line[x] = (line[x] + (a + b) // 2) & 255
            elif ftype == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    return width, height, bpp, rows


def main():
    theme = open(sys.argv[1]).read()
    colours = {name: int(value, 16) for name, value in
               re.findall(r"#define THEME_(FREE|BUSY|SOON)\s+0x([0-9a-fA-F]{6})", theme)}
    if len(colours) != 3:
        print("screen-check: THEME_FREE/BUSY/SOON not found in", sys.argv[1])
        return 1
    width, height, bpp, rows = read_png(sys.argv[2])
    counts = {name: 0 for name in colours}
    dark = 0
    targets = [(name, (v >> 16) & 255, (v >> 8) & 255, v & 255) for name, v in colours.items()]
    for row in rows:
        for x in range(0, len(row), bpp * 2):          # every other pixel is plenty
            r, g, b = row[x], row[x + 1], row[x + 2]
            if r + g + b < 60:
                dark += 1
            for name, tr, tg, tb in targets:
                if abs(r - tr) + abs(g - tg) + abs(b - tb) <= 30:
                    counts[name] += 1
    total = sum(len(row) // (bpp * 2) for row in rows)
    shares = {name: n / total for name, n in counts.items()}
    print(f"screen-check: {width}x{height}, " +
          ", ".join(f"{name.lower()} {share:.1%}" for name, share in shares.items()) +
          f", near-black {dark / total:.1%}")
    best = max(shares, key=shares.get)
    if shares[best] < MIN_STATUS_SHARE:
        print(f"screen-check: no status colour covers {MIN_STATUS_SHARE:.0%} of the screen")
        return 1
    if dark / total > MAX_DARK_SHARE:
        print("screen-check: the screen is (almost) black: a console, not the sign")
        return 1
    print(f"screen-check: the sign shows {best.lower()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
