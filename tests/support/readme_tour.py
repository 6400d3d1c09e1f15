#!/usr/bin/env python3
"""tests/support/readme_tour.py - run the README's tour as written.

Reads the ```sh blocks of README.md's "A five-minute tour" section, in
order, and runs each `$ ` command in one scratch folder with `rat` on the
PATH. A `$ cat FILE` followed by text (up to the next `$ `) shows a file the
reader writes: it is written first, then the command runs and must print it
back. Lines after a command that do not start with `$ ` are its output,
shown as an example, not checked. A command ends its line, or continues on
the next when a quote is open, the line ends with `\` or `|`, or a
here-document follows. A command must exit 0, unless its comment
says `(exit N)`. The reader's own files (`~/exports/...`) come from
--exports, a folder the test fills.

    readme_tour.py --readme README.md --rat PATH --scratch DIR --exports DIR
"""
import argparse
import os
import re
import shlex
import subprocess
import sys

SECTION = '## A five-minute tour'


def blocks(readme):
    """The ```sh blocks of the tour section, as lists of lines."""
    with open(readme, encoding='utf-8') as f:
        text = f.read()
    start = text.index(SECTION)
    end = text.find('\n## ', start + len(SECTION))
    section = text[start:end if end > 0 else len(text)]
    return [b.split('\n') for b in re.findall(r'```sh\n(.*?)```', section, re.S)]


def quotes_open(command):
    try:
        shlex.split(command, comments=True)
        return False
    except ValueError:
        return True


def commands(lines):
    """(command, the lines shown after it) for each `$ ` line of a block."""
    out, i = [], 0
    while i < len(lines):
        line = lines[i]
        if not line.startswith('$ '):
            i += 1
            continue
        command = line[2:]
        i += 1
        while (quotes_open(command) or command.rstrip().endswith(('\\', '|'))) and \
                i < len(lines):
            command += '\n' + lines[i]
            i += 1
        heredoc = re.search(r"<<-?'?(\w+)'?", command)
        while heredoc and i < len(lines):  # the here-document is part of the command
            command += '\n' + lines[i]
            i += 1
            if lines[i - 1].strip() == heredoc.group(1):
                break
        shown = []
        while i < len(lines) and not lines[i].startswith('$ '):
            shown.append(lines[i])
            i += 1
        while shown and not shown[-1].strip():
            shown.pop()
        out.append((command, shown))
    return out


def expected_status(command):
    m = re.search(r'#.*\(exit (\d+)', command)
    return int(m.group(1)) if m else 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--readme', required=True)
    ap.add_argument('--rat', required=True)
    ap.add_argument('--scratch', required=True)
    ap.add_argument('--exports', required=True)
    args = ap.parse_args()

    env = dict(os.environ)
    env['PATH'] = os.path.dirname(os.path.abspath(args.rat)) + os.pathsep + env['PATH']
    env['HOME'] = os.path.dirname(os.path.abspath(args.exports))
    for name in ('RAT_HOME', 'RAT_WORKSPACES', 'WORKSPACE', 'RAT_PROFILE', 'ICEBERG_WAREHOUSE',
                 'RAT_NOW', 'NO_COLOR'):
        env.pop(name, None)
    count = 0
    for block in blocks(args.readme):
        for command, shown in commands(block):
            m = re.match(r'cat (\S+)\s*$', command)
            if m and shown:
                path = os.path.join(args.scratch, m.group(1))
                os.makedirs(os.path.dirname(path), exist_ok=True)
                with open(path, 'w', encoding='utf-8') as f:
                    f.write('\n'.join(shown) + '\n')
            want = expected_status(command)
            p = subprocess.run(['bash', '-c', command], cwd=args.scratch, env=env,
                               capture_output=True, text=True, timeout=300)
            count += 1
            if p.returncode != want:
                print(f'README tour: `{command}` exited {p.returncode} (expected {want})')
                print('--- stdout\n' + p.stdout + '--- stderr\n' + p.stderr)
                return 1
            print(f'ok {count}: {command.splitlines()[0]}')
    if count < 20:
        print(f'README tour: only {count} commands found; is the section still there?')
        return 1
    print(f'README tour: {count} commands ran as written')
    return 0


if __name__ == '__main__':
    sys.exit(main())
