#!/usr/bin/python3
"""tests/support/serve_load.py - load on `rat serve`'s Iceberg REST catalog,
bounded in count and time (standard library only).

    serve_load.py distinct URL TOKEN CLIENTS COMMITS
        CLIENTS threads, each creating its own table in silver and making
        COMMITS commits to it (set-properties, asserting the table's uuid).
        Every commit must land: the server makes a commit again on a moved
        branch head. Checks each table's final properties and metadata log.
    serve_load.py one URL TOKEN CLIENTS COMMITS
        CLIENTS threads on one table, each COMMITS times: read it, then add a
        snapshot whose parent is the current one, asserting main is still
        there (assert-ref-snapshot-id). Each commit lands or gets 409; the
        snapshots must then form one chain holding every landed commit.
    serve_load.py crash URL TOKEN STATE SECONDS
        Writers commit a counter to their own tables until the server goes
        away (it is killed) or SECONDS pass, each commit with an
        Idempotency-Key; each value is appended to STATE (with its key) when
        it is sent, and again when it is acknowledged.
    serve_load.py verify URL TOKEN STATE
        After a restart: every table's counter is at least the last value
        acknowledged for it, and at most the last value sent (a commit in
        flight when the server was killed may have landed unanswered, one
        in each round). Then each commit left unanswered is retried with its
        key: it must answer 200 with its value, whether its first attempt
        landed (the answer replayed from the catalog) or not (it runs now),
        and no commit may land twice: each table has exactly one metadata
        version per value.

Prints one summary line; exits 1 with the reason on a failure.
"""
import json
import os
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid

SCHEMA = {"type": "struct", "schema-id": 0,
          "fields": [{"id": 1, "name": "id", "type": "long", "required": False}]}


class Client:
    def __init__(self, url, token):
        self.base = url.rstrip('/') + '/iceberg/v1'
        self.token = token

    def call(self, method, path, body=None, timeout=30, key=None):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.base + path, data=data, method=method)
        req.add_header('Authorization', 'Bearer ' + self.token)
        if key:
            req.add_header('Idempotency-Key', key)
        if data is not None:
            req.add_header('Content-Type', 'application/json')
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                text = r.read()
                return r.status, json.loads(text) if text else None
        except urllib.error.HTTPError as e:
            text = e.read()
            try:
                return e.code, json.loads(text) if text else None
            except ValueError:
                return e.code, None

    def create(self, name):
        status, body = self.call('POST', '/namespaces/silver/tables',
                                 {"name": name, "schema": SCHEMA})
        if status != 200:
            die(f'create {name}: HTTP {status}: {body}')
        return body['metadata']['table-uuid']

    def load(self, name):
        status, body = self.call('GET', f'/namespaces/silver/tables/{name}')
        if status != 200:
            die(f'load {name}: HTTP {status}: {body}')
        return body['metadata']


def die(msg):
    print('serve_load: ' + msg, flush=True)
    os._exit(1)


def run_threads(target, n):
    errors = []

    def wrap(i):
        try:
            target(i)
        except Exception as e:  # noqa: BLE001 - reported, then the run fails
            errors.append(f'client {i}: {e!r}')
    threads = [threading.Thread(target=wrap, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        die('; '.join(errors[:3]))


def distinct(url, token, clients, commits):
    c = Client(url, token)
    prefix = 'd' + uuid.uuid4().hex[:8]
    uuids = [c.create(f'{prefix}_{i}') for i in range(clients)]
    landed = [0] * clients
    start = time.monotonic()

    def work(i):
        client = Client(url, token)
        for k in range(commits):
            status, body = client.call('POST', f'/namespaces/silver/tables/{prefix}_{i}', {
                "requirements": [{"type": "assert-table-uuid", "uuid": uuids[i]}],
                "updates": [{"action": "set-properties", "updates": {"k": str(k)}}]})
            if status != 200:
                raise RuntimeError(f'commit {k}: HTTP {status}: {body}')
            landed[i] += 1
    run_threads(work, clients)
    took = time.monotonic() - start
    for i in range(clients):
        md = c.load(f'{prefix}_{i}')
        if md['properties'].get('k') != str(commits - 1):
            die(f'table {i}: k is {md["properties"].get("k")}, not {commits - 1}')
        if len(md['metadata-log']) != commits:
            die(f'table {i}: {len(md["metadata-log"])} metadata-log entries, not {commits}')
    total = sum(landed)
    if total != clients * commits:
        die(f'{total} commits landed of {clients * commits}')
    print(f'distinct: {total} commits landed, none lost ({total / took:.0f}/s)')


def one(url, token, clients, commits):
    c = Client(url, token)
    name = 'one' + uuid.uuid4().hex[:8]
    table_uuid = c.create(name)
    landed, conflicts = [], [0]
    lock = threading.Lock()

    def work(i):
        client = Client(url, token)
        for k in range(commits):
            md = client.load(name)
            parent = md.get('current-snapshot-id', -1)
            parent = None if parent in (None, -1) else parent
            sid = (i + 1) * 1_000_000 + k + 1
            snap = {"snapshot-id": sid, "sequence-number": md['last-sequence-number'] + 1,
                    "timestamp-ms": int(time.time() * 1000),
                    "manifest-list": f"{md['location']}/metadata/snap-{sid}.avro",
                    "summary": {"operation": "append"}, "schema-id": 0}
            if parent is not None:
                snap["parent-snapshot-id"] = parent
            status, body = client.call('POST', f'/namespaces/silver/tables/{name}', {
                "requirements": [{"type": "assert-table-uuid", "uuid": table_uuid},
                                 {"type": "assert-ref-snapshot-id", "ref": "main",
                                  "snapshot-id": parent}],
                "updates": [{"action": "add-snapshot", "snapshot": snap},
                            {"action": "set-snapshot-ref", "ref-name": "main",
                             "type": "branch", "snapshot-id": sid}]})
            with lock:
                if status == 200:
                    landed.append(sid)
                elif status == 409:
                    conflicts[0] += 1
                else:
                    raise RuntimeError(f'commit: HTTP {status}: {body}')
    run_threads(work, clients)
    md = c.load(name)
    by_id = {s['snapshot-id']: s for s in md['snapshots']}
    chain, sid = [], md['current-snapshot-id']
    while sid is not None and sid != -1:
        chain.append(sid)
        sid = by_id[sid].get('parent-snapshot-id')
    if sorted(chain) != sorted(landed) or len(by_id) != len(landed):
        die(f'the history is not one chain of the {len(landed)} landed commits '
            f'(chain {len(chain)}, snapshots {len(by_id)})')
    if len(landed) + conflicts[0] != clients * commits:
        die('a commit neither landed nor got 409')
    # its manifest lists are names only: the table goes, so that readers of the branch do
    # not trip on it
    status, body = c.call('DELETE', f'/namespaces/silver/tables/{name}')
    if status != 204:
        die(f'drop {name}: HTTP {status}: {body}')
    print(f'one table: {len(landed)} landed, {conflicts[0]} got 409, one chain')


def counter_commit(k):
    return {"requirements": [],
            "updates": [{"action": "set-properties", "updates": {"k": str(k)}}]}


def crash(url, token, state, seconds):
    c = Client(url, token)
    names = []
    try:
        for i in range(4):
            name = f'crash{i}'
            status, _ = c.call('HEAD', f'/namespaces/silver/tables/{name}')
            if status == 404:
                c.create(name)
            names.append(name)
    except (urllib.error.URLError, ConnectionError, OSError):
        print('crash: the server went away before the writers started')
        return
    deadline = time.monotonic() + seconds
    out = open(state, 'a', encoding='utf-8')
    lock = threading.Lock()

    def work(i):
        client = Client(url, token)
        name = names[i]
        try:
            md = client.load(name)
            k = int(md['properties'].get('k', '0'))
            while time.monotonic() < deadline:
                k += 1
                key = str(uuid.uuid4())
                with lock:  # sent: it may land even if no answer comes back
                    out.write(f'sent {name} {k} {key}\n')
                    out.flush()
                status, body = client.call('POST', f'/namespaces/silver/tables/{name}',
                                           counter_commit(k), timeout=10, key=key)
                if status != 200:
                    raise RuntimeError(f'HTTP {status}: {body}')
                with lock:
                    out.write(f'acked {name} {k}\n')
                    out.flush()
        except (urllib.error.URLError, ConnectionError, OSError):
            return  # the server went away: what was acknowledged is in state
    run_threads(work, len(names))
    out.close()
    print('crash: writers stopped')


def verify(url, token, state):
    c = Client(url, token)
    acked, sent, keys = {}, {}, {}
    with open(state, encoding='utf-8') as f:
        for line in f:
            what, name, k = line.split()[:3]
            seen = acked if what == 'acked' else sent
            seen[name] = max(seen.get(name, 0), int(k))
            if what == 'sent':
                keys[name] = (int(k), line.split()[3])
    for name, k in sorted(acked.items()):
        md = c.load(name)
        have = int(md['properties'].get('k', '0'))
        # every acknowledged commit is there; a commit sent but never answered (one a round,
        # the server killed under it) may have landed too, nothing beyond what was sent
        if have < k or have > sent.get(name, 0):
            die(f'{name}: k is {have} after the restart; {k} was acknowledged, '
                f'{sent.get(name, 0)} the last sent')
    retried = replayed = 0
    out = open(state, 'a', encoding='utf-8')
    for name, (k, key) in sorted(keys.items()):
        if acked.get(name, 0) >= k:
            continue
        landed = int(c.load(name)['properties'].get('k', '0')) == k
        status, body = c.call('POST', f'/namespaces/silver/tables/{name}', counter_commit(k),
                              key=key)
        if status != 200 or body['metadata']['properties'].get('k') != str(k):
            die(f'{name}: the retry of {k} (key {key}) got HTTP {status}: {body}')
        out.write(f'acked {name} {k}\n')
        retried += 1
        replayed += landed
    out.close()
    for name in sorted(sent):
        md = c.load(name)
        have = int(md['properties'].get('k', '0'))
        if len(md['metadata-log']) != have:  # one version per value: none landed twice
            die(f'{name}: {len(md["metadata-log"])} earlier metadata versions for k = {have}: '
                'a retried commit landed twice')
    print(f'verify: {len(acked)} tables hold every acknowledged commit; {retried} unanswered '
          f'commits retried with their keys ({replayed} had landed: answered from the catalog)')


def main():
    mode = sys.argv[1]
    if mode == 'distinct':
        distinct(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]))
    elif mode == 'one':
        one(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]))
    elif mode == 'crash':
        crash(sys.argv[2], sys.argv[3], sys.argv[4], float(sys.argv[5]))
    elif mode == 'verify':
        verify(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        die(f'unknown mode {mode}')


if __name__ == '__main__':
    main()
