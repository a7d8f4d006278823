#!/usr/bin/env python3
"""py-validate.py: validate records with python-jsonschema against `fieldbook schema export`.

    python3 py-validate.py --fieldbook BIN [--root DIR] [FILE...]

The independent second opinion to ajv-validate.mjs, with the same output:
one line per record on stdout, "records/T/ID.yaml: valid" or
"records/T/ID.yaml: invalid: PROBLEM; PROBLEM", a summary on stderr, exit 1
when any record is invalid and 2 when a schema cannot be exported or is not
a valid draft 2020-12 schema.

Schemas are what `BIN -C DIR schema export TYPE` prints, checked with
jsonschema's Draft202012Validator (unknown x- keywords are ignored, as the
draft says) and its format checker.  Records are read with PyYAML, but under
the YAML 1.2 core schema, as editors read them: PyYAML's own resolver is
YAML 1.1, where a plain 1403-5-12 is a date, `no` is false and 0755 is
octal, which no editor using YAML 1.2 would agree with.
"""

import argparse
import json
import os
import re
import subprocess
import sys

import jsonschema
import yaml


class Core12Loader(yaml.SafeLoader):
    """SafeLoader with the YAML 1.2 core schema's implicit types only."""

    def construct_mapping(self, node, deep=False):
        # YAML requires unique keys; PyYAML would silently keep the last one
        seen = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                first = seen.setdefault(key, key_node.start_mark)
            except TypeError:
                continue
            if first is not key_node.start_mark:
                raise yaml.constructor.ConstructorError(
                    "while constructing a mapping", node.start_mark,
                    "found duplicate key %r (first at line %d)" % (key, first.line + 1), key_node.start_mark)
        return super().construct_mapping(node, deep=deep)


Core12Loader.yaml_implicit_resolvers = {}
for tag, regexp, first in (
    ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", list("tTfF")),
    ("tag:yaml.org,2002:int", r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", list("-+0123456789")),
    ("tag:yaml.org,2002:float",
     r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
     r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$", list("-+0123456789.")),
):
    Core12Loader.add_implicit_resolver(tag, re.compile(regexp), first)


def _int(loader, node):
    v = loader.construct_scalar(node)
    if v.startswith("0o"):
        return int(v[2:], 8)
    if v.startswith("0x"):
        return int(v[2:], 16)
    return int(v, 10)  # 1.2: a leading zero is still decimal


def _float(loader, node):
    v = loader.construct_scalar(node).lower()
    if v.endswith(".inf"):
        return float("-inf") if v.startswith("-") else float("inf")
    if v == ".nan":
        return float("nan")
    return float(v)


def _bool(loader, node):
    return loader.construct_scalar(node).lower() == "true"


def _str_only(loader, node):
    # 1.1-only explicit tags (!!timestamp, !!binary, ...) are not core types
    raise yaml.constructor.ConstructorError(
        None, None, "tag %s is not in the YAML 1.2 core schema" % node.tag, node.start_mark)


Core12Loader.add_constructor("tag:yaml.org,2002:int", _int)
Core12Loader.add_constructor("tag:yaml.org,2002:float", _float)
Core12Loader.add_constructor("tag:yaml.org,2002:bool", _bool)
for _t in ("timestamp", "binary", "omap", "pairs", "set"):
    Core12Loader.add_constructor("tag:yaml.org,2002:" + _t, _str_only)


def walk(top):
    out = []
    for d, dirs, names in os.walk(top):
        dirs[:] = sorted(x for x in dirs if not x.startswith("."))
        out += [os.path.join(d, n) for n in sorted(names) if n.endswith(".yaml") and not n.startswith(".")]
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--fieldbook", required=True)
    ap.add_argument("--root", default=".")
    ap.add_argument("files", nargs="*")
    args = ap.parse_args()
    root = os.path.abspath(args.root)
    targets = [os.path.abspath(f) for f in args.files] or walk(os.path.join(root, "records"))
    if not targets:
        sys.exit("py-validate: no records to validate")

    cls = jsonschema.Draft202012Validator
    validators = {}

    def validator_for(t):
        if t not in validators:
            p = subprocess.run([args.fieldbook, "-C", root, "schema", "export", t],
                               capture_output=True, text=True)
            if p.returncode != 0:
                print("py-validate: schema export %s failed: %s" % (t, p.stderr.strip()), file=sys.stderr)
                sys.exit(2)
            schema = json.loads(p.stdout)
            try:
                cls.check_schema(schema)
            except jsonschema.exceptions.SchemaError as e:
                print("py-validate: schema export %s: not a valid 2020-12 schema: %s" % (t, e.message),
                      file=sys.stderr)
                sys.exit(2)
            validators[t] = cls(schema, format_checker=cls.FORMAT_CHECKER)
        return validators[t]

    nvalid = ninvalid = 0
    types = set()
    for f in targets:
        rel = os.path.relpath(f, root)
        parts = rel.split(os.sep)
        if len(parts) < 3 or parts[0] != "records":
            print("py-validate: %s: not under records/TYPE/" % rel, file=sys.stderr)
            sys.exit(2)
        types.add(parts[1])
        v = validator_for(parts[1])
        problems = []
        try:
            with open(f, encoding="utf-8") as fh:
                data = yaml.load(fh, Loader=Core12Loader)
        except (yaml.YAMLError, UnicodeDecodeError) as e:
            problems.append("YAML: " + str(e).replace("\n", " "))
        if not problems:
            for e in sorted(v.iter_errors(data), key=lambda e: list(map(str, e.absolute_path))):
                ptr = "/" + "/".join(str(x) for x in e.absolute_path)
                problems.append("%s %s (%s)" % (ptr, e.message, e.validator))
        if problems:
            ninvalid += 1
            print("%s: invalid: %s" % (rel, "; ".join(problems)))
        else:
            nvalid += 1
            print("%s: valid" % rel)
    try:
        from importlib.metadata import version
        jv = version("jsonschema")
    except Exception:
        jv = "?"
    print("py-validate: python %s, jsonschema %s, PyYAML %s (YAML 1.2 core resolver): "
          "%d record(s) of %d type(s): %d valid, %d invalid"
          % (sys.version.split()[0], jv, yaml.__version__, len(targets), len(types), nvalid, ninvalid),
          file=sys.stderr)
    sys.exit(1 if ninvalid else 0)


if __name__ == "__main__":
    main()
