#!/usr/bin/env python3
"""tests/layers/check_layers.py - the dependency map, checked.

docs/architecture.md holds the allowed-edges table: each folder of src/ and
the folders it may use. This reads the built objects' symbols with nm (a
folder uses another when one of its objects needs a symbol that the other's
objects define) and the sources' #include lines, and fails on any edge the
table does not allow. It also fails when the table has a cycle, names a
folder that does not exist or misses one that does, when util/ includes a
public header other than rat/common.h and rat/errors.h, when the CLI or
the server (rat-serve) includes anything but the public API, and when the
library calls getenv() outside config/.

    check_layers.py --source DIR --objects OBJ... [--extra-object FOLDER=OBJ...]

--extra-object adds an object as if it belonged to FOLDER: the suite uses it
to show that an upward call fails the check.
"""
import argparse
import os
import re
import subprocess
import sys

TABLE_HEADING = '## Allowed edges'


def read_table(path):
    """{folder: set(folders it may use)} from the allowed-edges table."""
    allowed, in_section = {}, False
    with open(path, encoding='utf-8') as f:
        for line in f:
            if line.startswith('## '):
                in_section = line.strip() == TABLE_HEADING
                continue
            if not in_section or not line.startswith('|'):
                continue
            cells = [c.strip() for c in line.strip().strip('|').split('|')]
            if len(cells) < 2 or not cells[0].startswith('`'):
                continue  # the header and its rule
            folder = cells[0].strip('`').rstrip('/')
            uses = set(re.findall(r'`([a-z_]+)/?`', cells[1]))
            if folder in allowed:
                sys.exit(f'{path}: the allowed-edges table names {folder}/ twice')
            allowed[folder] = uses
    if not allowed:
        sys.exit(f'{path}: no "{TABLE_HEADING}" table found')
    return allowed


def find_cycle(allowed):
    """A cycle of the table as a list of folders, or None."""
    state, stack = {}, []

    def visit(node):
        state[node] = 1
        stack.append(node)
        for nxt in sorted(allowed.get(node, ())):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if state.get(nxt) is None:
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(allowed):
        if state.get(node) is None:
            found = visit(node)
            if found:
                return found
    return None


def folder_of(path):
    """The src/ folder an object or source belongs to ('engine' for .../src/engine/x.c.o)."""
    parts = path.replace('\\', '/').split('/')
    for i in range(len(parts) - 1, -1, -1):
        if parts[i] == 'src' and i + 2 < len(parts):
            return parts[i + 1]
    return None


def symbols(paths):
    """{path: (defined, undefined)} global symbols of object files, from one nm run."""
    out = subprocess.run(['nm', '-P', '-A', *paths], check=True, capture_output=True,
                         text=True).stdout
    table = {p: (set(), set()) for p in paths}
    for line in out.splitlines():
        # "path: name kind value size"; the path may itself hold ': '
        head, sep, rest = line.rpartition(': ')
        parts = rest.split()
        if not sep or head not in table or len(parts) < 2:
            continue
        name, kind = parts[0], parts[1]
        defined, undefined = table[head]
        if kind == 'U':
            undefined.add(name)
        elif kind.isupper() and kind not in 'UN':
            defined.add(name)
    return table


def symbol_edges(objects):
    """{(from, to): [(object, symbol)]} over objects given as (folder, path)."""
    table = symbols([obj for _, obj in objects])
    owner = {}
    for folder, obj in objects:
        for name in table[obj][0]:
            owner.setdefault(name, folder)
    edges = {}
    for folder, obj in objects:
        for name in sorted(table[obj][1]):
            to = owner.get(name)
            if to and to != folder:
                edges.setdefault((folder, to), []).append((os.path.basename(obj), name))
    return edges


# Folders built outside the library, on its public API alone: the CLI (rat) and the
# server (rat-serve), programs that link librat.so.
PUBLIC_ONLY = ('cli', 'server')

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def code_only(text):
    """text without its comments, and with its string and character literals emptied."""
    token = re.compile(r'//[^\n]*|/\*.*?\*/|"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\'', re.S)
    return token.sub(lambda m: '""' if m.group(0)[0] in '"\'' else ' ', text)


def include_problems(src, allowed):
    problems = []
    for folder in sorted(os.listdir(src)):
        base = os.path.join(src, folder)
        if not os.path.isdir(base):
            continue
        for name in sorted(os.listdir(base)):
            if not name.endswith(('.c', '.h')):
                continue
            path = os.path.join(base, name)
            with open(path, encoding='utf-8') as f:
                text = f.read()
            where = f'src/{folder}/{name}'
            for inc in INCLUDE.findall(text):
                top = inc.split('/')[0]
                if folder in PUBLIC_ONLY:
                    if not (inc == 'rat.h' or top in ('rat', folder) or
                            top in allowed.get(folder, ())):
                        problems.append(f'{where}: {folder}/ includes "{inc}"; it may use the '
                                        'public API only (rat.h, rat/*.h)')
                elif inc == 'rat.h':
                    problems.append(f'{where}: includes "rat.h"; include the public headers '
                                    'it uses (rat/<noun>.h)')
                elif top == 'rat':
                    if folder == 'util' and inc not in ('rat/common.h', 'rat/errors.h'):
                        problems.append(f'{where}: util/ includes "{inc}"; it may include only '
                                        'rat/common.h and rat/errors.h')
                elif '/' in inc and top != folder and top not in allowed.get(folder, ()):
                    problems.append(f'{where}: includes "{inc}": {folder}/ may not use {top}/ '
                                    '(docs/architecture.md, Allowed edges)')
            if folder not in ('config', *PUBLIC_ONLY) and re.search(r'\bgetenv\s*\(', code_only(text)):
                problems.append(f'{where}: calls getenv(); the library reads the environment '
                                'only in config/')
    return problems


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--source', required=True, help='the source tree (holds src/ and docs/)')
    ap.add_argument('--objects', nargs='+', required=True, help="the library's object files")
    ap.add_argument('--extra-object', action='append', default=[], metavar='FOLDER=OBJ')
    args = ap.parse_args()

    table = os.path.join(args.source, 'docs', 'architecture.md')
    src = os.path.join(args.source, 'src')
    allowed = read_table(table)
    problems = []

    folders = {d for d in os.listdir(src) if os.path.isdir(os.path.join(src, d))}
    for d in sorted(folders - set(allowed)):
        problems.append(f'src/{d}/ is missing from the allowed-edges table')
    for d in sorted(set(allowed) - folders):
        problems.append(f'the allowed-edges table names {d}/, which src/ does not have')
    for d, uses in sorted(allowed.items()):
        for u in sorted(uses - set(allowed)):
            problems.append(f'the allowed-edges table lets {d}/ use {u}/, which it does not list')
    cycle = find_cycle(allowed)
    if cycle:
        problems.append('the allowed-edges table has a cycle: ' + ' -> '.join(cycle))

    objects = []
    for obj in args.objects:
        folder = folder_of(obj)
        if folder is None:
            sys.exit(f'{obj}: not under a src/<folder>/')
        objects.append((folder, obj))
    for extra in args.extra_object:
        folder, _, obj = extra.partition('=')
        objects.append((folder, obj))
    for (a, b), uses in sorted(symbol_edges(objects).items()):
        if b not in allowed.get(a, set()):
            shown = ', '.join(f'{o}: {s}' for o, s in uses[:4])
            more = f' (+{len(uses) - 4} more)' if len(uses) > 4 else ''
            problems.append(f'{a}/ uses {b}/, which the allowed-edges table does not allow: '
                            f'{shown}{more}')

    problems += include_problems(src, allowed)
    for p in problems:
        print('layers: ' + p)
    if problems:
        print(f'layers: {len(problems)} problem(s); the table is in docs/architecture.md '
              '("Allowed edges")')
        return 1
    print(f'layers: {len(objects)} objects in {len(allowed)} folders keep to the table')
    return 0


if __name__ == '__main__':
    sys.exit(main())
