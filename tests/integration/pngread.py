"""Reads pixels from the PNGs roomsign writes (8-bit RGB/RGBA, not interlaced). Stdlib only.
Strict: a bad chunk CRC, a missing IHDR/IEND or image data of the wrong size is an error."""
import struct
import zlib


def read_png(path):
    """Returns (width, height, rows) where rows[y] is a bytes object of RGB(A) pixels."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError(f"{path}: not a PNG")
    pos, idat, width, ended = 8, b"", 0, False
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + length]
        if len(chunk) != length or pos + 12 + length > len(data):
            raise ValueError(f"{path}: {kind!r} chunk truncated")
        crc, = struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])
        if zlib.crc32(kind + chunk) != crc:
            raise ValueError(f"{path}: {kind!r} chunk has a bad CRC")
        if pos == 8 and kind != b"IHDR":
            raise ValueError(f"{path}: the first chunk is not IHDR")
        pos += 12 + length
        if kind == b"IHDR":
            width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", chunk)
            if depth != 8 or colour not in (2, 6) or interlace:
                raise ValueError(f"{path}: unsupported PNG (depth {depth}, colour {colour})")
            bpp = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += chunk
        elif kind == b"IEND":
            ended = True
            break
    if not ended:
        raise ValueError(f"{path}: no IEND chunk")
    raw = zlib.decompress(idat)
    stride = width * bpp
    if len(raw) != height * (stride + 1):
        raise ValueError(f"{path}: {len(raw)} bytes of image data, expected {height * (stride + 1)}")
    rows, prev = [], bytearray(stride)
    for y in range(height):
        ftype, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        if ftype > 4:
            raise ValueError(f"{path}: row {y} has filter type {ftype}")
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            if ftype == 1:
                line[i] = (line[i] + a) & 0xFF
            elif ftype == 2:
                line[i] = (line[i] + b) & 0xFF
            elif ftype == 3:
                line[i] = (line[i] + (a + b) // 2) & 0xFF
            elif ftype == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 0xFF
        rows.append(bytes(line))
        prev = line
    return width, height, rows, bpp


def pixel(png, x, y):
    width, height, rows, bpp = png
    row = rows[y]
    return tuple(row[x * bpp:x * bpp + 3])


def close(rgb, want, tolerance=12):
    return all(abs(a - b) <= tolerance for a, b in zip(rgb, want))
