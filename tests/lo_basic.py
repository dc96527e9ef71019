"""Run by the SYSTEM python3 (python3-uno), not the venv: calls Basic functions of workbooks in LibreOffice.

Reads a JSON job on stdin: {"soffice", "profile" (a file:// URL: a private user profile, so that parallel
runs do not clash), "documents": [{"path", "calls": [["Library.Module.Function", [args]]]}]}; starts one
headless soffice, opens each document with the filter that loads its VBA (VBA compatibility mode), calls
the functions through the document's script provider and writes {"results": [...]} per document.
"""

import json
import subprocess
import sys
import time
import uuid

import uno
from com.sun.star.beans import PropertyValue

VBA_FILTER = "Calc MS Excel 2007 VBA XML"
ALWAYS_EXECUTE_NO_WARN = 4  # com.sun.star.document.MacroExecMode


def prop(name, value):
    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


def connect(pipe, soffice):
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    deadline = time.monotonic() + 120
    while True:
        try:
            return resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
        except Exception:
            if soffice.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"soffice did not start (exit code {soffice.poll()})") from None
            time.sleep(0.2)


def run_document(desktop, document):
    url = uno.systemPathToFileUrl(document["path"])
    doc = desktop.loadComponentFromURL(url, "_blank", 0, (
        prop("Hidden", True), prop("FilterName", VBA_FILTER), prop("MacroExecutionMode", ALWAYS_EXECUTE_NO_WARN)))
    if doc is None:
        return {"error": f"LibreOffice could not open {document['path']}"}
    try:
        libraries = doc.BasicLibraries
        out = {"vba_mode": bool(libraries.VBACompatibilityMode), "modules": {}, "results": []}
        for name in libraries.getElementNames():
            libraries.loadLibrary(name)
            out["modules"][name] = sorted(libraries.getByName(name).getElementNames())
        provider = doc.getScriptProvider()
        for function, args in document["calls"]:
            try:
                script = provider.getScript(f"vnd.sun.star.script:{function}?language=Basic&location=document")
                out["results"].append({"ok": script.invoke(tuple(args), (), ())[0]})
            except Exception as exc:
                out["results"].append({"error": f"{type(exc).__name__}: {getattr(exc, 'Message', exc)}"})
        return out
    finally:
        doc.close(True)


def main():
    job = json.load(sys.stdin)
    pipe = "dvk" + uuid.uuid4().hex
    soffice = subprocess.Popen(
        [job["soffice"], "-env:UserInstallation=" + job["profile"], "--headless", "--invisible", "--nologo",
         "--norestore", "--nodefault", "--nolockcheck", f"--accept=pipe,name={pipe};urp;"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    desktop = None
    try:
        context = connect(pipe, soffice)
        desktop = context.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", context)
        json.dump([run_document(desktop, document) for document in job["documents"]], sys.stdout)
    finally:
        try:
            if desktop is not None:
                desktop.terminate()
        except Exception:
            pass  # the bridge is gone once soffice quits
        try:
            soffice.wait(30)
        except subprocess.TimeoutExpired:
            soffice.kill()


if __name__ == "__main__":
    main()
