#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""A small JSON Schema checker (the subset docs/jsonl.schema.json uses), no dependencies.

Keywords: type (string or list), const, enum, properties, required, additionalProperties (bool),
items, prefixItems, minItems, maxItems, minLength, minimum, maximum, pattern, anyOf, $ref to
"#/$defs/...". An unknown keyword is an error, so the schema cannot silently use more than this
checks.

    /usr/bin/python3 schemacheck.py SCHEMA FILE.jsonl   # every line; exit 1 with the errors
"""

import json
import re
import sys

KNOWN = {"$schema", "$id", "title", "description", "$defs", "type", "const", "enum", "properties", "required",
         "additionalProperties", "items", "prefixItems", "minItems", "maxItems", "minLength", "minimum",
         "maximum", "pattern", "anyOf", "$ref"}

TYPES = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
}


def errors(schema, value, root=None, path="$"):
    """The list of messages for value against schema ([] when valid)."""
    root = root if root is not None else schema
    out = []
    unknown = set(schema) - KNOWN
    if unknown:
        return [f"{path}: schema uses unsupported keywords {sorted(unknown)}"]
    if "$ref" in schema:
        ref = schema["$ref"]
        if not ref.startswith("#/$defs/"):
            return [f"{path}: unsupported $ref {ref}"]
        out += errors(root["$defs"][ref[len("#/$defs/"):]], value, root, path)
    if "anyOf" in schema:
        if not any(not errors(s, value, root, path) for s in schema["anyOf"]):
            out.append(f"{path}: {json.dumps(value)[:80]} matches none of anyOf")
    if "type" in schema:
        types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        if not any(TYPES[t](value) for t in types):
            return out + [f"{path}: {json.dumps(value)[:80]} is not {'/'.join(types)}"]
    if "const" in schema and value != schema["const"]:
        out.append(f"{path}: {value!r} is not {schema['const']!r}")
    if "enum" in schema and value not in schema["enum"]:
        out.append(f"{path}: {value!r} not in {schema['enum']}")
    if isinstance(value, str):
        if len(value) < schema.get("minLength", 0):
            out.append(f"{path}: shorter than {schema['minLength']}")
        if "pattern" in schema and not re.search(schema["pattern"], value):
            out.append(f"{path}: {value[:80]!r} does not match {schema['pattern']}")
    if TYPES["number"](value):
        if "minimum" in schema and value < schema["minimum"]:
            out.append(f"{path}: {value} < {schema['minimum']}")
        if "maximum" in schema and value > schema["maximum"]:
            out.append(f"{path}: {value} > {schema['maximum']}")
    if isinstance(value, dict):
        for name in schema.get("required", []):
            if name not in value:
                out.append(f"{path}: missing {name}")
        props = schema.get("properties", {})
        for name, v in value.items():
            if name in props:
                out += errors(props[name], v, root, f"{path}.{name}")
            elif schema.get("additionalProperties", True) is False:
                out.append(f"{path}: field {name} is not in the schema")
    if isinstance(value, list):
        if len(value) < schema.get("minItems", 0) or len(value) > schema.get("maxItems", len(value)):
            out.append(f"{path}: {len(value)} items")
        prefix = schema.get("prefixItems", [])
        for i, v in enumerate(value):
            if i < len(prefix):
                out += errors(prefix[i], v, root, f"{path}[{i}]")
            elif "items" in schema:
                out += errors(schema["items"], v, root, f"{path}[{i}]")
    return out


def check_jsonl(schema, path):
    """Messages for every line of a JSONL file ("line N: ...")."""
    out = []
    with open(path, "rb") as f:
        for number, line in enumerate(f, 1):
            try:
                value = json.loads(line)
            except ValueError as e:
                out.append(f"line {number}: not JSON: {e}")
                continue
            out += [f"line {number}: {m}" for m in errors(schema, value)]
    return out


if __name__ == "__main__":
    with open(sys.argv[1]) as f:
        problems = check_jsonl(json.load(f), sys.argv[2])
    print("\n".join(problems) or "ok")
    sys.exit(1 if problems else 0)
