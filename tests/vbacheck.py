"""Checks of the add-in's VBA that run on Linux, without Excel.

* ``analyser_problems``: pyvbaanalysis over the built .xlam (undeclared variables, unknown procedures,
  unbalanced parentheses...), kept to our own modules: xlwings' module has warnings of its own that are
  not ours to fix.
* ``block_problems``: our own If/For/Do/While/With/Select/Sub... balance check (pyvbaanalysis does not
  notice a missing ``End If``; the ANTLR grammar does, but takes ~10 s to warm up).
* ``grammar_errors``: the antlr4-vba grammar over module sources.
* ``callback_problems`` / ``reference_problems``: the ribbon XML's callbacks against the VBA, and the
  project's reference to the Office library that defines IRibbonControl.
* ``run_in_libreoffice``: opens workbooks in LibreOffice headless (through the system python3 with
  python3-uno: uno is not importable in the venv) and calls Basic functions of their VBA project.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
from pathlib import Path
from xml.etree import ElementTree

from dvk_xl.shells.addin import MACROS_DIR, RIBBON_FILE, own_modules

LO_RUNNER = Path(__file__).with_name("lo_basic.py")


def macros_dir() -> Path:
    """Where the add-in's sources are: the one place the tests take them from."""
    return MACROS_DIR


def own_sources(macros: Path | None = None) -> dict[str, str]:
    return own_modules(macros or macros_dir())


# --- pyvbaanalysis ------------------------------------------------------------------------------------

def analyser_problems(xlam: Path, modules: list[str], severities=("error", "warning")) -> list[str]:
    """pyvbaanalysis' diagnostics of the given modules of the built add-in, as 'module line:col code message'
    (the whole project is read for context; only ``modules`` are reported)."""
    from pyvbaanalysis import analyze_office_file, line_col
    from pyvbaanalysis.reader.workbook import read_office_modules

    found = analyze_office_file(str(xlam), only=modules)
    texts = {m.name: (m.designer_block + m.source, len(m.designer_block)) for m in read_office_modules(xlam)}
    problems = [f"{name}: module not in the add-in" for name in modules if name not in texts]
    for name in modules:
        text, shift = texts.get(name, ("", 0))
        for diagnostic in found.get(name, []):
            if diagnostic.severity.value in severities:
                line, col = line_col(text, shift + diagnostic.span.start)
                problems.append(f"{name} {line}:{col} {diagnostic.code} {diagnostic.message}")
    return problems


# --- block balance ------------------------------------------------------------------------------------

_STRING = re.compile(r'"(?:[^"]|"")*"')
_PROC = re.compile(r"^(?:(?:public|private|friend|static)\s+)*(sub|function|property\s+(?:get|let|set))\s+\w+",
                   re.IGNORECASE)
_OPENERS = {"if": "End If", "for": "Next", "do": "Loop", "while": "Wend", "with": "End With",
            "select": "End Select", "sub": "End Sub", "function": "End Function", "property": "End Property",
            "type": "End Type", "enum": "End Enum"}


def logical_lines(source: str) -> list[tuple[int, str]]:
    """(first physical line number, code) with continuations joined, strings emptied, comments removed."""
    out: list[tuple[int, str]] = []
    pending, start = "", 0
    for number, raw in enumerate(source.replace("\r\n", "\n").split("\n"), start=1):
        line = _STRING.sub('""', raw)
        if '"' in line.replace('""', ""):
            line = line[:line.index('"')] + '""'  # an unclosed string runs to the line's end
        if "'" in line:
            line = line[:line.index("'")]
        line = re.sub(r"(^|:)\s*rem(\s.*)?$", r"\1", line, flags=re.IGNORECASE)
        if not pending:
            start = number
        if re.search(r"\s_\s*$", line):
            pending += line.rstrip()[:-1] + " "
            continue
        out.append((start, (pending + line).strip()))
        pending = ""
    if pending:
        out.append((start, pending.strip()))
    return out


def _statements(code: str) -> list[str]:
    """A logical line's statements; a single-line If (code after Then) is one statement."""
    parts: list[str] = []
    for part in code.split(":"):
        part = part.strip()
        if parts and re.match(r"(?i)(else)?if\b.*\bthen\s*\S", parts[-1]):
            parts[-1] += ": " + part  # inside a single-line If
        elif part:
            parts.append(part)
    return parts


def block_problems(source: str) -> list[str]:
    """Unbalanced blocks: 'line N: ...' for every opener never closed and closer without its opener."""
    problems: list[str] = []
    stack: list[tuple[str, int]] = []

    def close(kind: str, number: int, closer: str) -> None:
        if stack and stack[-1][0] == kind:
            stack.pop()
        elif stack:
            opener, line = stack[-1]
            problems.append(f"line {number}: {closer} where {_OPENERS[opener]} is expected "
                            f"(the {opener.title()} of line {line})")
            if any(k == kind for k, _ in stack):  # close the inner blocks too, so one slip is one problem
                while stack and stack.pop()[0] != kind:
                    pass
        else:
            problems.append(f"line {number}: {closer} without {kind.title()}")

    for number, code in logical_lines(source):
        for statement in _statements(code):
            words = statement.lower().split()
            first, second = words[0], (words[1] if len(words) > 1 else "")
            if first.startswith("#"):
                problems.append(f"line {number}: conditional compilation ({words[0]}) is not allowed")
            elif first == "if":
                if re.search(r"(?i)\bthen\s*$", statement):
                    stack.append(("if", number))
                elif not re.search(r"(?i)\bthen\b", statement):
                    problems.append(f"line {number}: If without Then")
            elif first in ("elseif", "else"):
                if not stack or stack[-1][0] != "if":
                    problems.append(f"line {number}: {first.title()} outside an If block")
            elif first == "for" or first == "do" or first == "while" or first == "with":
                stack.append((first, number))
            elif first == "select" and second == "case":
                stack.append(("select", number))
            elif first == "case":
                if not stack or stack[-1][0] != "select":
                    problems.append(f"line {number}: Case outside a Select Case block")
            elif first == "next":
                for _ in range(max(1, statement.count(",") + 1)):  # Next i, j closes two
                    close("for", number, "Next")
            elif first == "loop":
                close("do", number, "Loop")
            elif first == "wend":
                close("while", number, "Wend")
            elif first == "end" and second in ("if", "with", "select", "sub", "function", "property", "type", "enum"):
                close(second, number, f"End {second.title()}")
            elif "declare" in words[:3]:
                continue
            elif (match := _PROC.match(statement)) or (first in ("type", "enum") or
                                                       (first in ("public", "private") and second in ("type", "enum"))):
                kind = match.group(1).split()[0].lower() if match else (first if first in ("type", "enum") else second)
                if stack:
                    problems.append(f"line {number}: {kind.title()} starts inside the {stack[-1][0].title()} "
                                    f"of line {stack[-1][1]}")
                    stack.clear()
                stack.append((kind, number))
    problems += [f"line {line}: {kind.title()} is never closed by {_OPENERS[kind]}" for kind, line in stack]
    return problems


# --- ANTLR grammar ------------------------------------------------------------------------------------

def grammar_errors(sources: dict[str, str]) -> dict[str, list[str]]:
    """Syntax errors the antlr4-vba grammar reports, per module ('line:col message'). One parser warms up
    for all modules (the first parse takes ~10 s, the next ones ~2 s)."""
    from antlr4 import CommonTokenStream, InputStream
    from antlr4.error.ErrorListener import ErrorListener
    from antlr4_vba.vbaLexer import vbaLexer
    from antlr4_vba.vbaParser import vbaParser

    class Collect(ErrorListener):
        def __init__(self) -> None:
            self.errors: list[str] = []

        def syntaxError(self, recognizer, offending, line, column, msg, e):  # noqa: N802 (ANTLR's name)
            self.errors.append(f"{line}:{column} {msg}")

    result = {}
    for name, source in sources.items():
        listener = Collect()
        lexer = vbaLexer(InputStream(source.replace("\r\n", "\n")))
        lexer.removeErrorListeners()
        lexer.addErrorListener(listener)
        parser = vbaParser(CommonTokenStream(lexer))
        parser.removeErrorListeners()
        parser.addErrorListener(listener)
        parser.startRule()
        result[name] = listener.errors
    return result


# --- ribbon callbacks and references --------------------------------------------------------------------

# The VBA signature Office calls each ribbon callback with, as parameter types after the name
# (Microsoft's "Customizing the Office Fluent Ribbon" callback table).
_CONTROL = "IRibbonControl"
CALLBACK_TYPES = {
    ("onAction", "button"): [_CONTROL],
    ("onAction", "toggleButton"): [_CONTROL, "Boolean"],
    ("onAction", "checkBox"): [_CONTROL, "Boolean"],
    ("onLoad", "customUI"): ["IRibbonUI"],
}


def ribbon_callbacks(xml: bytes) -> list[tuple[str, str, str]]:
    """(attribute, element, procedure) for every callback named in the ribbon XML."""
    root = ElementTree.fromstring(xml)
    found = []
    for element in root.iter():
        tag = element.tag.split("}")[-1]
        for attribute, value in element.attrib.items():
            if attribute == "onAction" or attribute == "onLoad" or attribute.startswith("get"):
                found.append((attribute, tag, value))
    return found


def _declarations(sources: dict[str, str]) -> dict[str, list[tuple[str, str, str, list[str]]]]:
    """procedure name (lower) -> [(module, scope, kind, parameter declarations)]."""
    found: dict[str, list] = {}
    pattern = re.compile(r"^((?:(?:public|private|friend|static)\s+)*)(sub|function)\s+(\w+)\s*\(([^)]*)\)",
                         re.IGNORECASE)
    for module, source in sources.items():
        for _, code in logical_lines(source):
            match = pattern.match(code)
            if match:
                scope = "private" if "private" in match.group(1).lower() else "public"
                params = [p.strip() for p in match.group(4).split(",") if p.strip()]
                found.setdefault(match.group(3).lower(), []).append((module, scope, match.group(2).lower(), params))
    return found


def _param_type(param: str) -> str:
    match = re.search(r"\bas\s+([\w.]+)\s*$", param, re.IGNORECASE)
    return match.group(1).split(".")[-1] if match else "Variant"


def callback_problems(xml: bytes, sources: dict[str, str]) -> list[str]:
    """Each callback of the ribbon XML must be ONE Public Sub with the signature Office calls it with."""
    declared = _declarations(sources)
    problems = []
    for attribute, element, name in ribbon_callbacks(xml):
        where = f"{RIBBON_FILE}: {element} {attribute}=\"{name}\""
        found = declared.get(name.lower(), [])
        if len(found) != 1:
            problems.append(f"{where}: {len(found)} procedures of that name in the VBA (1 expected)")
            continue
        module, scope, kind, params = found[0]
        expected = CALLBACK_TYPES.get((attribute, element))
        if expected is None and attribute.startswith("get"):
            expected = [_CONTROL, "Variant"]  # (control As IRibbonControl, ByRef returnedVal)
        if expected is None:
            problems.append(f"{where}: no known signature for this callback")
            continue
        if scope != "public" or kind != "sub":
            problems.append(f"{where}: {module}.{name} must be a Public Sub, not a {scope} {kind}")
        types = [_param_type(p) for p in params]
        if [t.lower() for t in types] != [t.lower() for t in expected]:
            problems.append(f"{where}: {module}.{name}({', '.join(params)}) must take "
                            f"({', '.join('x As ' + t for t in expected)})")
    return problems


OFFICE_GUID = "{2DF8D04C-5BFA-101B-BDE5-00AA0044DE52}"  # Microsoft Office Object Library (IRibbonControl)


def reference_problems(xlam: Path) -> list[str]:
    """The VBA project (its dir stream) must reference the Office library, or IRibbonControl is unknown."""
    from pyopenvba import ExcelFile

    with ExcelFile(str(xlam)) as book:
        guids = {reference.libid.split("#")[0].removeprefix("*\\G").upper() for reference in book.references()}
    if OFFICE_GUID not in guids:
        return [f"{xlam.name}: the VBA project does not reference the Microsoft Office Object Library "
                f"{OFFICE_GUID}, which defines IRibbonControl"]
    return []


# --- Python twins of the VBA helpers ------------------------------------------------------------------

def vba_escape(text: str) -> str:
    """How an ASCII VBA source writes ``text``: non-ASCII characters as \\uXXXX (UTF-16 code units)."""
    units = text.encode("utf-16-be")
    out = []
    for i in range(0, len(units), 2):
        unit = int.from_bytes(units[i:i + 2], "big")
        out.append(chr(unit) if unit < 128 else f"\\u{unit:04x}")
    return "".join(out)


def vba_unescape(text: str) -> str:
    """The Python reading of DvkRibbon.Unescape: every \\u and four hex digits is that UTF-16 code unit."""
    units = re.sub(r"\\u([0-9A-Fa-f]{4})", lambda m: chr(int(m.group(1), 16)), text)
    return units.encode("utf-16", "surrogatepass").decode("utf-16")


def vba_constants(source: str) -> dict[str, str]:
    """The string constants of a module, as written (with their \\u escapes)."""
    return {m.group(1): m.group(2).replace('""', '"') for m in
            re.finditer(r'^(?:Private |Public )?Const (\w+) As String = "((?:[^"]|"")*)"', source, re.MULTILINE)}


# --- LibreOffice ----------------------------------------------------------------------------------------

def libreoffice() -> tuple[str, str] | str:
    """(soffice, a python3 that imports uno), or why there is none."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        return "LibreOffice (soffice) is not installed: bash scripts/install-libreoffice.sh"
    for python in ("/usr/bin/python3", shutil.which("python3")):
        if python and os.path.exists(python):
            done = subprocess.run([python, "-c", "import uno"], capture_output=True, timeout=60)
            if done.returncode == 0:
                return soffice, python
    return "python3-uno (LibreOffice's Python bridge) is missing: bash scripts/install-libreoffice.sh"


def run_in_libreoffice(documents: list[dict], profile: Path, timeout: float = 180) -> list[dict]:
    """Open each {"path", "calls": [[library.module.function, [args]]]} in one headless LibreOffice and
    call the functions; per document {"results": [{"ok": value} | {"error": text}]}."""
    found = libreoffice()
    if isinstance(found, str):
        raise RuntimeError(found)
    soffice, python = found
    job = json.dumps({"soffice": soffice, "profile": profile.resolve().as_uri(), "documents": documents})
    process = subprocess.Popen([python, str(LO_RUNNER)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        out, err = process.communicate(job, timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)  # the runner and the soffice it started
        process.communicate()
        raise RuntimeError(f"LibreOffice did not answer within {timeout} s") from None
    if process.returncode != 0:
        raise RuntimeError(f"LibreOffice runner failed ({process.returncode}): {err[-2000:]}")
    return json.loads(out)
