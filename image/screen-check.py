#!/usr/bin/env python3
"""Checks a QEMU screendump for the room sign: one of the status colours (free, busy, soon) from
app/ui/theme.h covers a large part of the screen, and the screen is not a dark text console.
Usage: screen-check.py THEME_H SCREEN.png   (plain PNG decoding, no imaging library needed)"""
import os
import re
import sys

# The one PNG reader the tests share (stdlib only).
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "integration"))
from pngread import read_png  # noqa: E402

MIN_STATUS_SHARE = 0.10   # the status band/background is far larger than this on every layout
MAX_DARK_SHARE = 0.97     # a text console is almost entirely black


def main():
    theme = open(sys.argv[1]).read()
    colours = {name: int(value, 16) for name, value in
               re.findall(r"#define THEME_(FREE|BUSY|SOON)\s+0x([0-9a-fA-F]{6})", theme)}
    if len(colours) != 3:
        print("screen-check: THEME_FREE/BUSY/SOON not found in", sys.argv[1])
        return 1
    width, height, rows, bpp = read_png(sys.argv[2])
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
