"""C++ naming, types, defaults and version conditions shared by the emitters."""

from schema_parser import INT_TYPES, Versions, int_default, snake_case

CPP_KEYWORDS = {
    "alignas", "alignof", "and", "asm", "auto", "bool", "break", "case", "catch", "char",
    "class", "const", "constexpr", "continue", "default", "delete", "do", "double", "else",
    "enum", "explicit", "export", "extern", "false", "float", "for", "friend", "goto", "if",
    "inline", "int", "long", "mutable", "namespace", "new", "noexcept", "not", "nullptr",
    "operator", "or", "private", "protected", "public", "register", "return", "short",
    "signed", "sizeof", "static", "struct", "switch", "template", "this", "throw", "true",
    "try", "typedef", "typeid", "typename", "union", "unsigned", "using", "virtual", "void",
    "volatile", "while", "xor",
}

SCALAR_CPP = {
    "bool": "bool",
    "int8": "int8_t",
    "int16": "int16_t",
    "uint16": "uint16_t",
    "int32": "int32_t",
    "uint32": "uint32_t",
    "int64": "int64_t",
    "float64": "double",
    "string": "std::string",
    "bytes": "std::string",
    "uuid": "::gregor::Uuid",
    "records": "::gregor::kafka::Records",
}

FIXED_SIZE = {"bool": 1, "int8": 1, "int16": 2, "uint16": 2, "int32": 4, "uint32": 4,
              "int64": 8, "float64": 8, "uuid": 16}

READ_FN = {"int8": "ReadInt8", "int16": "ReadInt16", "uint16": "ReadUint16", "int32": "ReadInt32",
           "uint32": "ReadUint32", "int64": "ReadInt64", "float64": "ReadFloat64"}
WRITE_FN = {"int8": "WriteInt8", "int16": "WriteInt16", "uint16": "WriteUint16",
            "int32": "WriteInt32", "uint32": "WriteUint32", "int64": "WriteInt64",
            "float64": "WriteFloat64", "bool": "WriteBool", "uuid": "WriteUuid"}

WIRE = "::gregor::kafka::wire"


def member_name(f):
    n = snake_case(f.name)
    return n + "_" if n in CPP_KEYWORDS else n


def bare(name):
    return name


def elem_cpp(f, qual=bare):
    """The element's C++ type; `qual` maps a struct name to how to spell it."""
    if f.elem in SCALAR_CPP:
        return SCALAR_CPP[f.elem]
    return qual(f.elem)


def nullable_any(f):
    return not f.nullable.empty and f.kind in ("string", "bytes", "array", "struct")


def cpp_type(f, qual=bare):
    if f.is_array:
        t = f"std::vector<{elem_cpp(f, qual)}>"
    else:
        t = elem_cpp(f, qual)
    if nullable_any(f):
        t = f"std::optional<{t}>"
    return t


def cpp_string_literal(s):
    out = []
    for ch in s.encode("utf-8"):
        c = chr(ch)
        if c in "\\\"":
            out.append("\\" + c)
        elif 32 <= ch < 127:
            out.append(c)
        else:
            out.append(f"\\{ch:03o}")
    return '"' + "".join(out) + '"'


def int_literal(type_, v):
    lo, _ = INT_TYPES[type_]
    if v == lo and v < 0:
        return f"std::numeric_limits<{SCALAR_CPP[type_]}>::min()"
    suffix = "LL" if type_ == "int64" and abs(v) > (1 << 31) else ""
    if type_ == "uint32":
        suffix = "u"
    return f"{v}{suffix}"


def default_expr(f, qual=bare):
    """Expression for the field's default value, or None for value-initialised."""
    k = f.kind
    d = f.default
    if k in INT_TYPES:
        return int_literal(k, int_default(f))
    if k == "bool":
        return "true" if d == "true" else "false"
    if k == "float64":
        return repr(float(d)) if d is not None else "0.0"
    if k in ("string", "bytes"):
        if nullable_any(f):
            if d == "null":
                return None
            return f"std::string({cpp_string_literal(d or '')})"
        return cpp_string_literal(d) if d else None
    if k in ("array", "struct"):
        if nullable_any(f) and d != "null":
            inner = f"std::vector<{elem_cpp(f, qual)}>" if k == "array" else elem_cpp(f, qual)
            return f"{inner}()"
        return None
    return None  # uuid (zero), records (null)


def differs_from_default(f, x, qual=bare):
    """C++ condition true when `x` (the member) is not the field's default."""
    k = f.kind
    if k in INT_TYPES or k in ("bool", "float64"):
        return f"{x} != {default_expr(f, qual)}"
    if k == "uuid":
        return f"!{x}.IsZero()"
    if k == "records":
        return f"!{x}.is_null()"
    if nullable_any(f):
        if f.default == "null":
            return f"{x}.has_value()"
        if k in ("string", "bytes"):
            return f"!({x}.has_value() && *{x} == {cpp_string_literal(f.default or '')})"
        if k == "array":
            return f"!({x}.has_value() && {x}->empty())"
        return f"!({x}.has_value() && *{x} == {elem_cpp(f, qual)}())"
    if k in ("string", "bytes"):
        return f"{x} != {cpp_string_literal(f.default or '')}"
    if k == "array":
        return f"!{x}.empty()"
    return f"!({x} == {elem_cpp(f, qual)}())"


def cond(r, ctx):
    """C++ condition on `version` for membership in r, given version is in ctx."""
    p = r.intersect(ctx)
    if p.empty:
        return "false"
    parts = []
    if p.lo > ctx.lo:
        parts.append(f"version >= {p.lo}")
    if p.top() < ctx.top():
        parts.append(f"version <= {p.top()}")
    return " && ".join(parts) if parts else "true"


def field_compact(f, msg, present):
    """C++ expression: does the field use compact encoding (given presence)."""
    if f.flexible is not None:
        return cond(f.flexible, present)
    return "flexible"


def compact_at(f, msg, v):
    if f.flexible is not None:
        return f.flexible.contains(v)
    return msg.flexible.contains(v)


def struct_ctx(s, msg):
    return s.versions.intersect(msg.versions)


def ordered_structs(msg):
    """Structs of `msg` in dependency order (a struct after the ones it uses)."""
    order, seen = [], set()

    def visit_fields(fields):
        for f in fields:
            if f.elem_is_struct:
                visit(f.elem)

    def visit(name):
        if name in seen:
            return
        seen.add(name)
        visit_fields(msg.structs[name].fields)
        order.append(msg.structs[name])

    visit_fields(msg.fields)
    for s in msg.commons:
        visit(s.name)
    return order


def min_wire_size(msg, fields, v):
    """Minimum encoded size of a struct with `fields` at version v."""
    total = 0
    for f in fields:
        if not f.versions.contains(v) or f.is_tagged:
            continue
        k = f.kind
        compact = compact_at(f, msg, v)
        if k in FIXED_SIZE:
            total += FIXED_SIZE[k]
        elif k == "string":
            total += 1 if compact else 2
        elif k in ("bytes", "records", "array"):
            total += 1 if compact else 4
        elif k == "struct":
            if f.nullable.contains(v):
                total += 1
            else:
                total += min_wire_size(msg, msg.structs[f.elem].fields, v)
    if msg.flexible.contains(v):
        total += 1
    return total


def elem_min_size_expr(f, msg, present):
    k = f.elem
    if f.elem_is_struct:
        return f"{msg.name}::{f.elem}::MinWireSize(version)"
    if k in FIXED_SIZE:
        return str(FIXED_SIZE[k])
    comp = field_compact(f, msg, present)
    if k == "string":
        return f"({comp} ? 1 : 2)" if comp not in ("true", "false") else ("1" if comp == "true" else "2")
    return f"({comp} ? 1 : 4)" if comp not in ("true", "false") else ("1" if comp == "true" else "4")


ALL = Versions(0, None)


def hoisted_structs(msg):
    """Names of structs declared outside the message struct (see emit_decl):
    those held in std::optional as nullable single structs, and every struct
    they use."""
    roots = set()

    def scan(fields):
        for f in fields:
            if f.is_struct and nullable_any(f):
                roots.add(f.elem)

    scan(msg.fields)
    for s in msg.structs.values():
        scan(s.fields)
    out = set()
    todo = list(roots)
    while todo:
        n = todo.pop()
        if n in out:
            continue
        out.add(n)
        for f in msg.structs[n].fields:
            if f.elem_is_struct:
                todo.append(f.elem)
    return out


def hoisted_name(msg, name):
    return f"{msg.name}_{name}"
