"""Measures the two chunking schemes docs/FORMAT.md §2b chose between, on real speech MP3s.

    python3 scripts/chunking_study.py EPISODE.mp3 COPY.mp3...

For each block/average size: the share of each copy's bytes found in blocks of the original, and the
manifest's size as a share of the episode (base64 of the digests, plus a 4-byte window key per block for
fixed blocks, or a 2-byte length per chunk for content-defined chunks). Development only.
"""
import hashlib
import random
import sys

WINDOW = 32


def fixed_blocks(data, size):
    return [(o, data[o:o + size]) for o in range(0, len(data), size)]


def rolling_matches(original, copy, size):
    """Every full block of the original that occurs at any offset of the copy (rsync's search), greedy."""
    blocks = fixed_blocks(original, size)
    by_window = {}
    for i, (o, b) in enumerate(blocks):
        by_window.setdefault(b[:WINDOW], []).append(i)
    digests = [hashlib.sha256(b).digest() for _, b in blocks]
    found, p = 0, 0
    while p + WINDOW <= len(copy):
        hit = None
        for i in by_window.get(copy[p:p + WINDOW], ()):
            n = len(blocks[i][1])
            if hashlib.sha256(copy[p:p + n]).digest() == digests[i]:
                hit = n
                break
        if hit:
            found += hit
            p += hit
        else:
            p += 1
    return found


def gear_table():
    rng = random.Random(1)
    return [rng.getrandbits(64) for _ in range(256)]


GEAR = gear_table()


def cdc(data, avg):
    """FastCDC-style content-defined chunks (gear hash, normalised: min avg/4, max avg*4)."""
    bits = avg.bit_length() - 1
    mask_s = (1 << (bits + 1)) - 1  # harder before avg
    mask_l = (1 << (bits - 1)) - 1  # easier after
    lo, hi = avg // 4, avg * 4
    out, start, n = [], 0, len(data)
    while start < n:
        h, i, end = 0, start + lo, min(n, start + hi)
        cut = end
        while i < end:
            h = ((h << 1) + GEAR[data[i]]) & 0xFFFFFFFFFFFFFFFF
            mask = mask_s if i - start < avg else mask_l
            if (h >> 40) & mask == 0:
                cut = i + 1
                break
            i += 1
        out.append(data[start:cut])
        start = cut
    return out


def cdc_matches(original, copy, avg):
    known = {hashlib.sha256(c).digest() for c in cdc(original, avg)}
    return sum(len(c) for c in cdc(copy, avg) if hashlib.sha256(c).digest() in known)


def main():
    original = open(sys.argv[1], "rb").read()
    copies = [(name, open(name, "rb").read()) for name in sys.argv[2:]]
    print(f"episode {len(original)} bytes")
    for size in (4096, 8192, 16384):
        blocks = -(-len(original) // size)
        manifest = blocks * (44 + 11) / len(original)  # base64 of a 32-byte digest and an 8-byte key pair
        shares = " ".join(f"{rolling_matches(original, c, size) / len(c):.3f}" for _, c in copies)
        print(f"fixed {size:6} + rolling search: manifest {manifest:.2%}  found {shares}")
    for avg in (4096, 8192, 16384):
        chunks = len(cdc(original, avg))
        manifest = chunks * (44 + 3) / len(original)
        shares = " ".join(f"{cdc_matches(original, c, avg) / len(c):.3f}" for _, c in copies)
        print(f"CDC avg {avg:6}: {chunks} chunks, manifest {manifest:.2%}  found {shares}")


if __name__ == "__main__":
    main()
