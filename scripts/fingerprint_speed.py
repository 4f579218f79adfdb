"""How fast `sign` fingerprints (issue 24; scripts/bench runs it). Development only; data built here.

    python3 scripts/fingerprint_speed.py PROVENANCE-BINARY WORKDIR

1. Sound, natively: a 10-minute 44.1 kHz stereo 16-bit WAV (pink noise), signed with and without the
   fingerprint; times real time (goal >= 300x).
2. Picture: a 60-second 1080p H.264 video with AAC sound (ffmpeg's testsrc2, libx264 veryfast), signed three
   ways: with both fingerprints, its video stream alone (picture fingerprint only), and --no-fingerprint; its
   sound stream alone too, with and without. The picture's time is the video-alone sign less the
   no-fingerprint sign, the sound's likewise (goal: the picture at >= 8x real time on this machine). Medians of
   3; the parts need not add up to the whole within the machine's noise.
"""
import os
import statistics
import subprocess
import sys
import time

KEY = "ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"


def run(*args):
    subprocess.run(args, check=True, capture_output=True)


def timed_sign(binary, path, *extra):
    times = []
    for _ in range(3):
        start = time.perf_counter()
        subprocess.run([binary, "sign", "--force", "--private-key-file", "key.hex", *extra, path], check=True,
                       capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main():
    binary, work = os.path.abspath(sys.argv[1]), sys.argv[2]
    os.makedirs(work, exist_ok=True)
    os.chdir(work)
    with open("key.hex", "w") as f:
        f.write(KEY + "\n")
    os.chmod("key.hex", 0o600)
    if not os.path.exists("ten.wav"):
        run("ffmpeg", "-loglevel", "error", "-y", "-f", "lavfi", "-i", "anoisesrc=d=600:c=pink:r=44100:a=0.3",
            "-ac", "2", "-c:a", "pcm_s16le", "ten.wav")
    with_fp, without = timed_sign(binary, "ten.wav"), timed_sign(binary, "ten.wav", "--no-fingerprint")
    print("10-minute 44.1 kHz stereo WAV: sign %.2f s with the fingerprint, %.2f s without: %.0fx real time "
          "(goal >= 300x)" % (with_fp, without, 600 / with_fp))
    if not os.path.exists("hd.mp4"):
        run("ffmpeg", "-loglevel", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=1920x1080:rate=30", "-f",
            "lavfi", "-i", "sine=frequency=440:sample_rate=48000", "-t", "60", "-c:v", "libx264", "-preset",
            "veryfast", "-c:a", "aac", "-shortest", "hd.mp4")
        run("ffmpeg", "-loglevel", "error", "-y", "-i", "hd.mp4", "-an", "-c:v", "copy", "hd-picture.mp4")
        run("ffmpeg", "-loglevel", "error", "-y", "-i", "hd.mp4", "-vn", "-c:a", "copy", "hd-sound.m4a")
    both = timed_sign(binary, "hd.mp4")
    picture_only = timed_sign(binary, "hd-picture.mp4")
    plain = timed_sign(binary, "hd.mp4", "--no-fingerprint")
    sound = timed_sign(binary, "hd-sound.m4a") - timed_sign(binary, "hd-sound.m4a", "--no-fingerprint")
    picture = picture_only - plain
    print("60-second 1080p H.264: sign %.2f s with both fingerprints, %.2f s without; the picture's fingerprint "
          "%.2f s (%.1fx real time, goal >= 8x), the sound's %.2f s: the picture is %.0f%% of the fingerprinting"
          % (both, plain, picture, 60 / picture, sound, 100 * picture / (picture + sound)))


if __name__ == "__main__":
    main()
