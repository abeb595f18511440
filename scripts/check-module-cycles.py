#!/usr/bin/env python3
"""Report dependency cycles between the top-level modules of each crate.

For every crate under `crates/*/src`, the nodes are the top-level modules: `src/foo.rs`
or `src/foo/` is module `foo`; `lib.rs` and `main.rs` are the crate root and not nodes,
and `src/bin/` holds separate binary crates and is skipped. There is an edge A -> B when
a file of A names `crate::B` (in a `use` item, including braced groups such as
`use crate::{B, c::{D, E}}`, or as an inline path `crate::B::f()`), or reaches B through
enough `super::` segments to climb to the crate root (`super::B` from `src/a.rs`).
`super::` paths that stay inside A are ignored. Comments, doc comments and string
literals are ignored, and so are items behind `#[cfg(test)]` (an inline
`mod tests { ... }` or an out-of-line `mod tests;` file): tests may import anything.

Prints every elementary cycle as `crate: a -> b -> c -> a` (with where each edge comes
from) and exits 1, or prints one OK line per crate and exits 0.

    python3 scripts/check-module-cycles.py [--root DIR] [--self-test]

`--self-test` builds small crates in a temporary folder and checks the verdicts.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

# Stop listing a crate's cycles after this many; the rest are only counted.
MAX_CYCLES_SHOWN = 50

IDENT_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
CFG_TEST_RE = re.compile(r"#\s*\[\s*cfg\s*\(\s*(?:test\s*\)|all\s*\(\s*test\s*[,)])")


def strip_source(text: str) -> str:
    """Blank out comments, string literals and char literals, keeping newlines and offsets."""
    out = list(text)
    n = len(text)
    i = 0

    def blank(start: int, end: int) -> None:
        for k in range(start, min(end, n)):
            if out[k] != "\n":
                out[k] = " "

    while i < n:
        c = text[i]
        nxt = text[i + 1] if i + 1 < n else ""
        if c == "/" and nxt == "/":
            end = text.find("\n", i)
            end = n if end == -1 else end
            blank(i, end)
            i = end
            continue
        if c == "/" and nxt == "*":
            depth, j = 1, i + 2
            while j < n and depth:
                if text.startswith("/*", j):
                    depth, j = depth + 1, j + 2
                elif text.startswith("*/", j):
                    depth, j = depth - 1, j + 2
                else:
                    j += 1
            blank(i, j)
            i = j
            continue
        prev_ident = i > 0 and (text[i - 1].isalnum() or text[i - 1] == "_")
        # Raw strings: r"..", r#".."#, br"..", cr#".."#.
        m = None if prev_ident else re.compile(r'(?:b|c)?r(#*)"').match(text, i)
        if m:
            close = '"' + m.group(1)
            end = text.find(close, m.end())
            end = n if end == -1 else end + len(close)
            blank(i, end)
            i = end
            continue
        if c == '"' or (c in "bc" and nxt == '"' and not prev_ident):
            j = i + (2 if c != '"' else 1)
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            blank(i, j + 1)
            i = j + 1
            continue
        if c == "'":
            # A char literal ('x', '\n', '\u{..}') or a lifetime/label ('a, 'static).
            if nxt == "\\":
                j = i + 1
                while j < n and text[j] != "'":
                    j += 2 if text[j] == "\\" else 1
                blank(i, j + 1)
                i = j + 1
                continue
            if i + 2 < n and text[i + 2] == "'":
                blank(i, i + 3)
                i += 3
                continue
        if c.isalnum() or c == "_":
            # Skip whole identifiers so `br` in `abr"` etc. is never misread.
            j = i
            while j < n and (text[j].isalnum() or text[j] == "_"):
                j += 1
            i = j
            continue
        i += 1
    return "".join(out)


def matching_brace(text: str, open_at: int) -> int:
    """Index just past the `}` matching the `{` at `open_at` (or len(text))."""
    depth = 0
    for k in range(open_at, len(text)):
        if text[k] == "{":
            depth += 1
        elif text[k] == "}":
            depth -= 1
            if depth == 0:
                return k + 1
    return len(text)


def remove_cfg_test(text: str) -> tuple[str, list[str]]:
    """Blank out items under `#[cfg(test)]`; return the text and out-of-line test modules.

    The text must already be stripped of comments and strings.
    """
    out = list(text)
    test_mods: list[str] = []
    pos = 0
    while True:
        m = CFG_TEST_RE.search(text, pos)
        if not m:
            break
        start = m.start()
        # Skip the rest of this attribute and any further attributes.
        j = text.find("]", m.end())
        j = len(text) if j == -1 else j + 1
        while True:
            k = j
            while k < len(text) and text[k].isspace():
                k += 1
            if text.startswith("#", k) and re.match(r"#\s*!?\s*\[", text[k:]):
                depth, k2 = 0, k
                while k2 < len(text):
                    if text[k2] == "[":
                        depth += 1
                    elif text[k2] == "]":
                        depth -= 1
                        if depth == 0:
                            break
                    k2 += 1
                j = k2 + 1
            else:
                break
        # The item ends at the first `;` or at the brace matching the first `{`.
        semi = text.find(";", j)
        brace = text.find("{", j)
        semi = len(text) if semi == -1 else semi
        brace = len(text) if brace == -1 else brace
        if semi < brace:
            end = semi + 1
            mm = re.search(r"\bmod\s+([A-Za-z_][A-Za-z0-9_]*)\s*;", text[j:end])
            if mm:
                test_mods.append(mm.group(1))
        else:
            end = matching_brace(text, brace)
        for k in range(start, end):
            if out[k] != "\n":
                out[k] = " "
        pos = end
    return "".join(out), test_mods


def inline_mod_depths(text: str) -> list[tuple[int, int]]:
    """Spans (start, end) of the bodies of inline `mod name { ... }` blocks."""
    spans = []
    for m in re.finditer(r"\bmod\s+[A-Za-z_][A-Za-z0-9_]*\s*\{", text):
        open_at = m.end() - 1
        spans.append((open_at, matching_brace(text, open_at)))
    return spans


def skip_ws(text: str, i: int) -> int:
    while i < len(text) and text[i].isspace():
        i += 1
    return i


def group_heads(text: str, open_at: int) -> list[str]:
    """First path segment of each element of the braced use-group opening at `open_at`."""
    heads = []
    end = matching_brace(text, open_at)
    depth = 0
    expect_head = True
    i = open_at + 1
    while i < end - 1:
        c = text[i]
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
        elif c == "," and depth == 0:
            expect_head = True
        elif depth == 0 and expect_head and not c.isspace():
            m = IDENT_RE.match(text, i)
            if m:
                heads.append(m.group(0))
                i = m.end()
            expect_head = False
            continue
        i += 1
    return heads


def line_of(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


def file_references(path: Path, depth: int) -> tuple[list[tuple[str, int]], list[str]]:
    """(module named from the crate root, line) pairs in a file, and its test modules.

    `depth` is the file's module depth below the crate root: 1 for `src/a.rs` and
    `src/a/mod.rs`, 2 for `src/a/b.rs`, and so on.
    """
    raw = path.read_text(encoding="utf-8", errors="replace")
    text, test_mods = remove_cfg_test(strip_source(raw))
    mod_spans = inline_mod_depths(text)
    refs: list[tuple[str, int]] = []

    def heads_after(i: int) -> list[str]:
        i = skip_ws(text, i)
        if text.startswith("{", i):
            return group_heads(text, i)
        m = IDENT_RE.match(text, i)
        return [m.group(0)] if m else []

    for m in re.finditer(r"(?<![A-Za-z0-9_$])crate\s*::", text):
        for head in heads_after(m.end()):
            refs.append((head, line_of(text, m.start())))

    # `super::super::x`: climbing as many levels as the current depth reaches the root.
    for m in re.finditer(r"(?<![A-Za-z0-9_$:])((?:super\s*::\s*)+)", text):
        ups = m.group(1).count("super")
        here = depth + sum(1 for a, b in mod_spans if a < m.start() < b)
        if ups == here:
            for head in heads_after(m.end()):
                refs.append((head, line_of(text, m.start())))
    return refs, test_mods


def crate_graph(src: Path) -> tuple[set[str], dict[str, dict[str, tuple[Path, int]]]]:
    """Top-level modules of a crate and edges A -> B with one example location each."""
    files: list[tuple[int, Path, str | None]] = []
    for name in ("lib.rs", "main.rs"):
        if (src / name).is_file():
            files.append((0, src / name, None))
    for path in src.rglob("*.rs"):
        rel = path.relative_to(src)
        if len(rel.parts) == 1 and path.name in ("lib.rs", "main.rs"):
            continue
        if rel.parts[0] == "bin":
            continue
        depth = len(rel.parts) - (1 if path.name == "mod.rs" else 0)
        top = rel.parts[0] if len(rel.parts) > 1 else path.stem
        files.append((depth, path, top))
    # Parents before children, so a `#[cfg(test)] mod x;` is seen before x's files.
    files.sort(key=lambda f: (f[0], str(f[1])))

    edges: dict[str, dict[str, tuple[Path, int]]] = {}
    skipped: set[Path] = set()
    scanned: list[tuple[str, Path, list[tuple[str, int]]]] = []
    for depth, path, top in files:
        if path in skipped:
            continue
        refs, test_mods = file_references(path, depth)
        is_dir_owner = path.name in ("mod.rs", "lib.rs", "main.rs")
        child_dir = path.parent if is_dir_owner else path.with_suffix("")
        for name in test_mods:
            skipped.add(child_dir / f"{name}.rs")
            if (child_dir / name).is_dir():
                skipped.update((child_dir / name).rglob("*.rs"))
        if top is not None:
            edges.setdefault(top, {})
            scanned.append((top, path, refs))
    modules = set(edges)
    for top, path, refs in scanned:
        for target, line in refs:
            if target in modules and target != top:
                edges[top].setdefault(target, (path, line))
    return modules, edges


def strongly_connected(nodes: list[str], adj: dict[str, list[str]]) -> list[list[str]]:
    """Tarjan's algorithm (iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    result: list[list[str]] = []
    counter = 0
    for root in nodes:
        if root in index:
            continue
        work = [(root, 0)]
        while work:
            v, i = work.pop()
            if i == 0:
                index[v] = low[v] = counter
                counter += 1
                stack.append(v)
                on_stack.add(v)
            recurse = False
            for k in range(i, len(adj[v])):
                w = adj[v][k]
                if w not in index:
                    work.append((v, k + 1))
                    work.append((w, 0))
                    recurse = True
                    break
                if w in on_stack:
                    low[v] = min(low[v], index[w])
            if recurse:
                continue
            if low[v] == index[v]:
                comp = []
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    comp.append(w)
                    if w == v:
                        break
                result.append(sorted(comp))
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[v])
    return result


def elementary_cycles(edges: dict[str, dict[str, tuple[Path, int]]]) -> list[list[str]]:
    """Every elementary cycle, each rotated to start at its smallest module."""
    nodes = sorted(edges)
    adj = {v: sorted(edges[v]) for v in nodes}
    cycles: list[list[str]] = []
    for comp in strongly_connected(nodes, adj):
        if len(comp) < 2:
            continue
        members = set(comp)
        for start in comp:
            # Cycles through `start` that use only members after it in sorted order.
            allowed = {m for m in members if m > start}
            path = [start]

            def dfs(v: str) -> None:
                for w in adj[v]:
                    if w == start:
                        cycles.append(path + [start])
                    elif w in allowed and w not in path:
                        path.append(w)
                        dfs(w)
                        path.pop()

            dfs(start)
    cycles.sort(key=lambda c: (len(c), c))
    return cycles


def check(root: Path, out=print) -> bool:
    """Check every crate under `root/crates`; print findings; True when there are no cycles."""
    ok = True
    crates = sorted(p for p in (root / "crates").iterdir() if (p / "src").is_dir())
    for crate in crates:
        modules, edges = crate_graph(crate / "src")
        cycles = elementary_cycles(edges)
        if not cycles:
            out(f"{crate.name}: OK ({len(modules)} top-level modules, no cycles)")
            continue
        ok = False
        for cycle in cycles[:MAX_CYCLES_SHOWN]:
            out(f"{crate.name}: " + " -> ".join(cycle))
            for a, b in zip(cycle, cycle[1:]):
                path, line = edges[a][b]
                out(f"    {a} -> {b}: {path.relative_to(root)}:{line}")
        if len(cycles) > MAX_CYCLES_SHOWN:
            out(f"{crate.name}: ... and {len(cycles) - MAX_CYCLES_SHOWN} more cycles")
    return ok


def self_test() -> None:
    """Build throwaway crates and check the verdicts."""
    crates = {
        # a -> b (braced, nested group), b -> c (inline path), c -> a (super:: from c/x.rs's
        # grandparent is the root, so `super::super::a` is a root path).
        "cyclic": {
            "lib.rs": "pub mod a;\npub mod b;\npub mod c;\n",
            "a.rs": "use crate::{\n    b::{X, inner::{Y, Z}},\n    std_like,\n};\npub struct A;\n",
            "b.rs": "pub struct X;\npub fn f() -> u8 { crate::c::g() }\n",
            "c/mod.rs": "mod x;\npub fn g() -> u8 { 1 }\n",
            "c/x.rs": "use super::g;\nuse super::super::a::A;\n",
        },
        # a -> b and b -> c only; every mention of `crate::a` in b and c is a comment,
        # a doc comment, a string or a `super::` path that stays inside the module.
        "acyclic": {
            "lib.rs": "mod a;\nmod b;\nmod c;\npub use a::*;\n",
            "a.rs": "use crate::b::X;\n",
            "b/mod.rs": (
                "//! Module docs mention crate::a.\n"
                "mod inner;\n"
                "/// See [`crate::a`].\n"
                "pub struct X; // crate::a::Y\n"
                "/* block crate::a /* nested crate::a */ crate::a */\n"
                "pub const S: &str = \"crate::a::Y\";\n"
                "pub const R: &str = r#\"crate::{a}\"#;\n"
                "pub const C: char = '\"'; pub fn f<'a>(x: &'a str) -> &'a str { x }\n"
                "pub const Q: [char; 2] = ['\\'', '\\\\']; // crate::a\n"
                "use crate::c;\n"
            ),
            "b/inner.rs": "use super::X;\n",
            "c.rs": "pub fn g() { let _ = \"use crate::a;\"; }\n",
        },
        # The only back edges (b -> a) are in test-only code.
        "testonly": {
            "lib.rs": "mod a;\nmod b;\n",
            "a.rs": "use crate::b::f;\n",
            "b.rs": (
                "pub fn f() {}\n"
                "#[cfg(test)]\n#[allow(unused)]\nmod tests {\n    use crate::a;\n"
                "    fn t() { crate::a::x(); { } }\n}\n"
                "#[cfg(test)]\nmod more;\n"
                "#[cfg(test)]\nuse crate::a as _a;\n"
            ),
            "b/more.rs": "use crate::a::*;\n",
        },
    }
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for crate, files in crates.items():
            for rel, body in files.items():
                path = root / "crates" / crate / "src" / rel
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(body, encoding="utf-8")

        lines: list[str] = []
        verdict = check(root, lines.append)
        assert not verdict, lines
        cycles = [ln for ln in lines if ln.startswith("cyclic: ") and "->" in ln]
        assert cycles == ["cyclic: a -> b -> c -> a"], lines
        assert any(ln.startswith("acyclic: OK") for ln in lines), lines
        assert any(ln.startswith("testonly: OK") for ln in lines), lines
        assert not any(ln.startswith(("acyclic: a", "testonly: a")) for ln in lines), lines

        _, edges = crate_graph(root / "crates" / "acyclic" / "src")
        assert {k: sorted(v) for k, v in edges.items()} == {
            "a": ["b"],
            "b": ["c"],
            "c": [],
        }, edges
        _, edges = crate_graph(root / "crates" / "testonly" / "src")
        assert {k: sorted(v) for k, v in edges.items()} == {"a": ["b"], "b": []}, edges

        # The command line: exit 1 with cycles, 0 without.
        script = os.path.abspath(__file__)
        run = subprocess.run(
            [sys.executable, script, "--root", tmp], capture_output=True, text=True
        )
        assert run.returncode == 1, run
        for crate in ("cyclic",):
            (root / "crates" / crate / "src" / "c" / "x.rs").write_text("use super::g;\n")
        run = subprocess.run(
            [sys.executable, script, "--root", tmp], capture_output=True, text=True
        )
        assert run.returncode == 0, run
        assert run.stdout.count(": OK") == 3, run.stdout
    print("check-module-cycles self-test: OK")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--root",
        type=Path,
        default=Path(__file__).resolve().parent.parent,
        help="repository root holding crates/ (default: this script's repository)",
    )
    parser.add_argument("--self-test", action="store_true", help="check the checker and exit")
    args = parser.parse_args()
    if args.self_test:
        self_test()
        return 0
    return 0 if check(args.root) else 1


if __name__ == "__main__":
    sys.exit(main())
