"""Runs a command on a fresh pseudo-terminal (its controlling terminal, so /dev/tty is the pty),
waits for a prompt, types keys, and reports what a user would see afterwards.

usage: pty_prompt.py PROMPT KEYS -- COMMAND...
KEYS is a Python string literal (e.g. '"\\x03"' for Ctrl-C), typed each time PROMPT appears (the tool
flushes pending input when it turns echo off, so keys typed ahead would be lost). Prints one JSON line:
{"status": exit status or -signal, "echo": whether the terminal echoes after the command ended,
 "output": everything written to the terminal}."""
import ast
import json
import os
import pty
import select
import sys
import termios
import time

prompt, keys = sys.argv[1].encode(), ast.literal_eval(sys.argv[2])
command = sys.argv[sys.argv.index("--") + 1:]
pid, master = pty.fork()
if pid == 0:
    os.execvp(command[0], command)
output = b""
deadline = time.time() + 300  # a hang guard: the tool is slow to start on a loaded machine
typed = 0
status = None
while time.time() < deadline:
    ready, _, _ = select.select([master], [], [], 0.1)
    if ready:
        try:
            chunk = os.read(master, 4096)
        except OSError:
            chunk = b""
        output += chunk
    # Type only once the tool has turned echo off (it does so before writing the prompt).
    if output.count(prompt) > typed and not termios.tcgetattr(master)[3] & termios.ECHO:
        os.write(master, keys.encode())
        typed += 1
    done, raw = os.waitpid(pid, os.WNOHANG)
    if done:
        status = os.waitstatus_to_exitcode(raw)
        # What the command wrote just before it ended may still be in the pty: read it all.
        while select.select([master], [], [], 0.2)[0]:
            try:
                chunk = os.read(master, 4096)
            except OSError:
                break
            if not chunk:
                break
            output += chunk
        break
if status is None:
    os.kill(pid, 9)
    status = "timeout"
# The pty's line discipline is shared by master and slave: its flags are what the user's terminal keeps.
echo = bool(termios.tcgetattr(master)[3] & termios.ECHO)
print(json.dumps({"status": status, "echo": echo, "output": output.decode(errors="replace")}))
