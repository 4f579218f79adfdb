"""Fails when a Swift function, initializer, subscript, computed property or closure assigned to a property
in Sources runs past 80 lines, or a Swift source file past 600: the limits docs/ARCHITECTURE.md sets so
that each step of the data path stays readable on one screen. Lines are counted from the declaration to
the closing brace of its body; a closure given as a default argument in the signature is not the body."""
import os
import re
import sys

ROOT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "Sources")
MAX_FUNCTION, MAX_FILE = 80, 600
DECL = re.compile(r"^\s*(?:@\w+(?:\([^)]*\))?\s+)*(?:(?:public|private|fileprivate|internal|package|static|class|"
                  r"final|override|mutating|nonisolated|convenience|required|@inlinable)\s+)*"
                  r"(func\s+[^\s(<]+|init[?!]?\s*[(<]|subscript\s*\(|deinit\b"
    r"|(?:var|let)\s+\w+\s*(?::[^={]+)?(?:=\s*)?\{\s*(?:\[[^\]]*\]\s*)?(?:\([^)]*\)\s*(?:->\s*[^{]+)?in\s*)?$)")


def strip(line):
    """The line without string literals and comments, so braces inside them do not count."""
    line = re.sub(r'"(?:\\.|[^"\\])*"', '""', line)
    return line.split("//", 1)[0]


def without_multiline_strings(text):
    """Triple-quoted string bodies blanked (their braces are text), line count kept."""
    return re.sub(r'"""(.*?)"""', lambda m: '""' + "\n" * m.group(1).count("\n") + '""', text, flags=re.S)


def functions(path):
    lines = without_multiline_strings(open(path, encoding="utf-8").read()).split("\n")
    out, i = [], 0
    while i < len(lines):
        m = DECL.match(lines[i])
        if not m:
            i += 1
            continue
        depth, parens, opened, j = 0, 0, False, i
        while j < len(lines):
            code = strip(lines[j])
            if not opened and j > i and DECL.match(lines[j]):
                break  # a protocol requirement: no body
            for ch in code:
                if not opened and ch in "([":
                    parens += 1
                elif not opened and ch in ")]":
                    parens -= 1
                elif ch == "{" and (opened or parens == 0):
                    depth, opened = depth + 1, True
                elif ch == "}" and opened:
                    depth -= 1
                    if depth == 0:
                        break
            if opened and depth <= 0:
                break
            j += 1
        if opened:
            out.append((m.group(1).split("(")[0].strip(), i + 1, j - i + 1))
        i += 1
    return out, len(lines)


problems = []
longest = (0, "")
for directory, _, names in os.walk(ROOT):
    for name in sorted(names):
        if not name.endswith(".swift"):
            continue
        path = os.path.join(directory, name)
        rel = os.path.relpath(path, os.path.join(ROOT, ".."))
        found, count = functions(path)
        if count > MAX_FILE:
            problems.append(f"{rel}: {count} lines (at most {MAX_FILE} a file)")
        for fn, line, length in found:
            longest = max(longest, (length, f"{rel}:{line} {fn}"))
            if length > MAX_FUNCTION:
                problems.append(f"{rel}:{line}: {fn} is {length} lines (at most {MAX_FUNCTION} a function)")
for p in problems:
    print(p, file=sys.stderr)
print(f"longest function: {longest[1]} ({longest[0]} lines); {len(problems)} over the limits")
sys.exit(1 if problems else 0)
