"""Fails when two source folders depend on each other (a cycle the compiler cannot see, since both
sit in one target): e.g. Manifest <-> Contract. A folder depends on another when it names a type or
function declared there. Targets are checked by SwiftPM itself (core -> chain -> CLI)."""
import os
import re
import sys

ROOT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "Sources")
LIBRARIES = ["ProvenanceCore", "ProvenanceChain", "ProvenanceCLI"]
# Top-level declarations only (column 0): types, and free functions such as wipe().
DECLARATION = re.compile(
    r"^(?:public |internal |package |final |indirect |@[A-Za-z]+ )*"
    r"(?:struct|class|enum|protocol|typealias|func)\s+([A-Za-z_][A-Za-z0-9_]*)", re.M)

files = {}  # folder -> [(path, text without comments and string literals)]
for library in LIBRARIES:
    for directory, _, names in os.walk(os.path.join(ROOT, library)):
        folder = os.path.relpath(directory, ROOT).split(os.sep)[:2]
        for name in names:
            if name.endswith(".swift"):
                path = os.path.join(directory, name)
                text = re.sub(r'"[^"\n]*"', '""', re.sub(r"//.*", "", open(path).read()))
                files.setdefault("/".join(folder), []).append((path, text))

owners = {}  # declared name -> folders; names declared in several folders say nothing
for folder, items in files.items():
    for _, text in items:
        for name in DECLARATION.findall(text):
            owners.setdefault(name, set()).add(folder)
owners = {n: f.pop() for n, f in owners.items() if len(f) == 1}

uses = {}  # (from, to) -> example
for folder, items in files.items():
    for path, text in items:
        for word in set(re.findall(r"\b[A-Za-z_][A-Za-z0-9_]*\b", text)):
            to = owners.get(word)
            if to and to != folder:
                uses.setdefault((folder, to), f"{os.path.basename(path)} uses {word}")

cycles = sorted((a, b) for (a, b) in uses if a < b and (b, a) in uses)
for a, b in cycles:
    print(f"folder cycle: {a} -> {b} ({uses[(a, b)]}) and back ({uses[(b, a)]})", file=sys.stderr)
print(f"{len(files)} folders, {len(uses)} dependencies between them, {len(cycles)} cycles")
if cycles:
    sys.exit(1)

# Libraries return values and reason codes; only the command line names its flags. A string literal in
# Core or Chain that names one (`"… --force …"`) is the CLI's wording leaking down a layer.
flag_in_string = re.compile(r'"[^"\n]*(?<![\w-])--[a-z][a-z0-9-]+[^"\n]*"')
leaks = []
for library in ("ProvenanceCore", "ProvenanceChain"):
    for directory, _, names in os.walk(os.path.join(ROOT, library)):
        for name in names:
            if name.endswith(".swift"):
                path = os.path.join(directory, name)
                for n, line in enumerate(open(path), 1):
                    code = line.split("//", 1)[0]
                    if flag_in_string.search(code):
                        leaks.append(f"{os.path.relpath(path, ROOT)}:{n}: a library string names a CLI flag")
for leak in leaks:
    print(leak, file=sys.stderr)
print(f"{len(leaks)} library strings naming a flag")
sys.exit(1 if leaks else 0)
