#!/usr/bin/env python3
"""tests/layers/check_shape.py - the size rules of docs/architecture.md, checked.

No .c file of src/ (or of bindings/python/src/) over 700 lines; no function over 80 lines unless the
comment right above it says why, in a sentence that starts "Long:" (at most
five such functions in all). A function is read in the project's style:
its definition starts at the first column and its body's braces sit alone
at the first column.

    check_shape.py --source DIR
"""
import argparse
import os
import re
import sys

MAX_FILE_LINES = 700
MAX_FUNCTION_LINES = 80
MAX_LONG_FUNCTIONS = 5
DEFINITION = re.compile(r'^[A-Za-z_][\w \t\*]*?\b(\w+)\s*\([^;]*$')


def functions(lines):
    """(name, first line, last line, comment above) of each function definition."""
    found, i = [], 0
    while i < len(lines):
        m = DEFINITION.match(lines[i])
        if not m or lines[i].startswith(('typedef', 'struct', 'enum', 'union', '#')):
            i += 1
            continue
        # the opening brace alone on a line, after the (possibly multi-line) signature
        j = i
        while j < len(lines) and lines[j] != '{' and not lines[j].rstrip().endswith(';'):
            j += 1
        if j >= len(lines) or lines[j] != '{':
            i += 1
            continue
        k = j + 1
        while k < len(lines) and lines[k] != '}':
            k += 1
        c, comment = i - 1, []
        if c >= 0 and lines[c].rstrip().endswith('*/'):
            while c >= 0:
                comment.insert(0, lines[c])
                if lines[c].lstrip().startswith('/*'):
                    break
                c -= 1
        found.append((m.group(1), i + 1, k + 1, '\n'.join(comment)))
        i = k + 1
    return found


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--source', required=True)
    args = ap.parse_args()
    src = os.path.join(args.source, 'src')
    problems, long_ones = [], []
    folders = [(os.path.join(src, f), f'src/{f}') for f in sorted(os.listdir(src))]
    folders.append((os.path.join(args.source, 'bindings', 'python', 'src'), 'bindings/python/src'))
    for base, shown in folders:
        if not os.path.isdir(base):
            continue
        for name in sorted(os.listdir(base)):
            if not name.endswith('.c'):
                continue
            path = os.path.join(base, name)
            where = f'{shown}/{name}'
            with open(path, encoding='utf-8') as f:
                lines = f.read().split('\n')
            if len(lines) - 1 > MAX_FILE_LINES:
                problems.append(f'{where}: {len(lines) - 1} lines (at most {MAX_FILE_LINES}: '
                                'split it by concept)')
            for fn, first, last, comment in functions(lines):
                n = last - first + 1
                if n <= MAX_FUNCTION_LINES:
                    continue
                if re.search(r'\bLong:', comment):
                    long_ones.append(f'{where}:{first}: {fn}() is {n} lines')
                else:
                    problems.append(f'{where}:{first}: {fn}() is {n} lines (at most '
                                    f'{MAX_FUNCTION_LINES}, or a comment above it saying '
                                    '"Long: <why>")')
    if len(long_ones) > MAX_LONG_FUNCTIONS:
        problems.append(f'{len(long_ones)} functions over {MAX_FUNCTION_LINES} lines say why; '
                        f'at most {MAX_LONG_FUNCTIONS} may: ' + '; '.join(long_ones))
    for p in problems:
        print('shape: ' + p)
    if problems:
        return 1
    print(f'shape: files within {MAX_FILE_LINES} lines; {len(long_ones)} function(s) over '
          f'{MAX_FUNCTION_LINES} lines, each saying why' +
          (': ' + '; '.join(long_ones) if long_ones else ''))
    return 0


if __name__ == '__main__':
    sys.exit(main())
