#!/usr/bin/env python3
"""tests/support/pty_drive.py - drive a program through a pseudo-terminal.

    pty_drive.py [--timeout S] [--raw FILE] TRANSCRIPT -- COMMAND [ARGS...] < SCRIPT

Runs COMMAND with a pseudo-terminal (80x24, TERM=xterm) as its standard
input, output and error, follows SCRIPT one line at a time, and writes
everything the program printed to TRANSCRIPT, as the screen shows it once
escape sequences are dropped (see screen_text). The last line of TRANSCRIPT
is "exit N" (or "signal N"). Script lines:

    expect TEXT   wait (at most --timeout seconds) until TEXT appears on the
                  screen after the end of the previous match (escapes as for
                  send: \\n is the end of a line)
    send TEXT     type TEXT; escapes: \\r (Enter), \\n, \\t, \\xNN (\\x03 is
                  Ctrl-C, \\x04 Ctrl-D), \\e (Escape: \\e[A is the Up arrow)
    sleep S       wait S seconds, reading what comes
    wait          wait until the program exits
    # ...         a comment

An expect that times out, or a program still running at the end, exits 3
after writing the transcript; otherwise the exit status is 0.
"""
import argparse
import codecs
import fcntl
import os
import pty
import re
import select
import signal
import struct
import sys
import termios
import time

CSI = re.compile(rb"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[()][0-9A-Za-z]|\x1b[=>78]")


def screen_text(raw):
    """The output with escape sequences and carriage returns removed."""
    return CSI.sub(b"", raw).replace(b"\r", b"").decode("utf-8", "replace")


def unescape(text):
    return codecs.escape_decode(text.replace("\\e", "\\x1b").encode("utf-8"))[0]


class Driver:
    def __init__(self, argv, timeout):
        self.timeout = timeout
        self.raw = b""
        self.mark = 0  # the output before mark has been matched
        self.status = None
        env = dict(os.environ, TERM="xterm", COLUMNS="80", LINES="24")
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            os.execvpe(argv[0], argv, env)
        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))

    def read(self, seconds):
        """Read what comes within seconds; False once the program closed the terminal."""
        ready, _, _ = select.select([self.fd], [], [], max(seconds, 0))
        if not ready:
            return True
        try:
            data = os.read(self.fd, 65536)
        except OSError:
            return False
        self.raw += data
        return bool(data)

    def expect(self, text):
        deadline = time.monotonic() + self.timeout
        while True:
            screen = screen_text(self.raw)
            at = screen.find(text, self.mark)
            if at >= 0:
                self.mark = at + len(text)
                return True
            if not self.read(deadline - time.monotonic()) or time.monotonic() > deadline:
                if screen_text(self.raw).find(text, self.mark) >= 0:
                    continue
                sys.stderr.write("pty_drive: timed out waiting for %r\n" % text)
                return False

    def sleep(self, seconds):
        end = time.monotonic() + seconds
        while time.monotonic() < end and self.read(end - time.monotonic()):
            pass

    def wait(self):
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            if not self.read(0.05):
                break
        for _ in range(int(self.timeout * 20)):
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.status = status
                return True
            time.sleep(0.05)
        sys.stderr.write("pty_drive: the program did not exit\n")
        return False

    def finish(self, transcript, raw):
        if self.status is None:
            os.kill(self.pid, signal.SIGKILL)
            _, self.status = os.waitpid(self.pid, 0)
        if raw:
            with open(raw, "wb") as out:
                out.write(self.raw)
        with open(transcript, "w", encoding="utf-8") as out:
            out.write(screen_text(self.raw))
            if os.WIFEXITED(self.status):
                out.write("\nexit %d\n" % os.WEXITSTATUS(self.status))
            else:
                out.write("\nsignal %d\n" % os.WTERMSIG(self.status))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--timeout", type=float, default=20.0)
    parser.add_argument("--raw")
    parser.add_argument("transcript")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    driver = Driver(command, args.timeout)
    ok = True
    for line in sys.stdin.read().splitlines():
        verb, _, text = line.lstrip().partition(" ")
        if not verb or verb.startswith("#"):
            continue
        if verb == "expect":
            ok = driver.expect(unescape(text).decode("utf-8"))
        elif verb == "send":
            os.write(driver.fd, unescape(text))
        elif verb == "sleep":
            driver.sleep(float(text))
        elif verb == "wait":
            ok = driver.wait()
        else:
            sys.stderr.write("pty_drive: unknown script line: %s\n" % line)
            ok = False
        if not ok:
            break
    driver.finish(args.transcript, args.raw)
    sys.exit(0 if ok and os.WIFEXITED(driver.status) else 3)


if __name__ == "__main__":
    main()
