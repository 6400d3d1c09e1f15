#!/usr/bin/python3
"""tests/support/iceberg_contract.py - response bodies checked against the
Iceberg REST spec's components.schemas (../shared/specs/iceberg-rest/).

    iceberg_contract.py SPEC DIR

Each file DIR/<n>-<SchemaName>.json is validated against that schema. The
OpenAPI 3.0 dialect is turned into JSON Schema first (nullable: true adds
null to the type). Before the bodies, the validator is shown to reject a
malformed body (a LoadTableResult without its metadata, a TableMetadata with
a string for format-version): a validator that accepts everything fails the
run. Exits 1 naming each body that does not validate and why.

Run with Debian's /usr/bin/python3 (python3-yaml, python3-jsonschema).
"""
import json
import os
import sys

import jsonschema
import yaml


def to_json_schema(node):
    """OpenAPI 3.0 schema objects as JSON Schema (draft 7)."""
    if isinstance(node, list):
        return [to_json_schema(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {k: to_json_schema(v) for k, v in node.items()
           if k not in ('nullable', 'discriminator', 'example', 'deprecated', 'xml')}
    if node.get('nullable'):
        if 'type' in out:
            t = out['type']
            out['type'] = (t if isinstance(t, list) else [t]) + ['null']
        if 'enum' in out:
            out['enum'] = list(out['enum']) + [None]
        if '$ref' in out or 'allOf' in out or 'oneOf' in out or 'anyOf' in out:
            out = {'anyOf': [out, {'type': 'null'}]}
    return out


def validator_for(spec, name):
    schemas = spec['components']['schemas']
    if name not in schemas:
        sys.exit(f'iceberg_contract: no schema {name} in the spec')
    root = {'components': {'schemas': to_json_schema(schemas)}}
    root.update(to_json_schema(schemas[name]))
    return jsonschema.Draft7Validator(root)


def main():
    spec_path, folder = sys.argv[1], sys.argv[2]
    with open(spec_path, encoding='utf-8') as f:
        spec = yaml.safe_load(f)
    # the validator must reject what is wrong
    bad = [('LoadTableResult', {'metadata-location': 'x', 'config': {}}),
           ('TableMetadata', {'format-version': 'two', 'table-uuid': 'u'}),
           ('IcebergErrorResponse', {'error': {'message': 'm'}})]
    for name, body in bad:
        if not list(validator_for(spec, name).iter_errors(body)):
            sys.exit(f'iceberg_contract: the validator accepts a malformed {name}: {body}')
    failed, count = 0, 0
    for entry in sorted(os.listdir(folder)):
        if not entry.endswith('.json'):
            continue
        name = entry[:-5].split('-', 1)[1]
        with open(os.path.join(folder, entry), encoding='utf-8') as f:
            body = json.load(f)
        errors = sorted(validator_for(spec, name).iter_errors(body), key=lambda e: e.path)
        count += 1
        for e in errors[:3]:
            failed += 1
            where = '/'.join(str(p) for p in e.absolute_path)
            print(f'{entry}: {name}: at /{where}: {e.message[:300]}')
    if failed:
        sys.exit(1)
    print(f'iceberg_contract: {count} bodies valid; {len(bad)} malformed ones rejected')


if __name__ == '__main__':
    main()
