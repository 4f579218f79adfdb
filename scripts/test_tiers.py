"""Prints the --filter regex of the test suites in the tiers named (unit, large, devnet, media, package), read
from their `@Suite(... .tags(.TIER))` declarations; fails when a suite carries no tier or more than one, so a
new suite cannot fall out of every run."""
import glob
import os
import re
import sys

TIERS = {"unit", "large", "devnet", "media", "package"}
wanted = set(sys.argv[1:]) or TIERS
unknown = wanted - TIERS
if unknown:
    sys.exit(f"unknown tier(s): {', '.join(sorted(unknown))} (tiers: {', '.join(sorted(TIERS))})")
root = os.path.join(os.path.dirname(__file__), "..", "Tests", "ProvenanceTests")
suites, problems = [], []
for path in sorted(glob.glob(os.path.join(root, "*.swift"))):
    for m in re.finditer(r"@Suite(\((?:[^()]|\([^()]*\))*\))?\s*(?:final class|struct|class|enum)\s+(\w+)",
                         open(path).read()):
        declared = re.search(r"\.tags\(([^)]*)\)", m.group(1) or "")
        tags = set(re.findall(r"\.(\w+)", declared.group(1))) if declared else set()
        tiers = tags & TIERS
        if len(tiers) != 1:
            problems.append(f"{os.path.basename(path)}: suite {m.group(2)} needs exactly one tier tag of "
                            f"{', '.join(sorted(TIERS))} (has {', '.join(sorted(tiers)) or 'none'})")
        elif tiers & wanted:
            suites.append(m.group(2))
for p in problems:
    print(p, file=sys.stderr)
if problems:
    sys.exit(1)
print("^ProvenanceTests\\.(" + "|".join(suites) + ")[/.]")
