"""Emits the C++ types with Read/Write (decode/encode) for one message file."""

from cpp_types import (FIXED_SIZE, READ_FN, WIRE, WRITE_FN, cond, cpp_type, default_expr,
                       differs_from_default, elem_cpp, elem_min_size_expr, field_compact,
                       hoisted_name, hoisted_structs, member_name, min_wire_size, nullable_any,
                       ordered_structs, struct_ctx)
from schema_parser import SchemaError

READER = "::gregor::ByteReader"
WRITER = "::gregor::kafka::WireWriter"


class Out:
    def __init__(self):
        self.lines = []
        self.indent = 0

    def __call__(self, text=""):
        if not text:
            self.lines.append("")
            return
        for line in text.split("\n"):
            self.lines.append(("  " * self.indent + line) if line else "")

    def block(self, head, body_fn, tail="}"):
        self(head + " {")
        self.indent += 1
        body_fn()
        self.indent -= 1
        self(tail)

    def text(self):
        return "\n".join(self.lines) + "\n"


def guarded(out, condition, stmts):
    """Emits stmts (list of lines) under `if (condition)` unless it is always true."""
    if condition == "false":
        return
    if condition == "true":
        for s in stmts:
            out(s)
        return
    out(f"if ({condition}) {{")
    out.indent += 1
    for s in stmts:
        out(s)
    out.indent -= 1
    out("}")


# ---- Reading -----------------------------------------------------------------


def read_elem(f, R, e, comp):
    k = f.elem
    if f.elem_is_struct:
        return f"{e}.Read({R}, version);"
    if k in READ_FN:
        return f"{e} = {R}.{READ_FN[k]}();"
    if k == "bool":
        return f"{e} = {WIRE}::ReadBool({R});"
    if k == "uuid":
        return f"{e} = {WIRE}::ReadUuid({R});"
    if k == "string":
        return f"{WIRE}::ReadString({R}, {comp}, &{e});"
    if k == "bytes":
        return f"{WIRE}::ReadBytes({R}, {comp}, &{e});"
    raise SchemaError(f"{f.line}: cannot read arrays of {k}")


def read_stmts(f, msg, R, x, present, tagged=False):
    comp = field_compact(f, msg, present)
    N = cond(f.nullable, present)
    k = f.kind
    if k in READ_FN:
        return [f"{x} = {R}.{READ_FN[k]}();"]
    if k == "bool":
        return [f"{x} = {WIRE}::ReadBool({R});"]
    if k == "uuid":
        return [f"{x} = {WIRE}::ReadUuid({R});"]
    if k in ("string", "bytes"):
        fn = "String" if k == "string" else "Bytes"
        if nullable_any(f):
            return [f"{WIRE}::ReadNullable{fn}({R}, {comp}, {N}, &{x});"]
        return [f"{WIRE}::Read{fn}({R}, {comp}, &{x});"]
    if k == "records":
        return [f"{WIRE}::ReadRecords({R}, {comp}, {N}, &{x});"]
    if k == "struct":
        if not nullable_any(f):
            return [f"{x}.Read({R}, version);"]
        if N == "false":
            return [f"{x}.emplace().Read({R}, version);"]
        # Kafka marks a nullable struct with an int8 (-1 null, 1 present), or
        # inside a tagged field with an unsigned varint (0 null, 1 present).
        marker = "ReadTaggedStructPresent" if tagged else "ReadStructPresent"
        present_check = f"{WIRE}::{marker}({R})"
        test = present_check if N == "true" else f"!({N}) || {present_check}"
        return [f"if ({test}) {{", f"  {x}.emplace().Read({R}, version);", "} else {",
                f"  {x}.reset();", "}"]
    # array
    et = elem_cpp(f, lambda n: f"{msg.name}::{n}")
    mins = elem_min_size_expr(f, msg, present)
    lam = f"[&]({et}& e) {{ {read_elem(f, R, 'e', comp)} }}"
    if nullable_any(f):
        return [f"{WIRE}::ReadNullableArray({R}, {comp}, {N}, {mins}, &{x},", f"    {lam});"]
    return [f"{WIRE}::ReadArray({R}, {comp}, {mins}, &{x},", f"    {lam});"]


# ---- Writing -----------------------------------------------------------------


def write_elem(f, W, e, comp):
    k = f.elem
    if f.elem_is_struct:
        return f"{e}.Write({W}, version);"
    if k in WRITE_FN:
        return f"{W}.{WRITE_FN[k]}({e});"
    if k == "string":
        return f"{WIRE}::WriteString({W}, {comp}, {e});"
    if k == "bytes":
        return f"{WIRE}::WriteBytes({W}, {comp}, {e});"
    raise SchemaError(f"{f.line}: cannot write arrays of {k}")


def write_stmts(f, msg, W, x, present, tagged=False):
    comp = field_compact(f, msg, present)
    N = cond(f.nullable, present)
    k = f.kind
    if k in WRITE_FN:
        return [f"{W}.{WRITE_FN[k]}({x});"]
    if k in ("string", "bytes"):
        fn = "String" if k == "string" else "Bytes"
        if nullable_any(f):
            return [f"{WIRE}::WriteNullable{fn}({W}, {comp}, {N}, {x});"]
        return [f"{WIRE}::Write{fn}({W}, {comp}, {x});"]
    if k == "records":
        return [f"{WIRE}::WriteRecords({W}, {comp}, {N}, {x});"]
    if k == "struct":
        if not nullable_any(f):
            return [f"{x}.Write({W}, version);"]
        one, null = (f"{W}.WriteUnsignedVarint(1);", f"{W}.WriteUnsignedVarint(0);") if tagged \
            else (f"{W}.WriteInt8(1);", f"{W}.WriteInt8(-1);")
        with_marker = [f"if ({x}.has_value()) {{", f"  {one}",
                       f"  {x}->Write({W}, version);", "} else {", f"  {null}", "}"]
        without = [f"if ({x}.has_value()) {{", f"  {x}->Write({W}, version);", "} else {",
                   f"  {W}.Fail(\"null struct in a non-nullable field\");",
                   f"  {elem_cpp(f, lambda n: f'{msg.name}::{n}')}().Write({W}, version);", "}"]
        if N == "true":
            return with_marker
        if N == "false":
            return without
        return [f"if ({N}) {{"] + ["  " + s for s in with_marker] + ["} else {"] + \
            ["  " + s for s in without] + ["}"]
    et = elem_cpp(f, lambda n: f"{msg.name}::{n}")
    lam = f"[&](const {et}& e) {{ {write_elem(f, W, 'e', comp)} }}"
    if nullable_any(f):
        return [f"{WIRE}::WriteNullableArray({W}, {comp}, {N}, {x},", f"    {lam});"]
    return [f"{WIRE}::WriteArray({W}, {comp}, {x},", f"    {lam});"]


# ---- Declarations --------------------------------------------------------------


def has_tagged_section(msg):
    return not msg.flexible.empty


def emit_members(out, msg, fields, qual=None):
    qual = qual or (lambda n: n)
    for f in fields:
        d = default_expr(f, qual)
        name = member_name(f)
        if d is None:
            out(f"{cpp_type(f, qual)} {name};")
        else:
            out(f"{cpp_type(f, qual)} {name} = {d};")
    if has_tagged_section(msg):
        out("::gregor::kafka::TaggedFields unknown_tagged_fields;")


def emit_methods_decl(out, name):
    out(f"void Read({READER}& r, int16_t version);")
    out(f"void Write({WRITER}& w, int16_t version) const;")
    out("// Fewest bytes one encoded instance takes at `version`.")
    out("static size_t MinWireSize(int16_t version);")
    out("// Field-by-field equality (defaulted, defined out of line).")
    out(f"friend bool operator==(const {name}&, const {name}&);")


def emit_struct_body(out, msg, s, name, qual=None):
    out(f"struct {name} {{")
    out.indent += 1
    emit_members(out, msg, s.fields, qual)
    out()
    emit_methods_decl(out, name)
    out.indent -= 1
    out("};")
    out()


def emit_decl(out, msg, api):
    # Structs held in std::optional (and what they use) are declared before
    # the message struct under a prefixed name and aliased inside it: clang
    # cannot tell that a nested struct with member initializers is default-
    # constructible while its enclosing struct is incomplete, which
    # std::optional<Nested> requires. Users spell them Message::Nested either way.
    hoisted = hoisted_structs(msg)
    for s in ordered_structs(msg):
        if s.name in hoisted:
            emit_struct_body(out, msg, s, hoisted_name(msg, s.name),
                             lambda n: hoisted_name(msg, n))
    out(f"struct {msg.name} {{")
    out.indent += 1
    if api is not None:
        out(f"static constexpr int16_t kApiKey = {api.key};")
    out(f"static constexpr int16_t kLowestVersion = {msg.versions.lo}, "
        f"kHighestVersion = {msg.versions.hi};")
    out(f"static constexpr int16_t kFirstFlexibleVersion = {msg.first_flexible};")
    out(f"static constexpr std::string_view kName = \"{msg.name}\";")
    out()
    for s in ordered_structs(msg):
        if s.name in hoisted:
            out(f"using {s.name} = {hoisted_name(msg, s.name)};")
            out()
        else:
            emit_struct_body(out, msg, s, s.name)
    emit_members(out, msg, msg.fields)
    out()
    out("// Decodes one message of `version` from `r`; never reads past its end.")
    out(f"absl::Status Decode({READER}& r, int16_t version);")
    out("// Encodes the message as `version`. Fields absent from `version` are")
    out("// skipped; a value the version cannot carry fails `w`.")
    out(f"void Encode({WRITER}& w, int16_t version) const;")
    emit_methods_decl(out, msg.name)
    out.indent -= 1
    out("};")


# ---- Definitions ---------------------------------------------------------------


def emit_read(out, msg, qname, fields, ctx):
    def body():
        out(f"[[maybe_unused]] const bool flexible = {cond(msg.flexible, ctx)};")
        for f in fields:
            if f.is_tagged:
                continue
            present = f.versions.intersect(ctx)
            if present.empty:
                continue
            guarded(out, cond(f.versions, ctx), read_stmts(f, msg, "r", f"this->{member_name(f)}", present))
        flex = cond(msg.flexible, ctx)
        if not has_tagged_section(msg) or flex == "false":
            return
        tagged = sorted((f for f in fields if f.is_tagged and not f.tagged.intersect(ctx).empty),
                        key=lambda f: f.tag)
        lines = []
        if not tagged:
            lines.append(f"{WIRE}::ReadTaggedFields(r, &this->unknown_tagged_fields,")
            lines.append(f"    [](uint32_t, {READER}&) {{ return false; }});")
        else:
            lines.append(f"{WIRE}::ReadTaggedFields(r, &this->unknown_tagged_fields,")
            lines.append(f"    [&](uint32_t tag, {READER}& t) {{")
            lines.append("      switch (tag) {")
            for f in tagged:
                present = f.tagged.intersect(ctx)
                c = cond(f.tagged, ctx)
                lines.append(f"        case {f.tag}:")
                inner = read_stmts(f, msg, "t", f"this->{member_name(f)}", present, tagged=True)
                if c == "true":
                    lines += ["          " + s for s in inner] + ["          return true;"]
                else:
                    lines.append(f"          if ({c}) {{")
                    lines += ["            " + s for s in inner] + ["            return true;"]
                    lines.append("          }")
                    lines.append("          return false;")
            lines.append("        default:")
            lines.append("          return false;")
            lines.append("      }")
            lines.append("    });")
        guarded(out, "flexible" if flex != "true" else "true", lines)

    out.block(f"void {qname}::Read({READER}& r, int16_t version)", body)


def emit_write(out, msg, qname, fields, ctx):
    def body():
        out(f"[[maybe_unused]] const bool flexible = {cond(msg.flexible, ctx)};")
        for f in fields:
            if f.is_tagged:
                continue
            present = f.versions.intersect(ctx)
            if present.empty:
                continue
            guarded(out, cond(f.versions, ctx), write_stmts(f, msg, "w", f"this->{member_name(f)}", present))
        flex = cond(msg.flexible, ctx)
        if not has_tagged_section(msg) or flex == "false":
            return
        tagged = sorted((f for f in fields if f.is_tagged and not f.tagged.intersect(ctx).empty),
                        key=lambda f: f.tag)
        lines = []
        flags = []
        for f in tagged:
            c = cond(f.tagged, ctx)
            x = f"this->{member_name(f)}"
            d = differs_from_default(f, x, lambda n: f"{msg.name}::{n}")
            flag = f"has_{member_name(f)}"
            flags.append(flag)
            lines.append(f"const bool {flag} = {d};" if c == "true" else f"const bool {flag} = ({c}) && ({d});")
        count = " + ".join(f"size_t{{{fl}}}" for fl in flags) or "0"
        lines.append(f"{WIRE}::TaggedFieldsWriter tw(w, this->unknown_tagged_fields, {count});")
        for f in tagged:
            present = f.tagged.intersect(ctx)
            lines.append(f"if (has_{member_name(f)}) {{")
            lines.append(f"  {WRITER} t;")
            lines += ["  " + s for s in write_stmts(f, msg, "t", f"this->{member_name(f)}", present,
                                                    tagged=True)]
            lines.append(f"  tw.Write({f.tag}, std::move(t));")
            lines.append("}")
        lines.append("tw.Finish();")
        guarded(out, "flexible" if flex != "true" else "true", lines)

    out.block(f"void {qname}::Write({WRITER}& w, int16_t version) const", body)


def emit_min_size(out, msg, qname, fields, ctx):
    sizes = []
    for v in range(0, msg.versions.hi + 1):
        sizes.append(min_wire_size(msg, fields, v) if ctx.contains(v) else 0)

    def body():
        out(f"static constexpr uint16_t kSizes[{len(sizes)}] = {{{', '.join(map(str, sizes))}}};")
        out(f"return version >= 0 && version < {len(sizes)} ? kSizes[version] : 1;")

    out.block(f"size_t {qname}::MinWireSize(int16_t version)", body)
    return sizes


def check_array_elements(msg):
    """Every struct used as an array element must take >= 1 byte when present."""

    def visit(fields, ctx, where):
        for f in fields:
            present = f.versions.intersect(ctx)
            if present.empty:
                continue
            if f.is_array and f.elem_is_struct:
                s = msg.structs[f.elem]
                for v in range(present.lo, min(present.top(), msg.versions.hi) + 1):
                    if min_wire_size(msg, s.fields, v) == 0:
                        raise SchemaError(f"{f.line}: elements of {f.name} can be empty at v{v}")

    for s in ordered_structs(msg):
        visit(s.fields, struct_ctx(s, msg), s.name)
    visit(msg.fields, msg.versions, msg.name)


def emit_defs(out, msg):
    check_array_elements(msg)
    for s in ordered_structs(msg):
        q = f"{msg.name}::{s.name}"
        out(f"bool operator==(const {q}&, const {q}&) = default;")
        out()
        ctx = struct_ctx(s, msg)
        emit_read(out, msg, q, s.fields, ctx)
        out()
        emit_write(out, msg, q, s.fields, ctx)
        out()
        emit_min_size(out, msg, q, s.fields, ctx)
        out()
    q = msg.name
    out(f"bool operator==(const {q}&, const {q}&) = default;")
    out()
    emit_read(out, msg, q, msg.fields, msg.versions)
    out()
    emit_write(out, msg, q, msg.fields, msg.versions)
    out()
    emit_min_size(out, msg, q, msg.fields, msg.versions)
    out()

    def decode():
        out("if (version < kLowestVersion || version > kHighestVersion) {")
        out(f"  return {WIRE}::UnsupportedVersion(kName, version);")
        out("}")
        out(f"*this = {q}();")
        out("Read(r, version);")
        out(f"return {WIRE}::DecodeStatus(r, kName, version);")

    out.block(f"absl::Status {q}::Decode({READER}& r, int16_t version)", decode)
    out()

    def encode():
        out("if (version < kLowestVersion || version > kHighestVersion) {")
        out(f"  {WIRE}::FailUnsupportedVersion(w, kName, version);")
        out("  return;")
        out("}")
        out("Write(w, version);")

    out.block(f"void {q}::Encode({WRITER}& w, int16_t version) const", encode)
