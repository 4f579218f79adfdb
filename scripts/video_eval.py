"""The picture as evidence (issue 24; scripts/bench runs it). Development only: the data set is built here.

    python3 scripts/video_eval.py PROVENANCE-BINARY BENCH-BINARY WORKDIR [--quick]

Videos from ffmpeg's synthetic sources, each its own: a moving colour field (`gradients`, its own seed), a
moving fractal (`sierpinski`), a small moving `life` patch, a lower-third caption drawn with its own words, and
espeak-ng speech of its own words. Originals are signed; clips of 15 s from a random offset are verified against
their manifests with the real binary, and the verdicts are scored:

- honest copies (scaled 1080p/720p to 360p, CRF 18 and 35, 24 and 30 fps, VP9, a logo in a corner, crops of
  up to 5% a side): picture matched in >= 95% of the clip's seconds, offset error <= 0.5 s, status `similar`;
- the picture replaced, the original's sound kept: `altered`;
- a region of 4-15% of the frame replaced for 3 s by another video's content at the same size and place:
  `altered`, with a region found within 1 s of the edit's start and end whose box holds the edit's centre;
- the caption's words changed: `altered`;
- the sound replaced by another voice saying other words, the original picture kept: `altered`;
- unrelated videos (each clip against every other original, by the bench's in-process comparison): no
  picture match of 2 s or more.

It also times picture fingerprinting of a 1080p H.264 video (as `sign` reads it) against the video's length.
"""
import json
import os
import random
import subprocess
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, "scripts"))
import dai_study  # noqa: E402

SIGNER, KEY, WORDS = dai_study.SIGNER, dai_study.KEY, dai_study.WORDS
CLIP = 15.0


def ff(*args):
    # A video already made in this work directory is the same (every choice comes from fixed seeds).
    if args[-1].endswith(".mp4") and os.path.exists(args[-1]):
        return
    subprocess.run(["ffmpeg", "-loglevel", "error", "-y", *args], check=True, capture_output=True)


def sentence(rng, n):
    return " ".join(rng.choice(WORDS) for _ in range(n))


def make_video(path, seed, seconds, size="1280x720", voice="en-us", words=None, top=None):
    """One synthetic video with its own layout, picture, caption and speech; returns its caption. Each draws
    where its fractal and its patch of `life` sit and move, how large they are, and the caption's place."""
    rng = random.Random(seed)
    w, h = map(int, size.split("x"))
    caption = sentence(rng, 4).title()
    caption = words or caption
    dai_study.speech_wav("speech%d.wav" % seed, voice, ". ".join(sentence(rng, 10) for _ in range(8)))
    s = w // 640
    fractal, patch = rng.randint(120, 260) * s, rng.randint(80, 200) * s
    top = rng.random() < 0.3 if top is None else top
    graph = (
        "[0:v][1:v]overlay=x='{a}+{b}*sin(t/{p})':y='{c}+{d}*cos(t/{q})'[v1];"
        "[v1][2:v]overlay=x='{e}+{f}*sin(t/{r})':y='{g}+{d}*sin(t/{p})'[v2];"
        "[v2]drawbox=x=0:y={by}:w={w}:h={bh}:color=black@0.7:t=fill,"
        "drawtext=text='{cap}':fontcolor=white:fontsize={fs}:x={tx}:y={ty}[out]").format(
        a=rng.randint(0, w - fractal - 100 * s), b=rng.randint(20, 100) * s, c=rng.randint(0, int(h * 0.8) - fractal),
        d=rng.randint(10, 40) * s, e=rng.randint(0, w - patch - 60 * s), f=rng.randint(20, 60) * s,
        g=rng.randint(0, int(h * 0.8) - patch), p=rng.uniform(1.5, 4), q=rng.uniform(2, 5), r=rng.uniform(3, 6),
        by=int(h * (0.04 if top else 0.82)), w=w, bh=int(h * 0.13), cap=caption, fs=24 * s, tx=rng.randint(10, 200) * s,
        ty=int(h * (0.07 if top else 0.85)))
    ff("-f", "lavfi", "-i", "gradients=size=%s:rate=25:speed=0.015:seed=%d:nb_colors=%d" % (
           size, seed, rng.randint(2, 6)),
       "-f", "lavfi", "-i", "sierpinski=size=%dx%d:rate=25:seed=%d:jump=%d" % (fractal, fractal, seed, 5 + seed % 7),
       "-f", "lavfi", "-i", "life=size=%dx%d:rate=25:seed=%d:mold=10:ratio=%.2f,scale=%d:%d" % (
           60, 60, seed, rng.uniform(0.2, 0.5), patch, patch),
       "-i", "speech%d.wav" % seed, "-filter_complex", graph, "-map", "[out]", "-map", "3:a", "-t", str(seconds),
       "-c:v", "libx264", "-preset", "veryfast", "-crf", "20", "-c:a", "aac", "-b:a", "128k", path)
    return caption


def clip(src, start, out, vf=None, extra=()):
    args = ["-ss", "%.2f" % start, "-i", src, "-t", str(CLIP)]
    if vf:
        args += ["-vf", vf]
    ff(*args, *extra, *(("-c:v", "libx264", "-crf", "26") if "-c:v" not in extra else ()), "-c:a", "aac", out)


def verify(binary, original, copy):
    r = subprocess.run([binary, "verify", "--offline", "--signer", SIGNER, "--manifest",
                        original + ".provenance.json", "--json", copy], capture_output=True, text=True)
    try:
        return json.loads(r.stdout.splitlines()[0])
    except (ValueError, IndexError):
        return {"status": "error", "stderr": r.stderr}


def honest_score(v, offset):
    pic = v.get("picture", {})
    matched = sum(m["end"] - m["start"] for m in pic.get("matches", []))
    errors = [abs(m["originalStart"] - m["start"] - offset) for m in pic.get("matches", [])]
    ok = v["status"] == "similar" and matched >= 0.95 * CLIP and errors and max(errors) <= 0.5
    return ok, "%s, %.1f of %.0f s matched, offset error %s" % (
        v["status"], matched, CLIP, "%.2f s" % max(errors) if errors else "-")


def region_score(v, t0, t1, box):
    x, y, w, h = box
    cx, cy = x + w / 2, y + h / 2
    for r in v.get("picture", {}).get("regions", []):
        inside = r["x"] <= cx <= r["x"] + r["w"] and r["y"] <= cy <= r["y"] + r["h"]
        if inside and abs(r["start"] - t0) <= 1 and abs(r["end"] - t1) <= 1:
            return v["status"] == "altered", "altered, region %.1f-%.1f s at %.2f,%.2f %.2fx%.2f" % (
                r["start"], r["end"], r["x"], r["y"], r["w"], r["h"])
    regions = ["%.1f-%.1f@%.2f,%.2f" % (r["start"], r["end"], r["x"], r["y"]) for r in
               v.get("picture", {}).get("regions", [])]
    return False, "%s, regions %s (edit %.1f-%.1f s at %.2f,%.2f %.2fx%.2f)" % (
        v["status"], regions or "none", t0, t1, x, y, w, h)


def variants(rng, name, others, caption, size):
    """(label, kind, build(out) -> truth) for one original."""
    w, h = map(int, size.split("x"))
    out = []
    honest = [("scaled to 360p, CRF 28", "scale=640:360", ()), ("CRF 18", None, ("-c:v", "libx264", "-crf", "18")),
              ("CRF 35", None, ("-c:v", "libx264", "-crf", "35")), ("24 fps", "fps=24", ()), ("30 fps", "fps=30", ()),
              ("VP9", None, ("-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8", "-b:v", "1M")),
              ("logo in a corner", "drawbox=x=iw*0.9:y=ih*0.04:w=iw*0.06:h=ih*0.07:color=red:t=fill", ()),
              ("crop 5% a side", "crop=iw*0.9:ih*0.9:iw*0.05:ih*0.05,scale=%d:%d" % (w, h), ()),
              ("crop 3% left, 5% top", "crop=iw*0.97:ih*0.95:iw*0.03:ih*0.05,scale=%d:%d" % (w, h), ())]
    for label, vf, extra in honest:
        out.append((label, "honest", vf, extra))
    out.append(("picture replaced", "altered", None, None))
    for area in (0.04, 0.09, 0.15, 0.04, 0.09, 0.15):
        n = sum(1 for o in out if o[1] == "region" and o[2] == area)
        out.append(("region %d%% replaced%s" % (round(area * 100), " again" if n else ""), "region", area, None))
    out.append(("caption changed", "altered-caption", None, None))
    out.append(("sound replaced", "altered-sound", None, None))
    return out


def build_variant(kind, src, start, out, rng, others, spec, extra, size):
    w, h = map(int, size.split("x"))
    other = rng.choice(others)
    if kind == "honest":
        clip(src, start, out, spec, extra)
        return None
    if kind == "altered":
        ff("-ss", "%.2f" % start, "-i", other, "-ss", "%.2f" % start, "-i", src, "-t", str(CLIP), "-map", "0:v",
           "-map", "1:a", "-c:v", "libx264", "-crf", "26", "-c:a", "aac", out)
        return None
    if kind == "region":
        side_w, side_h = spec ** 0.5 * 1.2, spec ** 0.5 / 1.2
        x, y = rng.uniform(0.05, 0.95 - side_w), rng.uniform(0.05, 0.78 - side_h)
        t0 = rng.uniform(2, CLIP - 6)
        box = "%d:%d:%d:%d" % (w * side_w, h * side_h, w * x, h * y)
        ff("-ss", "%.2f" % start, "-i", src, "-ss", "%.2f" % start, "-i", other, "-t", str(CLIP), "-filter_complex",
           "[1:v]crop=%s[p];[0:v][p]overlay=x=%d:y=%d:enable='between(t,%.2f,%.2f)'[v]" % (
               box, w * x, h * y, t0, t0 + 3), "-map", "[v]", "-map", "0:a", "-c:v", "libx264", "-crf", "26",
           "-c:a", "aac", out)
        return (t0, t0 + 3, (x, y, side_w, side_h))
    if kind == "altered-caption":
        # The same video made again with other words in its caption, the same clip of it.
        seed = 10 + int(src[4:-4])
        changed = "recaption%d.mp4" % seed
        make_video(changed, seed, 40, size, words=sentence(rng, 4).title(), top=False)
        clip(changed, start, out)
        return None
    if kind == "altered-sound":
        dai_study.speech_wav("other.wav", "en-gb", ". ".join(sentence(rng, 10) for _ in range(4)))
        ff("-ss", "%.2f" % start, "-i", src, "-i", "other.wav", "-t", str(CLIP), "-map", "0:v", "-map", "1:a",
           "-c:v", "libx264", "-crf", "26", "-c:a", "aac", out)
        return None


def unrelated(bench, originals, clips):
    """Each clip against every original but its own: picture matches of 2 s or more."""
    pairs, false = 0, []
    for o in originals:
        theirs = [c for c, owner in clips if owner != o]
        r = subprocess.run([bench, "picture", o, *theirs], capture_output=True, text=True, check=True)
        for line in r.stdout.splitlines()[1:]:
            v = json.loads(line)
            pairs += 1
            long = [m for m in v["matches"] if m[1] - m[0] >= 2]
            if long:
                false.append("%s vs %s: %s" % (v["clip"], o, long))
    return pairs, false


def speed(binary, work):
    """Picture fingerprinting of 60 s of 1080p H.264, against its length (the bench's decode + fingerprint)."""
    make_video("hd.mp4", 99, 60, "1920x1080")
    bench = binary
    t = time.perf_counter()
    subprocess.run([bench, "picture", "hd.mp4", "hd.mp4"], capture_output=True, check=True)
    return time.perf_counter() - t


def main():
    binary, bench, work = (os.path.abspath(a) for a in sys.argv[1:4])
    quick = "--quick" in sys.argv
    os.makedirs(work, exist_ok=True)
    os.chdir(work)
    rng = random.Random(24)
    count = 2 if quick else 3
    originals, captions = [], {}
    for k in range(count):
        size = "1920x1080" if k == 0 else "1280x720"
        name = "orig%d.mp4" % k
        if not os.path.exists(name):
            captions[name] = make_video(name, 10 + k, 40, size, top=False)
        originals.append((name, size))
    others = []
    for k in range(4 if quick else 12):
        name = "other%d.mp4" % k
        if not os.path.exists(name):
            make_video(name, 100 + k, 40, "1280x720", voice=["en-gb", "en-us+f3", "en-scottish"][k % 3])
        others.append(name)
    env = dict(os.environ, PROVENANCE_PRIVATE_KEY=KEY)
    for name, _ in originals:
        subprocess.run([binary, "sign", "--force", name], env=env, check=True, capture_output=True)
    rows, tally, clips = [], {}, []
    for name, size in originals:
        for label, kind, spec, extra in variants(rng, name, others, captions.get(name), size):
            start = rng.uniform(3, 40 - CLIP - 3)
            out = "%s-%s.mp4" % (name[:-4], label.replace(" ", "_").replace("%", "").replace(",", ""))
            truth = build_variant(kind, name, start, out, rng, others, spec, extra, size)
            v = verify(binary, name, out)
            if kind == "honest":
                ok, what = honest_score(v, start)
                clips.append((out, name))
            elif kind == "region":
                ok, what = region_score(v, *truth)
            else:
                ok, what = v["status"] == "altered", v["status"]
            group = "honest" if kind == "honest" else "region" if kind == "region" else label
            tally.setdefault(group, []).append(ok)
            rows.append((name, label, "yes" if ok else "NO", what))
    print("%-10s %-24s %-4s %s" % ("original", "copy", "ok", "verdict"))
    for row in rows:
        print("%-10s %-24s %-4s %s" % row)
    for o in others:
        clips.append((o, o))
    pairs, false = unrelated(bench, [n for n, _ in originals] + others[:4], clips)
    for group, oks in tally.items():
        print("%-20s %d/%d (%.0f%%)" % (group, sum(oks), len(oks), 100.0 * sum(oks) / len(oks)))
    print("unrelated pairs: %d, picture matches of 2 s or more: %d" % (pairs, len(false)))
    for f in false[:5]:
        print("  " + f)
    if not quick:
        t = speed(bench, work)
        print("1080p H.264, 60 s: picture fingerprint read in %.2f s (fingerprint and clip), %.1fx real time" % (
            t, 2 * 60 / t))


if __name__ == "__main__":
    main()
