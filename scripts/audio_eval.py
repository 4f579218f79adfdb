"""Evaluation of the perceptual fingerprint (docs/FORMAT.md §11) against the goals of its issue, on a data
set built at run time: espeak-ng speech in several voices, variants made by ffmpeg. Development only;
scripts/bench runs it, `--quick` is a smaller run.

    python3 scripts/audio_eval.py PROVENANCE-BINARY PROVENANCE-BENCH-BINARY WORKDIR [--quick]

Checks, each through the real `provenance verify --offline --json`:
- re-encoded excerpts of 12 s (MP3 32-320 kbps, AAC 64-256 kbps in MP4, Opus 24-128 kbps, resampled to
  8-48 kHz, stereo, gain +-6 dB): share of the clip matched (goal >= 95%) and start offset error (<= 0.5 s);
- unrelated speech, same voice and other voices: pairs with a match of >= 2 s (goal: none in >= 200);
- one sentence re-worded in the same voice: flagged as unmatched, within 1 s at both ends (goal >= 90%);
- fingerprinting speed and a clip against a 100-episode index (provenance-bench audio-index).
"""
import json, os, random, subprocess, sys

PROV, BENCH, WORK = sys.argv[1], sys.argv[2], sys.argv[3]
QUICK = "--quick" in sys.argv
KEY = "ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"
SIGNER = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
VOICES = ["en-us", "en-gb", "en-us+f3", "en-sc"] if not QUICK else ["en-us", "en-gb"]
WORDS = ("the council voted on the budget for the new bridge across the river while teachers asked about "
         "schools and the hospital reported more patients in the evening after the storm reached the city "
         "market prices rose and the station closed early for repairs to the old signal box near the garden "
         "farmers waited for rain as the mayor promised answers before the election next spring").split()
os.makedirs(WORK, exist_ok=True)
os.chdir(WORK)
rng = random.Random(42)


def run(*args, **kw):
    return subprocess.run(args, check=True, capture_output=True, **kw)


def sentence():
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 14))).capitalize() + "."


def speak(name, text, voice):
    run("espeak-ng", "-v", voice, "-s", "160", "-w", name, text)


def duration(path):
    return float(run("ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", path).stdout)


def verify(manifest, clip):
    r = subprocess.run([PROV, "verify", "--offline", "--signer", SIGNER, "--manifest", manifest, "--json", clip],
                       capture_output=True, text=True)
    return json.loads(r.stdout)


# Originals: an episode per voice (about 75 s), signed (the manifest carries the fingerprint).
episodes = []
for i, voice in enumerate(VOICES * (1 if QUICK else 2)):
    name = "ep%d" % i
    sentences = [sentence() for _ in range(10 if QUICK else 12)]
    speak(name + ".wav", " ".join(sentences), voice)
    run("ffmpeg", "-loglevel", "error", "-y", "-i", name + ".wav", "-ar", "44100", "-b:a", "64k", name + ".mp3")
    env = dict(os.environ, PROVENANCE_PRIVATE_KEY=KEY)
    run(PROV, "sign", "--force", name + ".mp3", env=env)
    episodes.append({"name": name, "voice": voice, "sentences": sentences, "seconds": duration(name + ".mp3")})

VARIANTS = [
    ("mp3 32k", ["-c:a", "libmp3lame", "-b:a", "32k"], "mp3"), ("mp3 64k", ["-c:a", "libmp3lame", "-b:a", "64k"], "mp3"),
    ("mp3 128k", ["-c:a", "libmp3lame", "-b:a", "128k"], "mp3"), ("mp3 320k", ["-c:a", "libmp3lame", "-b:a", "320k"], "mp3"),
    ("aac 64k mp4", ["-c:a", "aac", "-b:a", "64k"], "mp4"), ("aac 128k mp4", ["-c:a", "aac", "-b:a", "128k"], "mp4"),
    ("aac 256k mp4", ["-c:a", "aac", "-b:a", "256k"], "mp4"), ("opus 24k", ["-c:a", "libopus", "-b:a", "24k"], "ogg"),
    ("opus 64k", ["-c:a", "libopus", "-b:a", "64k"], "ogg"), ("opus 128k", ["-c:a", "libopus", "-b:a", "128k"], "ogg"),
    ("8 kHz", ["-ar", "8000", "-c:a", "pcm_s16le"], "wav"), ("16 kHz", ["-ar", "16000", "-c:a", "pcm_s16le"], "wav"),
    ("22.05 kHz", ["-ar", "22050", "-c:a", "libmp3lame", "-b:a", "64k"], "mp3"), ("48 kHz", ["-ar", "48000", "-c:a", "aac", "-b:a", "128k"], "mp4"),
    ("stereo", ["-ac", "2", "-c:a", "aac", "-b:a", "128k"], "mp4"), ("mono", ["-ac", "1", "-c:a", "libopus", "-b:a", "48k"], "ogg"),
    ("+6 dB", ["-af", "volume=6dB", "-c:a", "aac", "-b:a", "96k"], "mp4"), ("-6 dB", ["-af", "volume=-6dB", "-c:a", "aac", "-b:a", "96k"], "mp4"),
]
if QUICK:
    VARIANTS = [v for v in VARIANTS if v[0] in ("mp3 32k", "aac 128k mp4", "opus 24k", "8 kHz", "+6 dB")]

print("re-encoded excerpts of 12 s (goal: >= 95% matched, start offset error <= 0.5 s):")
print("  %-14s %8s %10s %12s" % ("variant", "clips", "matched", "max offset err"))
worst_share, worst_error = 1.0, 0.0
for label, args, ext in VARIANTS:
    shares, errors = [], []
    for ep in episodes[: 2 if QUICK else len(episodes)]:
        start = round(rng.uniform(5, ep["seconds"] - 20), 2)
        clip = "%s-%s.%s" % (ep["name"], label.replace(" ", "_").replace("+", "p").replace("-", "m"), ext)
        run("ffmpeg", "-loglevel", "error", "-y", "-ss", str(start), "-t", "12", "-i", ep["name"] + ".mp3", *args, clip)
        v = verify(ep["name"] + ".mp3.provenance.json", clip)
        matches = v.get("audio", {}).get("matches", [])
        seconds = duration(clip)
        shares.append(sum(m["end"] - m["start"] for m in matches) / seconds if matches else 0.0)
        errors.append(abs(matches[0]["originalStart"] - matches[0]["start"] - start) if matches else 99)
    worst_share, worst_error = min(worst_share, min(shares)), max(worst_error, max(errors))
    print("  %-14s %8d %9.1f%% %12.2f s" % (label, len(shares), 100 * min(shares), max(errors)))
print("  worst: %.1f%% matched, offset error %.2f s" % (100 * worst_share, worst_error))

# Unrelated pairs: a clip of one episode against every other episode's manifest, and clips of fresh speech.
pairs, false_matches, false_verdicts = 0, 0, 0
clips = []
for i, ep in enumerate(episodes):
    for k in range(3 if QUICK else 5):
        clip = "%s-unrel%d.mp3" % (ep["name"], k)
        start = rng.uniform(0, ep["seconds"] - 12)
        run("ffmpeg", "-loglevel", "error", "-y", "-ss", "%.2f" % start, "-t", "12", "-i", ep["name"] + ".mp3", "-b:a", "96k", clip)
        clips.append((i, clip))
for k, voice in enumerate(VOICES):
    name = "fresh%d.wav" % k
    speak(name, " ".join(sentence() for _ in range(5)), voice)
    clips.append((-1, name))
for i, clip in clips:
    for j, ep in enumerate(episodes):
        if i == j:
            continue
        v = verify(ep["name"] + ".mp3.provenance.json", clip)
        pairs += 1
        if any(m["end"] - m["start"] >= 2 for m in v.get("audio", {}).get("matches", [])):
            false_matches += 1
        if v.get("status") == "similar":
            false_verdicts += 1
print("unrelated speech (same and other voices): %d pairs, %d with a match of >= 2 s (goal: none in >= 200), %d said similar"
      % (pairs, false_matches, false_verdicts))

# Re-worded: one sentence replaced in the same voice, the rest identical; re-encoded as AAC.
cases, flagged = 0, 0
for n in range(6 if QUICK else 20):
    ep = episodes[n % len(episodes)]
    k = rng.randint(1, len(ep["sentences"]) - 2)
    new = sentence()
    edited = ep["sentences"][:k] + [new] + ep["sentences"][k + 1:]
    speak("edit.wav", " ".join(edited), ep["voice"])
    speak("before.wav", " ".join(edited[:k]), ep["voice"])
    speak("through.wav", " ".join(edited[:k + 1]), ep["voice"])
    truth = (duration("before.wav"), duration("through.wav"))
    if truth[1] - truth[0] < 1.5:
        continue
    run("ffmpeg", "-loglevel", "error", "-y", "-i", "edit.wav", "-c:a", "aac", "-b:a", "96k", "edit.mp4")
    v = verify(ep["name"] + ".mp3.provenance.json", "edit.mp4")
    gaps = v.get("audio", {}).get("unmatched", [])
    cases += 1
    if any(abs(g["start"] - truth[0]) <= 1 and abs(g["end"] - truth[1]) <= 1 for g in gaps):
        flagged += 1
print("re-worded sentence (same voice, >= 1.5 s): %d of %d flagged and located within 1 s (%.0f%%; goal >= 90%%)"
      % (flagged, cases, 100 * flagged / max(cases, 1)))

# Speed, and a clip against an index of 100 episodes (a feed): 100 minutes of speech in 4 voices.
os.makedirs("feed", exist_ok=True)
for n in range(100):
    path = "feed/ep%03d.wav" % n
    if not os.path.exists(path):
        speak(path, " ".join(sentence() for _ in range(9)), VOICES[n % len(VOICES)])
run("ffmpeg", "-loglevel", "error", "-y", "-ss", "20", "-t", "12", "-i", "feed/ep042.wav", "-c:a", "aac", "-b:a", "96k", "feed-clip.mp4")
print(run(BENCH, "audio-index", "feed", "feed-clip.mp4").stdout.decode().rstrip(), "(the clip was cut from ep042.wav)")
