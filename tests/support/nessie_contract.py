#!/usr/bin/python3
"""tests/support/nessie_contract.py - response bodies of `rat serve`'s Nessie API
v2, checked against the shapes of Nessie's model (JSON Schemas written here from
the model classes: NessieConfiguration, Reference, ReferencesResponse,
EntriesResponse, Content, ContentResponse, GetMultipleContentsResponse,
LogResponse, CommitMeta, DiffResponse, CommitResponse, MergeResponse, NessieError with its
ReferenceConflicts details).

The schemas are first checked against Nessie's own examples
(../shared/specs/nessie/openapi-examples.yaml): each example of a response
must validate, so the schemas are no looser than Nessie's shapes need and no
stricter than its examples; then a malformed body must be refused, so the
checker can fail.

    nessie_contract.py EXAMPLES_YAML DIR
        DIR holds NNN-<Schema>.json files (a body each); exits 1 naming every
        body that does not validate.

Debian's python3-yaml and python3-jsonschema, on /usr/bin/python3.
"""
import json
import os
import sys

import jsonschema
import yaml

REF = {"type": "object", "required": ["type", "name"],
       "properties": {"type": {"enum": ["BRANCH", "TAG", "DETACHED"]},
                      "name": {"type": "string"},
                      "hash": {"type": ["string", "null"], "pattern": "^[0-9a-f]{8,64}$"},
                      "metadata": {"type": ["object", "null"]}}}
KEY = {"type": "object", "required": ["elements"],
       "properties": {"elements": {"type": "array", "minItems": 1, "items": {"type": "string"}}}}
TABLE = {"type": "object",
         "required": ["type", "metadataLocation", "snapshotId", "schemaId", "specId", "sortOrderId"],
         "properties": {"type": {"const": "ICEBERG_TABLE"}, "id": {"type": "string"},
                        "metadataLocation": {"type": "string"}, "snapshotId": {"type": "integer"},
                        "schemaId": {"type": "integer"}, "specId": {"type": "integer"},
                        "sortOrderId": {"type": "integer"}}}
VIEW = {"type": "object", "required": ["type", "metadataLocation", "versionId", "schemaId"],
        "properties": {"type": {"const": "ICEBERG_VIEW"}, "id": {"type": "string"},
                       "metadataLocation": {"type": "string"}, "versionId": {"type": "integer"},
                       "schemaId": {"type": "integer"}, "sqlText": {"type": "string"},
                       "dialect": {"type": "string"}}}
NAMESPACE = {"type": "object", "required": ["type", "elements"],
             "properties": {"type": {"const": "NAMESPACE"}, "id": {"type": "string"},
                            "elements": {"type": "array", "items": {"type": "string"}},
                            "properties": {"type": "object",
                                           "additionalProperties": {"type": "string"}}}}
CONTENT = {"oneOf": [TABLE, VIEW, NAMESPACE]}
COMMIT_META = {"type": "object", "required": ["message"],
               "properties": {"hash": {"type": "string"}, "committer": {"type": "string"},
                              "author": {"type": "string"},
                              "authors": {"type": "array", "items": {"type": "string"}},
                              "message": {"type": "string"},
                              "commitTime": {"type": "string", "format": "date-time"},
                              "authorTime": {"type": "string", "format": "date-time"},
                              "properties": {"type": "object",
                                             "additionalProperties": {"type": "string"}},
                              "parentCommitHashes": {"type": "array",
                                                     "items": {"type": "string"}}}}
PAGED = {"hasMore": {"type": "boolean"}, "token": {"type": ["string", "null"]}}
# Conflict: conflictType and key may be null, message is required (its model)
CONFLICT = {"type": "object", "required": ["message"],
            "properties": {"conflictType": {"enum": [
                None, "UNKNOWN", "KEY_EXISTS", "KEY_DOES_NOT_EXIST", "PAYLOAD_DIFFERS",
                "CONTENT_ID_DIFFERS", "VALUE_DIFFERS", "NAMESPACE_ABSENT", "NOT_A_NAMESPACE",
                "NAMESPACE_NOT_EMPTY", "UNEXPECTED_HASH", "KEY_CONFLICT",
                "DOCUMENTATION_DIFFERS"]},
                "key": {"oneOf": [{"type": "null"}, KEY]}, "message": {"type": "string"}}}

SCHEMAS = {
    "NessieConfiguration": {
        "type": "object", "required": ["defaultBranch", "maxSupportedApiVersion"],
        "properties": {"defaultBranch": {"type": "string"},
                       "minSupportedApiVersion": {"type": "integer"},
                       "maxSupportedApiVersion": {"type": "integer"},
                       "actualApiVersion": {"type": "integer"},
                       "specVersion": {"type": "string", "pattern": r"^\d+\.\d+\.\d+"}}},
    "Reference": REF,
    "SingleReferenceResponse": {"type": "object", "required": ["reference"],
                                "properties": {"reference": REF}},
    "ReferencesResponse": {"type": "object", "required": ["references"],
                           "properties": dict(PAGED, references={"type": "array", "items": REF})},
    "EntriesResponse": {
        "type": "object", "required": ["entries"],
        "properties": dict(PAGED, effectiveReference=REF, entries={
            "type": "array",
            "items": {"type": "object", "required": ["type", "name"],
                      "properties": {"type": {"enum": ["ICEBERG_TABLE", "ICEBERG_VIEW",
                                                       "NAMESPACE", "DELTA_LAKE_TABLE", "UDF"]},
                                     "name": KEY, "contentId": {"type": "string"},
                                     "content": CONTENT}}})},
    "ContentResponse": {"type": "object", "required": ["content"],
                        "properties": {"content": CONTENT, "effectiveReference": REF}},
    "GetMultipleContentsResponse": {
        "type": "object", "required": ["contents"],
        "properties": {"effectiveReference": REF, "contents": {
            "type": "array", "items": {"type": "object", "required": ["key", "content"],
                                       "properties": {"key": KEY, "content": CONTENT}}}}},
    "LogResponse": {
        "type": "object", "required": ["logEntries"],
        "properties": dict(PAGED, logEntries={
            "type": "array",
            "items": {"type": "object", "required": ["commitMeta"],
                      "properties": {"commitMeta": COMMIT_META,
                                     "parentCommitHash": {"type": "string"}}}})},
    "DiffResponse": {
        "type": "object", "required": ["diffs"],
        "properties": dict(PAGED, effectiveFromReference=REF, effectiveToReference=REF, diffs={
            "type": "array",
            "items": {"type": "object", "required": ["key"],
                      "properties": {"key": KEY,
                                     "from": {"oneOf": [{"type": "null"}, CONTENT]},
                                     "to": {"oneOf": [{"type": "null"}, CONTENT]}}}})},
    "MergeResponse": {
        "type": "object", "required": ["wasApplied", "wasSuccessful", "targetBranch",
                                       "effectiveTargetHash"],
        "properties": {"wasApplied": {"type": "boolean"}, "wasSuccessful": {"type": "boolean"},
                       "resultantTargetHash": {"type": ["string", "null"]},
                       "commonAncestor": {"type": ["string", "null"]},
                       "targetBranch": {"type": "string"},
                       "effectiveTargetHash": {"type": "string"},
                       "expectedHash": {"type": ["string", "null"]},
                       "details": {"type": "array", "items": {
                           "type": "object", "required": ["key"],
                           "properties": {"key": KEY,
                                          "mergeBehavior": {"enum": ["NORMAL", "FORCE", "DROP"]},
                                          "conflict": {"oneOf": [{"type": "null"},
                                                                 CONFLICT]}}}}}},
    "CommitResponse": {
        "type": "object", "required": ["targetBranch"],
        "properties": {"targetBranch": REF, "addedContents": {
            "type": ["array", "null"],
            "items": {"type": "object", "required": ["key", "contentId"],
                      "properties": {"key": KEY, "contentId": {"type": "string"}}}}}},
    "NessieError": {
        "type": "object", "required": ["status", "reason", "message"],
        "properties": {"status": {"type": "integer", "minimum": 400, "maximum": 599},
                       "reason": {"type": "string"}, "message": {"type": "string"},
                       "errorDetails": {
                           "type": "object", "required": ["type"],
                           "properties": {"type": {"const": "REFERENCE_CONFLICTS"}, "conflicts": {
                               "type": "array", "minItems": 1,
                               "items": CONFLICT}}},
                       "errorCode": {"enum": [
                           "UNKNOWN", "SERVICE_UNAVAILABLE", "REFERENCE_NOT_FOUND",
                           "REFERENCE_ALREADY_EXISTS", "CONTENT_NOT_FOUND", "REFERENCE_CONFLICT",
                           "REFLOG_NOT_FOUND", "BAD_REQUEST", "FORBIDDEN", "TOO_MANY_REQUESTS",
                           "NAMESPACE_NOT_FOUND", "NAMESPACE_ALREADY_EXISTS",
                           "NAMESPACE_NOT_EMPTY", "UNSUPPORTED_MEDIA_TYPE"]}}},
}

# Nessie's examples of responses, by the schema each must meet
EXAMPLES = {
    "nessieConfig": "NessieConfiguration", "refObj": "Reference", "tagObj": "Reference",
    "entriesResponseV2": "EntriesResponse", "multiGetResponse": "GetMultipleContentsResponse",
    "multipleContentsResponse": "GetMultipleContentsResponse",
    "logResponseAdditionalInfo": "LogResponse", "logResponseSimple": "LogResponse",
    "contentResponseIceberg": "ContentResponse", "singleReferenceResponse": "SingleReferenceResponse",
    "referencesResponse": "ReferencesResponse", "diffResponse": "DiffResponse",
    "diffResponseWithRef": "DiffResponse", "commitResponse": "CommitResponse",
    "mergeResponseSuccess": "MergeResponse", "mergeResponseFail": "MergeResponse",
}


def errors_of(schema_name, body):
    validator = jsonschema.Draft202012Validator(
        SCHEMAS[schema_name], format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    return [f"{'/'.join(str(p) for p in e.absolute_path) or '(top)'}: {e.message}"
            for e in validator.iter_errors(body)]


def main():
    examples_path, folder = sys.argv[1], sys.argv[2]
    examples = yaml.safe_load(open(examples_path))["components"]["examples"]
    bad = []
    for name, schema in EXAMPLES.items():
        for e in errors_of(schema, examples[name]["value"]):
            bad.append(f"Nessie's example {name} ({schema}): {e}")
    # the checker fails: a malformed body is refused
    if not errors_of("LogResponse", {"logEntries": [{"commitMeta": {"hash": "x"}}], "hasMore": 1}):
        bad.append("a malformed LogResponse was accepted: the checker cannot fail")
    checked = 0
    for f in sorted(os.listdir(folder)):
        schema = f.rsplit(".", 1)[0].split("-", 1)[1]
        body = json.load(open(os.path.join(folder, f)))
        for e in errors_of(schema, body):
            bad.append(f"{f}: {e}")
        checked += 1
    if bad:
        print("\n".join(bad))
        sys.exit(1)
    print(f"nessie contract: {checked} bodies and {len(EXAMPLES)} of Nessie's examples validate")


if __name__ == "__main__":
    main()
