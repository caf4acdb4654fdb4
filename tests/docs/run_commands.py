#!/usr/bin/python3
"""Runs every command that the documentation marks as runnable.

    run_commands.py --spinel BIN --root REPO --work DIR [--timeout S] [FILE.md ...]

A fenced code block is runnable when the line before it (blank lines aside) is
`<!-- runnable -->`. Two kinds (docs/contributing.md describes the convention):

  ```sh        every line is a command; the block runs as one bash script
               (set -euo pipefail) and must exit 0.
  ```console   lines starting with "$ " are commands (a trailing backslash
               continues one), the lines after each are its expected stdout.
               The actual stdout must match line by line, except for wall-clock
               figures (in a line containing "wall", the number before
               "s wall" or "ms wall" and anything in parentheses), and a line
               "..." stands for any number of lines.

The files are README.md and docs/*.md under REPO unless given. Each file's
blocks run in order in a fresh folder DIR/<file> that has scenarios/ and
tools/ of REPO, an empty docs/, build/release/spinel, and spinel on PATH, so
that commands written for the repository root run as shown without touching
it. Each block has a timeout. Exit status 1 if any block fails.
"""
import argparse
import glob
import os
import re
import shutil
import subprocess
import sys
import time

MARKER = "<!-- runnable -->"


def runnable_blocks(path):
    """Yields (line number, info string, body lines) of each marked block."""
    lines = open(path, encoding="utf-8").read().split("\n")
    i = 0
    while i < len(lines):
        if lines[i].strip() != MARKER:
            i += 1
            continue
        marker_line = i + 1
        i += 1
        while i < len(lines) and not lines[i].strip():
            i += 1
        if i >= len(lines) or not lines[i].startswith("```"):
            raise SystemExit(f"{path}:{marker_line}: {MARKER} is not followed by a code block")
        info = lines[i][3:].strip()
        if info not in ("sh", "console"):
            raise SystemExit(f"{path}:{i + 1}: a runnable block must be ```sh or ```console, got ```{info}")
        start = i + 1
        i += 1
        body = []
        while i < len(lines) and not lines[i].startswith("```"):
            body.append(lines[i])
            i += 1
        if i >= len(lines):
            raise SystemExit(f"{path}:{start}: the code block is not closed")
        yield start, info, body
        i += 1


def console_commands(body):
    """Splits a console block into (command, expected output lines)."""
    out = []
    i = 0
    while i < len(body):
        line = body[i]
        if not line.startswith("$ "):
            if out:
                out[-1][1].append(line)
                i += 1
                continue
            raise ValueError(f"output before the first command: {line!r}")
        command = line[2:]
        while command.endswith("\\") and i + 1 < len(body):
            i += 1
            command = command[:-1] + "\n" + body[i]
        out.append((command, []))
        i += 1
    return out


def normalise(line):
    line = line.rstrip()
    if "wall" in line:
        line = re.sub(r"[\d.]+ (m?s) wall", r"# \1 wall", line)
        line = re.sub(r"\([^)]*\)", "(#)", line)
    return line


def matches(expected, actual):
    """Line by line, with '...' as a wildcard for any number of lines."""
    expected = [normalise(x) for x in expected]
    while expected and expected[-1] == "":
        expected.pop()
    actual = [normalise(x) for x in actual]
    while actual and actual[-1] == "":
        actual.pop()

    def match(e, a):
        if e == len(expected):
            return a == len(actual)
        if expected[e] == "...":
            return any(match(e + 1, k) for k in range(a, len(actual) + 1))
        return a < len(actual) and expected[e] == actual[a] and match(e + 1, a + 1)

    return match(0, 0)


def prepare(folder, root, spinel):
    if os.path.exists(folder):
        shutil.rmtree(folder)
    os.makedirs(os.path.join(folder, "build", "release"))
    os.makedirs(os.path.join(folder, "bin"))
    os.makedirs(os.path.join(folder, "docs"))
    for name in ("scenarios", "tools"):
        os.symlink(os.path.join(root, name), os.path.join(folder, name))
    os.symlink(spinel, os.path.join(folder, "build", "release", "spinel"))
    os.symlink(spinel, os.path.join(folder, "bin", "spinel"))


def run(command, folder, timeout):
    env = dict(os.environ)
    env["PATH"] = os.path.join(folder, "bin") + os.pathsep + env.get("PATH", "")
    return subprocess.run(["bash", "-c", "set -euo pipefail\n" + command], cwd=folder, env=env,
                          capture_output=True, text=True, timeout=timeout)


def run_block(info, body, folder, timeout):
    """Returns a description of the failure, or None."""
    try:
        if info == "sh":
            r = run("\n".join(body), folder, timeout)
            if r.returncode != 0:
                return f"exit status {r.returncode}\n{r.stdout}{r.stderr}"
            return None
        for command, expected in console_commands(body):
            r = run(command, folder, timeout)
            if r.returncode != 0:
                return f"$ {command}\nexit status {r.returncode}\n{r.stdout}{r.stderr}"
            if not matches(expected, r.stdout.split("\n")):
                return (f"$ {command}\nthe output differs from the documented one.\n"
                        f"--- documented\n" + "\n".join(expected) + "\n--- actual\n" + r.stdout)
        return None
    except subprocess.TimeoutExpired:
        return f"timed out after {timeout} s"
    except ValueError as e:
        return str(e)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--spinel", required=True)
    parser.add_argument("--root", required=True)
    parser.add_argument("--work", required=True)
    parser.add_argument("--timeout", type=float, default=60)
    parser.add_argument("files", nargs="*")
    args = parser.parse_args()
    root = os.path.abspath(args.root)
    spinel = os.path.abspath(args.spinel)
    files = args.files or [os.path.join(root, "README.md")] + sorted(glob.glob(os.path.join(root, "docs", "*.md")))
    started = time.monotonic()
    blocks = failures = 0
    for path in files:
        found = list(runnable_blocks(path))
        if not found:
            continue
        folder = os.path.join(os.path.abspath(args.work), os.path.basename(path)[:-3])
        prepare(folder, root, spinel)
        for line, info, body in found:
            where = f"{os.path.relpath(path, root)}:{line}"
            t0 = time.monotonic()
            failure = run_block(info, body, folder, args.timeout)
            blocks += 1
            if failure:
                failures += 1
                print(f"FAIL {where}: {failure}")
            else:
                print(f"ok   {where} ({time.monotonic() - t0:.1f} s)")
    print(f"run_commands: {blocks} runnable blocks, {failures} failed, "
          f"{time.monotonic() - started:.1f} s")
    return 1 if failures or blocks == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
