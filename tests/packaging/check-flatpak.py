#!/usr/bin/env python3
"""Checks the Flatpak manifests against meson.build.  TAP output.

No Flatpak runtime can be downloaded here, so the manifests are never built by
the test suite; this test keeps them honest instead: the app id, the command,
the runtime, the sandbox permissions and the pinned dependency modules must
agree with what meson.build builds and needs.

usage: check-flatpak.py TOP_MESON_BUILD BASE_ID WORKBENCH_NAME MANIFEST...
"""

import json
import os
import re
import sys

meson_build, base_id, workbench_name = sys.argv[1:4]
manifests = sys.argv[4:]

n = 0
failed = False


def check(cond, what, detail=None):
    global n, failed
    n += 1
    if cond:
        print(f"ok {n} - {what}")
    else:
        failed = True
        print(f"not ok {n} - {what}")
        if detail:
            for line in str(detail).splitlines():
                print(f"# {line}")


def version_tuple(text):
    return tuple(int(x) for x in re.findall(r"\d+", text))


with open(meson_build, encoding="utf-8") as f:
    meson_text = f.read()

# Minimum versions meson.build asks for, e.g. dependency('gsl', version: '>= 2.7').
wanted = {}
for name, ver in re.findall(
        r"dependency\(\s*'([^']+)'\s*,\s*version\s*:\s*'>=\s*([0-9.]+)'", meson_text):
    wanted[name] = ver
# The Flatpak module that provides each pkg-config dependency not in the runtime.
modules_for = {"libcjson": "cjson", "gsl": "gsl"}

ALLOWED_ARGS = {"--share=ipc", "--socket=fallback-x11", "--socket=wayland", "--device=dri"}
REQUIRED_ARGS = ALLOWED_ARGS

project_root = os.path.dirname(os.path.abspath(meson_build))

for path in manifests:
    label = os.path.basename(path)
    try:
        with open(path, encoding="utf-8") as f:
            m = json.load(f)
    except (OSError, ValueError) as e:
        check(False, f"{label}: parses as JSON", e)
        continue
    check(True, f"{label}: parses as JSON")

    devel = label.endswith(".Devel.json")
    want_id = base_id + ".Devel" if devel else base_id
    app_id = m.get("id", m.get("app-id"))
    check(app_id == want_id, f"{label}: app id is {want_id}", f"got {app_id!r}")
    check(label == want_id + ".json", f"{label}: file is named after its app id")
    check(m.get("command") == workbench_name,
          f"{label}: command is {workbench_name}", f"got {m.get('command')!r}")

    check(m.get("runtime") == "org.gnome.Platform", f"{label}: runtime is org.gnome.Platform",
          f"got {m.get('runtime')!r}")
    check(m.get("sdk") == "org.gnome.Sdk", f"{label}: sdk is org.gnome.Sdk",
          f"got {m.get('sdk')!r}")
    rv = str(m.get("runtime-version", ""))
    # GTK >= 4.8 and libadwaita >= 1.2 are in every GNOME runtime from 43 on.
    check(re.fullmatch(r"\d+", rv) is not None and int(rv) >= 43,
          f"{label}: runtime-version is a stable GNOME release >= 43", f"got {rv!r}")

    args = m.get("finish-args", [])
    check(REQUIRED_ARGS <= set(args), f"{label}: finish-args grant wayland, fallback-x11, ipc, dri",
          f"missing {sorted(REQUIRED_ARGS - set(args))}")
    extra = [a for a in args if a not in ALLOWED_ARGS]
    check(not extra, f"{label}: finish-args grant nothing more (files go through the portal)",
          f"extra {extra}")
    check(not any(a.startswith("--filesystem") for a in args),
          f"{label}: no --filesystem access")

    check(isinstance(m.get("cleanup"), list) and len(m["cleanup"]) > 0,
          f"{label}: has a cleanup list")

    modules = m.get("modules", [])
    by_name = {mod.get("name"): mod for mod in modules if isinstance(mod, dict)}
    for dep, modname in modules_for.items():
        mod = by_name.get(modname)
        check(mod is not None, f"{label}: module {modname} provides {dep}")
        if mod is None:
            continue
        sources = mod.get("sources", [])
        archives = [s for s in sources if s.get("type") in ("archive", "file")]
        check(len(archives) == 1 and len(sources) == 1,
              f"{label}: {modname} is built from one pinned archive")
        for s in archives:
            url = s.get("url", "")
            check(url.startswith("https://"), f"{label}: {modname} source is fetched over https", url)
            check(re.fullmatch(r"[0-9a-f]{64}", s.get("sha256", "")) is not None,
                  f"{label}: {modname} source has a sha256", s.get("sha256"))
            got = re.search(r"(\d+\.\d+(?:\.\d+)?)\.tar", url)
            need = wanted.get(dep)
            check(got is not None and need is not None
                  and version_tuple(got.group(1)) >= version_tuple(need),
                  f"{label}: {modname} version satisfies meson.build's >= {need}",
                  f"url {url}")

    app = modules[-1] if modules else {}
    check(app.get("buildsystem") == "meson", f"{label}: the last module is the app, built with meson")
    check(app.get("run-tests") is True, f"{label}: the app module runs the tests")
    opts = app.get("config-opts", [])
    want_dev = "-Ddevelopment=true" if devel else "-Ddevelopment=false"
    check(want_dev in opts, f"{label}: app module configured with {want_dev}", opts)
    check("-Dworkbench=false" not in opts, f"{label}: app module builds the workbench", opts)
    srcs = app.get("sources", [])
    check(len(srcs) == 1 and srcs[0].get("type") == "dir"
          and os.path.isfile(os.path.join(os.path.dirname(os.path.abspath(path)),
                                          srcs[0].get("path", ""), "meson.build"))
          and os.path.samefile(os.path.join(os.path.dirname(os.path.abspath(path)),
                                            srcs[0].get("path", "")), project_root),
          f"{label}: app source is the project directory", srcs)

print(f"1..{n}")
sys.exit(1 if failed else 0)
