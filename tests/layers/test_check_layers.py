#!/usr/bin/env python3
"""tests/layers/test_check_layers.py - the dependency check fails when it should.

Each case breaks the rules once, in a scratch copy of the sources (or with
one extra object), and expects check_layers.py to fail naming the fault:
an upward call (engine/ calling a workspace/ function), an upward
#include, util/ including a public header it may not, a getenv() outside
config/, the CLI or the server including an internal header, and a cycle in
the table.
The unbroken tree must pass.

    test_check_layers.py --source DIR --objects OBJ...
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
CHECK = os.path.join(HERE, 'check_layers.py')


def run_check(source, objects, extra=()):
    cmd = [sys.executable, CHECK, '--source', source, '--objects', *objects]
    for e in extra:
        cmd += ['--extra-object', e]
    p = subprocess.run(cmd, capture_output=True, text=True)
    return p.returncode, p.stdout + p.stderr


def copy_tree(source, into):
    for part in ('src', 'docs'):
        shutil.copytree(os.path.join(source, part), os.path.join(into, part))
    return into


def append(path, text):
    with open(path, 'a', encoding='utf-8') as f:
        f.write(text)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--source', required=True)
    ap.add_argument('--objects', nargs='+', required=True)
    args = ap.parse_args()
    failures = []

    def expect(name, code, output, wanted):
        if code == 0 or wanted not in output:
            failures.append(f'{name}: expected a failure naming "{wanted}", got status {code}:\n'
                            f'{output}')
        else:
            print(f'ok: {name}')

    code, out = run_check(args.source, args.objects)
    if code != 0:
        failures.append(f'the tree as it is fails the check:\n{out}')
    else:
        print('ok: the tree as it is passes')

    with tempfile.TemporaryDirectory() as tmp:
        # an upward call: an engine/ object that calls rat_workspace_resources()
        folder = os.path.join(tmp, 'obj', 'src', 'engine')
        os.makedirs(folder)
        c_file = os.path.join(folder, 'upward.c')
        with open(c_file, 'w', encoding='utf-8') as f:
            f.write('#include "rat/workspace.h"\n'
                    'void upward(const rat_workspace *ws, rat_resources *r);\n'
                    'void upward(const rat_workspace *ws, rat_resources *r)\n'
                    '{\n\trat_workspace_resources(ws, r);\n}\n')
        obj = c_file + '.o'
        subprocess.run(['cc', '-c', '-I', os.path.join(args.source, 'include'), c_file, '-o', obj],
                       check=True)
        code, out = run_check(args.source, args.objects, [f'engine={obj}'])
        expect('an upward call (engine -> workspace)', code, out,
               'engine/ uses workspace/, which the allowed-edges table does not allow: '
               'upward.c.o: rat_workspace_resources')

        cases = [
            ('an upward include', 'src/table/scan.c', '\n#include "workspace/tables.h"\n',
             'src/table/scan.c: includes "workspace/tables.h": table/ may not use workspace/'),
            ('util including rat/workspace.h', 'src/util/buf.c', '\n#include "rat/workspace.h"\n',
             'util/ includes "rat/workspace.h"'),
            ('getenv() outside config/', 'src/table/scan.c',
             '\nconst char *scan_home(void);\nconst char *scan_home(void) '
             '{ return getenv("HOME"); }\n',
             'src/table/scan.c: calls getenv()'),
            ('the CLI including an internal header', 'src/cli/main.c',
             '\n#include "util/buf.h"\n', 'cli/ includes "util/buf.h"'),
            ('the server including an internal header', 'src/server/http.c',
             '\n#include "catalog/catalog.h"\n', 'server/ includes "catalog/catalog.h"'),
            ('a cycle in the table', 'docs/architecture.md', None,
             'the allowed-edges table has a cycle'),
        ]
        for name, path, text, wanted in cases:
            tree = copy_tree(args.source, os.path.join(tmp, name.replace(' ', '_')))
            target = os.path.join(tree, path)
            if text is not None:
                append(target, text)
            else:
                with open(target, encoding='utf-8') as f:
                    doc = f.read()
                doc = doc.replace('| `engine` | `util` |', '| `engine` | `util`, `workspace` |')
                with open(target, 'w', encoding='utf-8') as f:
                    f.write(doc)
            code, out = run_check(tree, args.objects)
            expect(name, code, out, wanted)

    for f in failures:
        print('FAIL: ' + f)
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
