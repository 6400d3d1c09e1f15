#!/usr/bin/python3
"""tests/support/replay_rest.py - replay a client's recorded requests
(tests/fixtures/rest/*.json) against `rat serve`, each one with curl.

    replay_rest.py FIXTURE BASE_URL CLIENT_ID TOKEN WAREHOUSE NAMESPACE TABLE TABLE_TOOL

BASE_URL is the catalog's base URI (http://127.0.0.1:PORT/iceberg). The
placeholders of tests/fixtures/rest/README.md are filled: {{TOKEN}},
{{CLIENT_ID}}, {{WAREHOUSE}}, {{NAMESPACE}}, {{TABLE}}, {{UUID}}, {{NOW_MS}},
{{base64(CLIENT_ID:TOKEN)}}, "{{NAME:int}}" (the whole string becomes the
number), and what a step saves from its answer. Before a step marked
"before": "write-data", TABLE_TOOL writes five rows (Parquet, a manifest and
a manifest list) into the table's location, the way an engine writes its files
before it commits, and {{MANIFEST_LIST}}, {{SNAPSHOT_ID}},
{{SEQUENCE_NUMBER}}, {{ADDED_ROWS}}, {{ADDED_FILES}}, {{ADDED_BYTES}} are set
from what it wrote.

Exits 1 at the first answer whose status is not the step's "expect", naming
the step, its source, and the answer. Prints one line per step.
"""
import base64
import json
import os
import random
import re
import subprocess
import sys
import time
import urllib.parse
import uuid

PLACEHOLDER = re.compile(r'\{\{([A-Za-z_()]+(?::[A-Za-z_]+)?(?:\([A-Z_:]+\))?)\}\}')


def fill(value, env):
    """value with its placeholders filled (recursively through lists and objects)."""
    if isinstance(value, dict):
        return {fill(k, env): fill(v, env) for k, v in value.items()}
    if isinstance(value, list):
        return [fill(v, env) for v in value]
    if not isinstance(value, str):
        return value
    whole = re.fullmatch(r'\{\{([A-Z_]+):int\}\}', value)
    if whole:
        return int(env[whole.group(1)])

    def one(m):
        name = m.group(1)
        b64 = re.fullmatch(r'base64\(([A-Z_]+):([A-Z_]+)\)', name)
        if b64:
            raw = f'{env[b64.group(1)]}:{env[b64.group(2)]}'
            return base64.b64encode(raw.encode()).decode()
        if name not in env:
            sys.exit(f'replay: no value for {{{{{name}}}}}')
        return str(env[name])
    return re.sub(r'\{\{([^}]+)\}\}', one, value)


def dotted(data, path):
    for part in path.split('.'):
        if not isinstance(data, dict) or part not in data:
            return None
        data = data[part]
    return data


def write_data(env, table_tool):
    """Five rows written into the table's location by table_tool; the snapshot's values."""
    location = env['LOCATION']
    if location.startswith('file://'):
        location = location[len('file://'):]
    subprocess.run([table_tool, 'write', location,
                    "select i::bigint as id, 'row ' || i as msg from range(5) t(i)"],
                   check=True, capture_output=True)
    hint = open(os.path.join(location, 'metadata', 'version-hint.text')).read().strip()
    written = json.load(open(os.path.join(location, 'metadata', f'v{hint}.metadata.json')))
    snap = written['snapshots'][-1]
    summary = snap['summary']
    env.update({
        'MANIFEST_LIST': snap['manifest-list'],
        'SNAPSHOT_ID': random.randrange(1, 2**62),
        'SEQUENCE_NUMBER': 1,
        'ADDED_ROWS': int(summary['added-records']),
        'ADDED_FILES': int(summary['added-data-files']),
        'ADDED_BYTES': int(summary.get('added-files-size', 0)),
    })


def curl(method, url, headers, data):
    cmd = ['curl', '-s', '-g', '-o', '-', '-w', '\n%{http_code}', '-X', method]
    if method == 'HEAD':
        cmd = ['curl', '-s', '--head', '-o', '/dev/null', '-w', '\n%{http_code}']
    for k, v in headers.items():
        cmd += ['-H', f'{k}: {v}']
    if data is not None:
        cmd += ['--data-binary', '@-']
    cmd.append(url)
    p = subprocess.run(cmd, input=data, capture_output=True, check=False)
    if p.returncode != 0:
        sys.exit(f'replay: curl failed ({p.returncode}): {p.stderr.decode()}')
    text, _, status = p.stdout.decode().rpartition('\n')
    return int(status), text


def main():
    (fixture, base, client_id, token, warehouse, namespace, table,
     table_tool) = sys.argv[1:9]
    spec = json.load(open(fixture))
    env = {'TOKEN': token, 'CLIENT_ID': client_id, 'WAREHOUSE': warehouse,
           'NAMESPACE': namespace, 'TABLE': table, 'UUID': str(uuid.uuid4()),
           'NOW_MS': int(time.time() * 1000)}
    for i, step in enumerate(spec['steps'], 1):
        if step.get('before') == 'write-data':
            write_data(env, table_tool)
        env['NOW_MS'] = int(time.time() * 1000)
        path = fill(step['path'], env)
        url = base.rstrip('/') + path
        if step.get('query'):
            url += '?' + urllib.parse.urlencode(fill(step['query'], env))
        headers = fill(step.get('headers', {}), env)
        data = None
        if 'form' in step:
            data = urllib.parse.urlencode(fill(step['form'], env)).encode()
        elif 'body' in step:
            data = json.dumps(fill(step['body'], env)).encode()
            headers.setdefault('Content-Type', 'application/json')
        status, text = curl(step['method'], url, headers, data)
        print(f'{i}. {step["name"]}: {step["method"]} {path} -> {status}')
        if status != step['expect']:
            sys.exit(f'replay: step {i} ({step["name"]}, from {step.get("source", "?")}): '
                     f'expected {step["expect"]}, got {status}: {text[:600]}')
        for name, where in step.get('save', {}).items():
            value = dotted(json.loads(text), where) if text else None
            if value is None:
                sys.exit(f'replay: step {i}: the answer has no {where} to save as {name}')
            env[name] = value
    print(f'replay: {os.path.basename(fixture)}: {len(spec["steps"])} steps as the client expects')


if __name__ == '__main__':
    main()
