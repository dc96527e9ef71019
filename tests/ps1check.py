"""Checks of windows/CaiDat.ps1 that run on Linux, without PowerShell (no parser is installable here).

``scan`` reads the script the way PowerShell's tokenizer splits it: comments, single- and double-quoted
strings (with the typographic quotes PowerShell also takes as quotes: a “ inside "..." ends the string),
``$( )`` subexpressions inside double-quoted strings, backtick escapes; and checks that every (, { and [
is closed in order. What is left (``Scan.code``, strings blanked) feeds the checks of names: every
Verb-Noun command is a known cmdlet or a function of the script, every variable read is assigned.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

DOUBLE = '"\u201c\u201d\u201e'  # " “ ” „
SINGLE = "'\u2018\u2019\u201a\u201b"  # ' ‘ ’ ‚ ‛
PAIRS = {"(": ")", "{": "}", "[": "]"}
AUTOMATIC = {"_", "true", "false", "null", "lastexitcode", "psscriptroot", "args", "erroractionpreference"}
# The cmdlets the script may use: Windows PowerShell 5.1's own (Microsoft.PowerShell.* modules).
CMDLETS = {
    "Write-Host", "Read-Host", "Get-Command", "Select-Object", "Test-Path", "Get-ChildItem", "Join-Path",
    "Invoke-WebRequest", "Get-AuthenticodeSignature", "Remove-Item", "Start-Process", "Sort-Object", "Split-Path",
    "Select-String", "New-Item", "Start-Transcript", "Stop-Transcript", "Get-Process", "Where-Object",
    "Stop-Process", "Push-Location", "Pop-Location", "Out-Host", "Out-Null", "ForEach-Object",
}


@dataclass
class Scan:
    code: str = ""  # the script with comments removed and every string's text blanked
    strings: list[tuple[str, str]] = field(default_factory=list)  # (quote kind: "'" or '"', text) in order
    problems: list[str] = field(default_factory=list)


def scan(source: str) -> Scan:
    result = Scan()
    out: list[str] = []
    stack: list[tuple[str, int]] = []
    i, n = 0, len(source)

    def line(at: int) -> int:
        return source.count("\n", 0, at) + 1

    def code_until(start: int, stop: str | None) -> int:
        """Scan code from ``start``; with ``stop`` (a subexpression's ")"), return after it."""
        nonlocal stack
        depth = len(stack)
        j = start
        while j < n:
            c = source[j]
            if stop and c == stop and len(stack) == depth:
                out.append(c)
                return j + 1
            if c == "`":  # escape / line continuation
                out.append(source[j:j + 2])
                j += 2
            elif source.startswith("<#", j):
                end = source.find("#>", j + 2)
                if end < 0:
                    result.problems.append(f"line {line(j)}: block comment <# never closed")
                    return n
                j = end + 2
            elif c == "#":
                end = source.find("\n", j)
                j = n if end < 0 else end
            elif c == "@" and source[j + 1:j + 2] in tuple(SINGLE + DOUBLE) and source[j + 2:j + 3] in ("\r", "\n"):
                result.problems.append(f"line {line(j)}: here-strings are not used in this script (keep it simple)")
                j += 2
            elif c in SINGLE:
                j = single(j)
            elif c in DOUBLE:
                j = double(j)
            elif c in PAIRS:
                stack.append((c, j))
                out.append(c)
                j += 1
            elif c in PAIRS.values():
                if len(stack) <= depth or PAIRS[stack[-1][0]] != c:
                    expected = f"{PAIRS[stack[-1][0]]} for the {stack[-1][0]} of line {line(stack[-1][1])}" \
                        if len(stack) > depth else "nothing open"
                    result.problems.append(f"line {line(j)}: {c} where {expected}")
                    if len(stack) > depth:
                        stack.pop()
                else:
                    stack.pop()
                out.append(c)
                j += 1
            else:
                out.append(c)
                j += 1
        if stop:
            result.problems.append(f"line {line(start)}: subexpression $( never closed")
        return n

    def glued(end: int) -> None:
        """A word right after a closing quote: most likely a typographic quote that ended the string early."""
        if end + 1 < n and source[end + 1].isalnum():
            result.problems.append(f"line {line(end)}: text right after the closing quote {source[end]!r} "
                                   "(a typographic quote ends a PowerShell string: use single quotes and -f)")

    def single(start: int) -> int:
        j, text = start + 1, []
        while j < n:
            if source[j] in SINGLE:
                if j + 1 < n and source[j + 1] in SINGLE:  # '' is one quote
                    text.append(source[j])
                    j += 2
                    continue
                result.strings.append(("'", "".join(text)))
                out.append("''")
                glued(j)
                return j + 1
            text.append(source[j])
            j += 1
        result.problems.append(f"line {line(start)}: string ' never closed")
        return n

    def double(start: int) -> int:
        j, text = start + 1, []
        out.append('"')
        while j < n:
            c = source[j]
            if c == "`":
                text.append(source[j:j + 2])
                j += 2
            elif c in DOUBLE:
                if j + 1 < n and source[j + 1] in DOUBLE:
                    text.append(c)
                    j += 2
                    continue
                result.strings.append(('"', "".join(text)))
                out.append('"')
                glued(j)
                return j + 1
            elif source.startswith("$(", j):
                text.append("$(…)")
                out.append("$(")
                stack.append(("(", j + 1))
                j = code_until(j + 2, ")")
                stack.pop()
            else:
                text.append(c)
                j += 1
        result.problems.append(f"line {line(start)}: string \" never closed")
        return n

    i = code_until(i, None)
    result.problems += [f"line {line(at)}: {c} never closed" for c, at in stack]
    result.code = "".join(out)
    return result


def commands(found: Scan) -> set[str]:
    """Verb-Noun names in the code (strings and comments left out)."""
    return set(re.findall(r"(?<![\w$-])([A-Z][a-z]+-[A-Z][A-Za-z0-9]+)\b", found.code))


def functions(found: Scan) -> set[str]:
    return set(re.findall(r"(?im)^\s*function\s+([\w-]+)", found.code))


def variables_read(found: Scan) -> set[str]:
    names = re.findall(r"\$(?:script:)?(?!env:)([A-Za-z_]\w*)\b(?!:)", found.code)
    for kind, text in found.strings:
        if kind == '"':
            names += re.findall(r"(?<!`)\$(?:script:)?(?!env:)([A-Za-z_]\w*)\b(?!:)", text)
    return {name.lower() for name in names}


def variables_assigned(found: Scan) -> set[str]:
    code = found.code
    names = re.findall(r"\$(?:script:)?(\w+)\s*=(?!=)", code)
    names += re.findall(r"\[\w+(?:\[\])?\]\s*\$(\w+)", code)  # typed parameters: param(...) and function Name([type]$x)
    names += re.findall(r"foreach\s*\(\s*\$(\w+)\s+in\b", code, re.IGNORECASE)
    return {name.lower() for name in names}


def name_problems(found: Scan) -> list[str]:
    problems = [f"unknown command {name} (not a cmdlet of Windows PowerShell 5.1 here, nor a function of the script)"
                for name in sorted(commands(found) - CMDLETS - functions(found))]
    problems += [f"variable ${name} is read but never assigned" for name in
                 sorted(variables_read(found) - variables_assigned(found) - AUTOMATIC)]
    return problems
