"""A 60-minute episode with three ads (issue 28; scripts/bench runs it). Development only; data built here.

    python3 scripts/dai_long.py PROVENANCE-BINARY WORKDIR [--minutes N]

1. Speed: the 128 kbps episode with three ads stitched in without re-encoding (ffmpeg concat, -c copy),
   verified against the show's feed served over HTTP (devnet/media_server.py), timed against
   `openssl dgst -sha256` of the same copy, both in this run (median of 3).
2. Re-encoded: a DAI server that re-encodes the whole stitched file (64 kbps mono) is the fingerprint's case:
   the verdict must be `similar`, with the three ad stretches unmatched; the matching time is reported (the
   verify with sound decoded by ffmpeg, less the decode alone).
"""
import json
import os
import random
import statistics
import subprocess
import sys
import time
import wave

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, "scripts"))
import dai_study  # noqa: E402

SIGNER = dai_study.SIGNER


def run(*args, **kw):
    return subprocess.run(args, check=True, capture_output=True, **kw)


def timed(args, text=True, **kw):
    t = time.perf_counter()
    r = subprocess.run(args, capture_output=True, text=text, **kw)
    return time.perf_counter() - t, r


def build(minutes):
    if os.path.exists("long.mp3"):
        return
    rng = random.Random(60)
    frames, seconds = b"", 0.0
    silence = b"\0\0" * int(22050 * 1.5)
    while seconds < minutes * 60:
        text = " ".join(rng.choice(dai_study.WORDS) for _ in range(rng.randint(30, 60))) + "."
        frames += dai_study.speech_wav("s.wav", "en-us", text) + silence
        seconds = len(frames) / 2 / 22050
    dai_study.write_wav("long.wav", frames)
    args = ["-ac", "2", "-ar", "44100", "-c:a", "libmp3lame", "-b:a", "128k"]
    run("ffmpeg", "-loglevel", "error", "-y", "-i", "long.wav", *args, "long.mp3")
    for k, (voice, text) in enumerate(dai_study.ADS):
        pad = b"\0\0" * int(22050 * 0.5)
        dai_study.write_wav("ad%d.wav" % k, pad + dai_study.speech_wav("s.wav", voice, text) + pad)
        run("ffmpeg", "-loglevel", "error", "-y", "-i", "ad%d.wav" % k, *args, "long-ad%d.mp3" % k)
    os.remove("long.wav")


def main():
    binary, work = os.path.abspath(sys.argv[1]), sys.argv[2]
    minutes = int(sys.argv[sys.argv.index("--minutes") + 1]) if "--minutes" in sys.argv else 60
    os.makedirs(work, exist_ok=True)
    os.chdir(work)
    build(minutes)
    env = dict(os.environ, PROVENANCE_PRIVATE_KEY=dai_study.KEY)
    run(binary, "sign", "--force", "long.mp3", env=env)
    length = dai_study.duration("long.mp3")
    cuts = [length * 0.25, length * 0.5, length * 0.75]
    dai_study.stitch("mp3", "long.mp3", ["long-ad%d.mp3" % k for k in range(3)], cuts, "long-dai.mp3")
    site = os.path.abspath("site")
    os.makedirs(site, exist_ok=True)
    # Linked afresh: `sign --force` replaces the manifest (a new file), and a link left by an earlier run would
    # serve the old one.
    for name in ("long.mp3", "long.mp3.provenance.json"):
        if os.path.exists(os.path.join(site, name)):
            os.unlink(os.path.join(site, name))
        os.link(name, os.path.join(site, name))
    server = subprocess.Popen([sys.executable, os.path.join(REPO, "devnet/media_server.py"), site, "--port", "0"],
                              stdout=subprocess.PIPE, text=True)
    try:
        url = server.stdout.readline().split()[-1]
        tag = run(binary, "feed", "tags", "--base-url", url, "long.mp3").stdout.decode().split("\n")[0]
        open(os.path.join(site, "feed.xml"), "w").write(
            '<?xml version="1.0"?><rss version="2.0" xmlns:podcast="https://podcastindex.org/namespace/1.0">'
            '<channel><title>Long</title><item><title>The long one</title><guid>l1</guid>'
            '<enclosure url="%s/long.mp3" type="audio/mpeg" length="1"/>%s</item></channel></rss>' % (url, tag))
        size = os.path.getsize("long-dai.mp3")
        ours, theirs = [], []
        for _ in range(3):
            t, r = timed([binary, "verify", "--offline", "--signer", SIGNER, "--feed", url + "/feed.xml", "--json",
                          "long-dai.mp3"])
            ours.append(t)
            v = json.loads(r.stdout)
            t, _ = timed(["openssl", "dgst", "-sha256", "long-dai.mp3"])
            theirs.append(t)
        a, b = statistics.median(ours), statistics.median(theirs)
        print("%d-minute 128 kbps episode, 3 ads stitched (%d bytes): verify against its feed %.3f s, openssl dgst "
              "%.3f s: %.2fx (goal <= 1.5x); %.1f%% of the copy the publisher's, skipped %d, differing %s" % (
                  round(length / 60), size, a, b, a / b, 100 * float(v["copyCoverage"]), v["skippedCandidates"],
                  ", ".join("%.1f-%.1f s" % (d.get("startTime", 0), d.get("endTime", 0))
                            for d in v["differingRanges"])))
        print("  ads stitched at %s s" % ", ".join("%.1f" % c for c in cuts))
    finally:
        server.terminate()
    # The whole stitched file re-encoded, as a DAI server that transcodes would serve it.
    if not os.path.exists("long-reencoded.mp3"):
        run("ffmpeg", "-loglevel", "error", "-y", "-i", "long-dai.mp3", "-ac", "1", "-ar", "44100", "-c:a",
            "libmp3lame", "-b:a", "64k", "long-reencoded.mp3")
    # Median of 3 each, interleaved: one decode alone varied from 2.6 to 3.6 s on this machine.
    verifies, decodes = [], []
    for _ in range(3):
        t, r = timed([binary, "verify", "--offline", "--signer", SIGNER, "--manifest", "long.mp3.provenance.json",
                      "--json", "long-reencoded.mp3"])
        verifies.append(t)
        v = json.loads(r.stdout)
        d, _ = timed(["ffmpeg", "-loglevel", "error", "-i", "long-reencoded.mp3", "-ac", "1", "-ar", "5512", "-f",
                      "s16le", "-"], text=False)
        decodes.append(d)
    t, d = statistics.median(verifies), statistics.median(decodes)
    audio = v.get("audio", {})
    print("re-encoded (64 kbps mono): status %s in %.2f s (decoding alone %.2f s: matching %.2f s, goal < 2 s); "
          "unmatched %s" % (v.get("status"), t, d, t - d,
                            ", ".join("%.1f-%.1f s" % (u["start"], u["end"]) for u in audio.get("unmatched", []))))


if __name__ == "__main__":
    main()
