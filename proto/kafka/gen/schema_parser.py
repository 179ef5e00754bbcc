"""Parser and model for Gregor's Kafka message schema (proto/kafka/schema/*.schema).

The format (docs/protocol.md has the full description):

    # comment
    api Produce key=0 versions=0-11 flexible=9+

    request
      TransactionalId   string             3+  nullable=3+ default=null
      TopicData         []TopicProduceData 0+
        Name            string             0+
    response
      ...
    response struct LeaderIdAndEpoch 0+      # a struct shared by several fields
      LeaderId          int32              0+  default=-1

    header RequestHeader versions=0-2 flexible=2+   # (headers.schema only)
      ClientId          string             1+  nullable=1+ flexible=none

A field line is `Name Type Versions [key=value ...]`; fields of a struct
follow indented below the field that declares it. Keys: nullable=<versions>,
default=<value>, tag=<n> (a tagged field), tagged=<versions> (defaults to the
field's versions), flexible=<versions> (overrides the message's flexible
versions for this field). Versions are `N+`, `N-M`, `N` or `none`.
"""

import re
import shlex

PRIMITIVES = {
    "bool", "int8", "int16", "uint16", "int32", "uint32", "int64", "float64",
    "string", "bytes", "uuid", "records",
}
INT_TYPES = {
    "int8": (-(1 << 7), (1 << 7) - 1),
    "int16": (-(1 << 15), (1 << 15) - 1),
    "uint16": (0, (1 << 16) - 1),
    "int32": (-(1 << 31), (1 << 31) - 1),
    "uint32": (0, (1 << 32) - 1),
    "int64": (-(1 << 63), (1 << 63) - 1),
}
NULLABLE_KINDS = {"string", "bytes", "records", "array", "struct"}
MAX_VERSION = 32767


class SchemaError(Exception):
    pass


class Versions:
    """A version range [lo, hi]; hi None means open-ended; lo None means none."""

    def __init__(self, lo, hi):
        self.lo = lo
        self.hi = hi

    @staticmethod
    def parse(text, where):
        text = text.strip()
        if text == "none":
            return Versions(None, None)
        m = re.fullmatch(r"(\d+)\+", text)
        if m:
            return Versions(int(m.group(1)), None)
        m = re.fullmatch(r"(\d+)-(\d+)", text)
        if m:
            lo, hi = int(m.group(1)), int(m.group(2))
            if hi < lo:
                raise SchemaError(f"{where}: empty version range {text}")
            return Versions(lo, hi)
        m = re.fullmatch(r"\d+", text)
        if m:
            return Versions(int(text), int(text))
        raise SchemaError(f"{where}: bad versions '{text}'")

    @property
    def empty(self):
        return self.lo is None

    def top(self):
        return MAX_VERSION if self.hi is None else self.hi

    def contains(self, v):
        return not self.empty and self.lo <= v <= self.top()

    def intersect(self, other):
        if self.empty or other.empty:
            return NONE
        lo = max(self.lo, other.lo)
        hi = min(self.top(), other.top())
        if hi < lo:
            return NONE
        return Versions(lo, None if hi == MAX_VERSION else hi)

    def covers(self, other):
        """True if every version of `other` is in self."""
        if other.empty:
            return True
        if self.empty:
            return False
        return self.lo <= other.lo and self.top() >= other.top()

    def __eq__(self, other):
        return (self.lo, self.hi) == (other.lo, other.hi)

    def __str__(self):
        if self.empty:
            return "none"
        if self.hi is None:
            return f"{self.lo}+"
        if self.hi == self.lo:
            return str(self.lo)
        return f"{self.lo}-{self.hi}"


NONE = Versions(None, None)


class Field:
    def __init__(self, name, type_, versions, line):
        self.name = name
        self.type = type_
        self.versions = versions
        self.nullable = NONE
        self.default = None  # text as written, or None
        self.tag = None
        self.tagged = NONE
        self.flexible = None  # per-field override, or None
        self.fields = None  # inline struct definition (list of Field) or None
        self.line = line

    @property
    def is_array(self):
        return self.type.startswith("[]")

    @property
    def elem(self):
        return self.type[2:] if self.is_array else self.type

    @property
    def is_struct(self):
        """A single (non-array) struct."""
        return not self.is_array and self.type not in PRIMITIVES

    @property
    def elem_is_struct(self):
        return self.elem not in PRIMITIVES

    @property
    def kind(self):
        if self.is_array:
            return "array"
        if self.is_struct:
            return "struct"
        return self.type

    @property
    def is_tagged(self):
        return self.tag is not None


class Struct:
    def __init__(self, name, versions, fields, common):
        self.name = name
        self.versions = versions
        self.fields = fields
        self.common = common


class Message:
    """A request, response or header: top-level fields plus named structs."""

    def __init__(self, name, kind, versions, flexible):
        self.name = name
        self.kind = kind  # "request", "response" or "header"
        self.versions = versions
        self.flexible = flexible  # Versions (possibly NONE)
        self.fields = []
        self.commons = []  # Struct, in definition order
        self.structs = {}  # name -> Struct (inline and common), filled by resolve()
        self.api_key = None  # set for requests and responses

    @property
    def first_flexible(self):
        return -1 if self.flexible.empty else self.flexible.lo


class Api:
    def __init__(self, name, key, versions, flexible, doc, path):
        self.name = name
        self.key = key
        self.versions = versions
        self.flexible = flexible
        self.doc = doc
        self.path = path
        self.request = Message(name + "Request", "request", versions, flexible)
        self.response = Message(name + "Response", "response", versions, flexible)


def snake_case(name):
    s = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name)
    s = re.sub(r"(?<=[A-Z])(?=[A-Z][a-z])", "_", s)
    return s.lower()


def _parse_field(tokens, where):
    if len(tokens) < 3:
        raise SchemaError(f"{where}: a field needs 'Name Type Versions'")
    name, type_, versions = tokens[0], tokens[1], tokens[2]
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9]*", name):
        raise SchemaError(f"{where}: field name '{name}' must be alphanumeric")
    f = Field(name, type_, Versions.parse(versions, where), where)
    for tok in tokens[3:]:
        if "=" not in tok:
            raise SchemaError(f"{where}: expected key=value, got '{tok}'")
        key, value = tok.split("=", 1)
        if key == "nullable":
            f.nullable = Versions.parse(value, where)
        elif key == "default":
            f.default = value
        elif key == "tag":
            if not value.isdigit():
                raise SchemaError(f"{where}: tag must be a number")
            f.tag = int(value)
        elif key == "tagged":
            f.tagged = Versions.parse(value, where)
        elif key == "flexible":
            f.flexible = Versions.parse(value, where)
        else:
            raise SchemaError(f"{where}: unknown attribute '{key}'")
    if f.tag is not None and f.tagged.empty:
        f.tagged = f.versions
    if f.tag is None and not f.tagged.empty:
        raise SchemaError(f"{where}: tagged= without tag=")
    return f


def _tokenize(raw, where):
    try:
        return shlex.split(raw, comments=True, posix=True)
    except ValueError as e:
        raise SchemaError(f"{where}: {e}")


def parse_file(path, text):
    """Returns a list of Api or Message (headers) defined in `text`."""
    apis = []
    headers = []
    doc = []
    current_api = None
    # Stack of (indent, field list) for nesting; set when a section starts.
    stack = None

    for lineno, raw in enumerate(text.splitlines(), 1):
        where = f"{path}:{lineno}"
        stripped = raw.strip()
        if not stripped:
            continue
        if stripped.startswith("#"):
            if current_api is None and not apis and not headers:
                doc.append(stripped[1:].strip())
            continue
        if "\t" in raw[: len(raw) - len(raw.lstrip())]:
            raise SchemaError(f"{where}: indent with spaces, not tabs")
        indent = len(raw) - len(raw.lstrip(" "))
        tokens = _tokenize(raw, where)
        if not tokens:
            continue
        if indent == 0:
            head = tokens[0]
            if head == "api":
                attrs = dict(t.split("=", 1) for t in tokens[2:] if "=" in t)
                if len(tokens) < 2 or set(attrs) != {"key", "versions", "flexible"}:
                    raise SchemaError(f"{where}: expected 'api Name key=N versions=R flexible=R'")
                current_api = Api(tokens[1], int(attrs["key"]), Versions.parse(attrs["versions"], where),
                                  Versions.parse(attrs["flexible"], where), " ".join(doc), path)
                apis.append(current_api)
                stack = None
            elif head == "header":
                attrs = dict(t.split("=", 1) for t in tokens[2:] if "=" in t)
                if len(tokens) < 2 or set(attrs) != {"versions", "flexible"}:
                    raise SchemaError(f"{where}: expected 'header Name versions=R flexible=R'")
                msg = Message(tokens[1], "header", Versions.parse(attrs["versions"], where),
                              Versions.parse(attrs["flexible"], where))
                headers.append(msg)
                stack = [(-1, msg.fields)]
            elif head in ("request", "response"):
                if current_api is None:
                    raise SchemaError(f"{where}: '{head}' before 'api'")
                msg = current_api.request if head == "request" else current_api.response
                if len(tokens) == 1:
                    stack = [(-1, msg.fields)]
                elif len(tokens) == 4 and tokens[1] == "struct":
                    s = Struct(tokens[2], Versions.parse(tokens[3], where), [], True)
                    msg.commons.append(s)
                    stack = [(-1, s.fields)]
                else:
                    raise SchemaError(f"{where}: expected '{head}' or '{head} struct Name Versions'")
            else:
                raise SchemaError(f"{where}: unexpected '{head}' at column 0")
            continue
        if stack is None:
            raise SchemaError(f"{where}: field outside a request/response/header section")
        field = _parse_field(tokens, where)
        while stack[-1][0] >= indent:
            stack.pop()
        stack[-1][1].append(field)
        if field.elem_is_struct:
            field.fields = []
            stack.append((indent, field.fields))
        else:
            stack.append((indent, _NoChildren(where)))
    return apis, headers


class _NoChildren(list):
    def __init__(self, where):
        super().__init__()
        self.where = where

    def append(self, item):
        raise SchemaError(f"{item.line}: primitive field declared at {self.where} cannot have fields")


def resolve(msg, where):
    """Collects structs, drops empty inline definitions, validates `msg`."""
    structs = {}

    def visit(fields, ctx_name):
        names = set()
        for f in fields:
            if f.name in names:
                raise SchemaError(f"{f.line}: duplicate field {f.name} in {ctx_name}")
            names.add(f.name)
            validate_field(f, msg)
            if f.elem_is_struct:
                if f.fields:  # inline definition
                    if f.elem in structs:
                        raise SchemaError(f"{f.line}: struct {f.elem} defined twice in {msg.name}")
                    structs[f.elem] = Struct(f.elem, f.versions, f.fields, False)
                    visit(f.fields, f.elem)
                else:
                    f.fields = None

    for s in msg.commons:
        if s.name in structs:
            raise SchemaError(f"{where}: struct {s.name} defined twice in {msg.name}")
        structs[s.name] = s
    visit(msg.fields, msg.name)
    for s in msg.commons:
        visit(s.fields, s.name)

    def check_refs(fields):
        for f in fields:
            if f.elem_is_struct:
                if f.elem not in structs:
                    raise SchemaError(f"{f.line}: unknown type {f.elem}")
                if f.fields is None and not structs[f.elem].common:
                    raise SchemaError(f"{f.line}: {f.elem} refers to an inline struct defined elsewhere")
                if f.fields is not None:
                    check_refs(f.fields)

    check_refs(msg.fields)
    for s in msg.commons:
        check_refs(s.fields)
    if msg.name in structs:
        raise SchemaError(f"{where}: struct named like its message {msg.name}")
    msg.structs = structs


def validate_field(f, msg):
    if f.versions.empty:
        raise SchemaError(f"{f.line}: field {f.name} has no versions")
    if f.is_array and f.elem.startswith("[]"):
        raise SchemaError(f"{f.line}: nested arrays are not supported")
    if f.is_array and f.elem in ("records", "bool"):
        raise SchemaError(f"{f.line}: arrays of {f.elem} are not supported")
    if not f.nullable.empty and f.kind not in NULLABLE_KINDS:
        raise SchemaError(f"{f.line}: {f.type} cannot be nullable")
    if f.is_tagged:
        if not msg.flexible.covers(f.tagged):
            raise SchemaError(f"{f.line}: tagged versions {f.tagged} outside flexible versions")
        if not f.versions.covers(f.tagged) or not f.tagged.covers(f.versions):
            raise SchemaError(f"{f.line}: tagged versions must equal the field's versions")
        if f.kind == "records":
            raise SchemaError(f"{f.line}: records cannot be tagged")
    if f.default is not None:
        check_default(f)


def check_default(f):
    d = f.default
    if d == "null":
        if f.nullable.empty:
            raise SchemaError(f"{f.line}: default=null on a non-nullable field")
        return
    if f.type in INT_TYPES:
        try:
            v = int(d, 0)
        except ValueError:
            raise SchemaError(f"{f.line}: bad integer default '{d}'")
        lo, hi = INT_TYPES[f.type]
        if not lo <= v <= hi:
            raise SchemaError(f"{f.line}: default {d} out of range for {f.type}")
    elif f.type == "bool":
        if d not in ("true", "false"):
            raise SchemaError(f"{f.line}: bool default must be true or false")
    elif f.type == "float64":
        float(d)
    elif f.type == "string":
        pass
    else:
        raise SchemaError(f"{f.line}: default not supported for {f.type}")


def int_default(f):
    if f.default is None:
        return 0
    return int(f.default, 0)


def load(paths):
    """Parses every file; returns (apis sorted by key, headers by name)."""
    apis, headers = [], {}
    for p in paths:
        with open(p, encoding="utf-8") as fh:
            a, h = parse_file(p, fh.read())
        apis.extend(a)
        for m in h:
            headers[m.name] = m
    keys = {}
    for api in apis:
        if api.key in keys:
            raise SchemaError(f"{api.path}: api key {api.key} also used by {keys[api.key]}")
        keys[api.key] = api.name
        if api.versions.empty or api.versions.hi is None:
            raise SchemaError(f"{api.path}: versions must be a closed range")
        resolve(api.request, api.path)
        resolve(api.response, api.path)
    for m in headers.values():
        resolve(m, m.name)
    apis.sort(key=lambda a: a.key)
    return apis, headers
