"""What `verify` finds of a signed episode in the copies a dynamic-ad-insertion (DAI) server hands listeners
(issue 28; scripts/bench runs it). Development only: the data set is built here at run time.

    python3 scripts/dai_study.py PROVENANCE-BINARY WORKDIR [--quick]

The episode: espeak-ng sentences with 1.5 s of digital silence between them (as real podcasts have between
segments), about 4.2 minutes. For each encoding (MP3 CBR 64-320 kbps and VBR, stereo and mono, 44.1 and
48 kHz; AAC in M4A), the episode and three ads are encoded alike, the episode is signed, and copies are
stitched the way DAI servers do it, by ffmpeg's concat demuxer without re-encoding (`-c copy`: the episode's
frames kept, the container and the Xing/LAME header rewritten): one mid-roll ad; a pre-, a mid- and a
post-roll; two mid-rolls with the ID3v2 tag replaced by the server's (another title, ~60 KB of cover art).

The truth comes from the frames themselves (ffprobe's packets of the copy and of the episode, matched by
their bytes in order): the publisher's bytes in the copy are its frames that are the episode's; an ad is a
run of frames that are not. For each copy it prints the share of the publisher's bytes proven authentic,
whether the search was cut short, whether every ad lies inside a range the verdict calls differing, and
the largest distance, in seconds, between an ad's true start and end in the copy and the times the verdict
gives for the differing range holding it (where the verdict gives times).
"""
import json
import os
import random
import struct
import subprocess
import sys
import wave

SIGNER = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
KEY = "ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"

ENCODINGS = [
    ("mp3-64k-mono-44k", ["-ac", "1", "-ar", "44100", "-c:a", "libmp3lame", "-b:a", "64k"], "mp3"),
    ("mp3-128k-stereo-44k", ["-ac", "2", "-ar", "44100", "-c:a", "libmp3lame", "-b:a", "128k"], "mp3"),
    ("mp3-128k-mono-48k", ["-ac", "1", "-ar", "48000", "-c:a", "libmp3lame", "-b:a", "128k"], "mp3"),
    ("mp3-192k-stereo-48k", ["-ac", "2", "-ar", "48000", "-c:a", "libmp3lame", "-b:a", "192k"], "mp3"),
    ("mp3-320k-stereo-44k", ["-ac", "2", "-ar", "44100", "-c:a", "libmp3lame", "-b:a", "320k"], "mp3"),
    ("mp3-vbr-stereo-44k", ["-ac", "2", "-ar", "44100", "-c:a", "libmp3lame", "-q:a", "4"], "mp3"),
    ("m4a-128k-stereo-44k", ["-ac", "2", "-ar", "44100", "-c:a", "aac", "-b:a", "128k"], "m4a"),
    ("m4a-64k-mono-48k", ["-ac", "1", "-ar", "48000", "-c:a", "aac", "-b:a", "64k"], "m4a"),
]

WORDS = ("the news today provenance signature chain podcast episode listener publisher record audio clip market "
         "weather city council vote budget school river bridge station morning evening report interview guest "
         "question answer history science music story people government election energy water price health "
         "doctor hospital family children street light window table garden").split()

ADS = [
    ("en-gb", "Buy the amazing product today. Visit our sponsor at example dot com. This show is brought to you by "
              "the best sponsor in the world, with great deals every single day of the week."),
    ("en-us+f3", "This episode is supported by a bank that never sleeps. Open an account in minutes and get a "
                 "welcome bonus. Terms apply, see the website for details and conditions."),
    ("en-scottish", "Tired of slow internet? Switch today and stream everything you love without waiting. Call "
                    "now or visit us online to find the plan that fits your home."),
]


def run(*args, **kw):
    return subprocess.run(args, check=True, capture_output=True, **kw)


def speech_wav(path, voice, text, rate=22050):
    run("espeak-ng", "-v", voice, "-s", "165", "-w", path, text)
    with wave.open(path) as w:
        assert w.getframerate() == rate and w.getnchannels() == 1
        return w.readframes(w.getnframes())


def build_sources(quick):
    """ep.wav (sentences and 1.5 s silences) and ad0..2.wav (with 0.5 s of silence each side), 22050 Hz."""
    if os.path.exists("ep.wav"):
        return
    rng = random.Random(28)
    silence = b"\0\0" * int(22050 * 1.5)
    frames = b""
    for i in range(12 if quick else 40):
        sentence = " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 16))).capitalize() + "."
        frames += speech_wav("s.wav", "en-us", sentence) + silence
    write_wav("ep.wav", frames)
    for k, (voice, text) in enumerate(ADS):
        pad = b"\0\0" * int(22050 * 0.5)
        write_wav("ad%d.wav" % k, pad + speech_wav("s.wav", voice, text) + pad)
    os.remove("s.wav")


def write_wav(path, frames, rate=22050):
    with wave.open(path, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(frames)


def duration(path):
    out = run("ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", path).stdout
    return float(out)


def packets(path):
    """(pos, size, time) of every audio packet, from ffprobe."""
    out = run("ffprobe", "-v", "error", "-select_streams", "a:0", "-show_entries", "packet=pos,size,pts_time",
              "-of", "json", path).stdout
    return [(int(p["pos"]), int(p["size"]), float(p["pts_time"])) for p in json.loads(out)["packets"]]


def id3_size(data):
    if data[:3] != b"ID3":
        return 0
    s = data[6:10]
    return 10 + (s[0] << 21 | s[1] << 14 | s[2] << 7 | s[3])


def synchsafe(n):
    return bytes([(n >> 21) & 0x7F, (n >> 14) & 0x7F, (n >> 7) & 0x7F, n & 0x7F])


def server_tag(title, art_bytes):
    """An ID3v2.3 tag as a DAI server writes it: its own title and embedded cover art."""
    def frame(fid, body):
        return fid + struct.pack(">I", len(body)) + b"\0\0" + body
    art = b"\xff\xd8\xff\xe0" + random.Random(5).randbytes(art_bytes) + b"\xff\xd9"
    body = frame(b"TIT2", b"\x00" + title.encode()) + frame(b"APIC", b"\x00image/jpeg\x00\x03\x00" + art)
    return b"ID3\x03\x00\x00" + synchsafe(len(body)) + body


def stitch(ext, episode, ads, cuts, out, tag=None):
    """The episode cut at `cuts` (seconds; 0 = pre-roll, the end = post-roll) with ads[k] after cut k, by
    ffmpeg's concat demuxer without re-encoding; then, if `tag`, the copy's ID3v2 tag replaced by it."""
    lines, start = [], 0.0
    end = duration(episode)
    for k, t in enumerate(cuts):
        if t > start:
            lines += ["file '%s'" % episode] + (["inpoint %.3f" % start] if start else []) + ["outpoint %.3f" % t]
        lines.append("file '%s'" % ads[k])
        start = t
    if start < end:
        lines += ["file '%s'" % episode] + (["inpoint %.3f" % start] if start else [])
    open("list.txt", "w").write("\n".join(lines) + "\n")
    run("ffmpeg", "-loglevel", "error", "-y", "-f", "concat", "-safe", "0", "-i", "list.txt", "-c", "copy", out)
    if tag is not None:
        data = open(out, "rb").read()
        open(out, "wb").write(tag + data[id3_size(data):])


def truth(copy, episode):
    """The copy's packets that are the episode's, and the runs of other packets (the ads). Packets are matched
    by their bytes in order: on from the last match, else re-synchronised on a packet that occurs once in the
    episode and whose next three follow it (silent packets repeat: an ad's silence is byte for byte the episode's) and extended backwards."""
    cdata, edata = open(copy, "rb").read(), open(episode, "rb").read()
    cp, ep = packets(copy), packets(episode)
    cbytes = [cdata[p:p + n] for p, n, _ in cp]
    ebytes = [edata[p:p + n] for p, n, _ in ep]
    where = {}
    for i, b in enumerate(ebytes):
        where.setdefault(b, []).append(i)
    match, nxt = [None] * len(cp), 0
    for k, b in enumerate(cbytes):
        if nxt < len(ebytes) and ebytes[nxt] == b:
            match[k], nxt = nxt, nxt + 1
        elif len(where.get(b, [])) == 1 and where[b][0] >= nxt and all(
                k + d < len(cbytes) and where[b][0] + d < len(ebytes) and cbytes[k + d] == ebytes[where[b][0] + d]
                for d in (1, 2, 3)):
            j = where[b][0]
            match[k], nxt = j, j + 1
            back = 1
            while k - back >= 0 and match[k - back] is None and j - back >= 0 and cbytes[k - back] == ebytes[j - back]:
                match[k - back] = j - back
                back += 1
    mine = [(cp[k][0], cp[k][0] + cp[k][1]) for k in range(len(cp)) if match[k] is not None]
    runs, current = [], None
    for k, (p, n, t) in enumerate(cp):
        if match[k] is not None:
            if current:
                runs.append(current)
                current = None
            continue
        current = current or {"start": p, "startTime": t}
        current["end"], current["endTime"] = p + n, t + packet_seconds(cp, k)
        if cbytes[k] not in where:
            current.setdefault("coreStart", p)
            current.setdefault("coreStartTime", t)
            current["coreEnd"], current["coreEndTime"] = p + n, t + packet_seconds(cp, k)
    if current:
        runs.append(current)
    return mine, runs


def gap(t, lo, hi):
    """How far t lies outside [lo, hi]."""
    return max(0.0, lo - t, t - hi)


def packet_seconds(cp, k):
    return cp[k + 1][2] - cp[k][2] if k + 1 < len(cp) else cp[k][2] - cp[k - 1][2]


def measure(binary, copy, episode):
    mine, runs = truth(copy, episode)
    ads = []
    for a in (a for a in runs if "coreStart" in a):  # a run of silence alone is no ad
        # An ad's pause between words may be the episode's silence frame for frame: one ad, not two.
        if ads and a["startTime"] - ads[-1]["endTime"] < 1.0:
            ads[-1].update(end=a["end"], endTime=a["endTime"], coreEnd=a["coreEnd"], coreEndTime=a["coreEndTime"])
        else:
            ads.append(dict(a))
    r = subprocess.run([binary, "verify", "--offline", "--signer", SIGNER, "--manifest",
                        episode + ".provenance.json", "--json", copy], capture_output=True, text=True)
    v = json.loads(r.stdout)
    parts = v.get("authentic", [])
    publisher = sum(e - s for s, e in mine)
    found = sum(max(0, min(e, p["end"]) - max(s, p["start"])) for s, e in mine for p in parts)
    differing = v.get("differingRanges", [])
    # An ad's own opening and closing silence is byte for byte the episode's: only its core (the packets the
    # episode does not have) must lie in a differing range, and a boundary anywhere in that silence is exact.
    inside = all(any(d["start"] <= a["coreStart"] and a["coreEnd"] <= d["end"] for d in differing) for a in ads)
    errors = []
    for a in ads:
        d = next((d for d in differing if d["start"] <= a["coreStart"] and a["coreEnd"] <= d["end"]), None)
        if d and "startTime" in d:
            errors.append(max(gap(d["startTime"], a["startTime"], a["coreStartTime"]),
                              gap(d["endTime"], a["coreEndTime"], a["endTime"])))
    return {
        "copy": os.path.getsize(copy), "publisher": publisher, "found": found / publisher if publisher else 0,
        "skipped": v.get("skippedCandidates", 0), "ads": len(ads), "inside": inside,
        "timeError": max(errors) if len(errors) == len(ads) and errors else None, "status": v.get("status"),
    }


def main():
    binary, work = os.path.abspath(sys.argv[1]), sys.argv[2]
    quick = "--quick" in sys.argv
    os.makedirs(work, exist_ok=True)
    os.chdir(work)
    build_sources(quick)
    env = dict(os.environ, PROVENANCE_PRIVATE_KEY=KEY)
    length = duration("ep.wav")
    print("episode: %.1f s of speech with 1.5 s silences; ads %s s" % (
        length, ", ".join("%.1f" % duration("ad%d.wav" % k) for k in range(3))))
    print("%-21s %-13s %9s %10s %8s %8s %12s %10s" % (
        "encoding", "copy", "bytes", "found", "cut", "ads in", "time error", "status"))
    worst = 1.0
    for name, args, ext in (ENCODINGS[:3] + ENCODINGS[6:7] if quick else ENCODINGS):
        episode = "%s.%s" % (name, ext)
        if not os.path.exists(episode):
            run("ffmpeg", "-loglevel", "error", "-y", "-i", "ep.wav", *args, episode)
            for k in range(3):
                run("ffmpeg", "-loglevel", "error", "-y", "-i", "ad%d.wav" % k, *args, "%s-ad%d.%s" % (name, k, ext))
        run(binary, "sign", "--force", "--no-fingerprint", episode, env=env)
        ads = ["%s-ad%d.%s" % (name, k, ext) for k in range(3)]
        copies = [("mid-roll", [60.0], None), ("pre+mid+post", [0.0, length / 2, length + 1], None)]
        if ext == "mp3":
            copies.append(("2 mids+tag", [length / 3, 2 * length / 3], server_tag("DAI", 60_000)))
        for label, cuts, tag in copies:
            out = "%s-%s.%s" % (name, label.replace("+", "-").replace(" ", ""), ext)
            stitch(ext, episode, ads, [min(c, duration(episode)) for c in cuts], out, tag)
            m = measure(binary, out, episode)
            worst = min(worst, m["found"])
            print("%-21s %-13s %9d %9.1f%% %8s %8s %12s %10s" % (
                name, label, m["copy"], 100 * m["found"], m["skipped"] or "no",
                "%d/%d" % (m["ads"], m["ads"]) if m["inside"] else "NO",
                "%.3f s" % m["timeError"] if m["timeError"] is not None else "-", m["status"]))
    print("worst share of the publisher's bytes found: %.1f%%" % (100 * worst))


if __name__ == "__main__":
    main()
