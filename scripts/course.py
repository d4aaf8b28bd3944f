#!/usr/bin/env python3
"""The LLM course maintainer command line.

  python scripts/course.py serve              set up .venv on first use, then preview the site
  python scripts/course.py test               set up .venv (and Chromium), then run every test
  python scripts/course.py import SOURCE… --lang LANG [--force] [--upstream REV]
                                              repair and split a translation into docs/
  python scripts/course.py repair FILE… [--in-place | --check] [--strict]
                                              restore mojibake and odd encodings
  python scripts/course.py convert --to zh-CN|zh-TW [--audit] FILE…
                                              print a page in the other Chinese script
  python scripts/course.py convert --normalize FILE…
                                              rewrite Chinese sources with their region's words
  python scripts/course.py check [PATH…]      every problem in docs/ and locales/, as file:line:col
  python scripts/course.py status [--json]    translation status of every page and language
  python scripts/course.py bench              build, conversion and page-weight figures
  python scripts/course.py lock               refresh requirements.lock from pyproject.toml
  python scripts/course.py root-404 [--branch gh-pages] [--site-url URL]
                                              commit the site root's 404 page (deploy workflow)
  python scripts/course.py pr-summary --base REF [--repo OWNER/NAME --sha SHA]
                                              Markdown job summary of a pull request (CI)

Exit status: 0 when all is well, 1 when a check found a problem, 2 on usage errors.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
LOCK = ROOT / "requirements.lock"
#: ProperDocs, the MkDocs 1.x fork, beside the lock: tests/test_properdocs.py builds with it.
PROPERDOCS_VENV = ROOT / ".venv-properdocs"
PROPERDOCS_LOCK = ROOT / "requirements-properdocs.lock"
CHROMIUM = Path("/usr/bin/chromium")
# Chinese text in the screenshots needs fonts on the test machine (readers have their own).
BROWSER_PACKAGES = ["chromium", "fonts-noto-cjk", "fonts-noto-color-emoji"]
CJK_FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"


# --------------------------------------------------------------------------- environment


def venv_python() -> Path:
    """The project's virtual environment interpreter."""
    return VENV / "bin" / "python"


def ensure_venv() -> Path:
    """Create .venv with the locked dependencies when it is missing or stale."""
    python = venv_python()
    stamp = VENV / ".installed-lock"
    wanted = (
        LOCK.read_text(encoding="utf-8")
        + (ROOT / "pyproject.toml").read_text(encoding="utf-8")
        + f"\n# and the project itself, editable, from {ROOT}\n"
    )
    if python.exists() and stamp.exists() and stamp.read_text(encoding="utf-8") == wanted:
        return python
    if not python.exists():
        print(f"creating {VENV} …", file=sys.stderr)
        venv.create(VENV, with_pip=True)
    pip = [str(python), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    # Said explicitly: one unhashed line in the lock must fail the install, not quietly turn
    # hash checking off; every file pip fetches (or finds in its cache) is checked.
    subprocess.run([*pip, "--require-hashes", "-r", str(LOCK)], check=True)
    install_project(python)
    stamp.write_text(wanted, encoding="utf-8")
    return python


def install_project(python: Path) -> None:
    """The toolkit (scripts/llmcourse), imported by the hooks, mkdocs.yml and the tests' builds,
    installed the one standard way (an editable install of this checkout). Nothing is fetched
    for it: its build
    backend (setuptools) comes from the lock, hashed, and it has no dependencies of its own to
    resolve (they are the lock's)."""
    for old in Path(sysconfig_purelib(python)).glob("llmcourse.pth"):
        old.unlink()  # a path file earlier setups wrote: the editable install replaces it
    pip = [str(python), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "--no-deps", "--no-build-isolation", "-e", str(ROOT)], check=True)


def sysconfig_purelib(python: Path) -> str:
    """The site-packages folder of ``python``."""
    return subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


def ensure_properdocs() -> Path:
    """.venv-properdocs: the lock plus ProperDocs (CI's properdocs job); its executable."""
    python = PROPERDOCS_VENV / "bin" / "python"
    if not python.exists():
        venv.create(PROPERDOCS_VENV, with_pip=True)
    pip = [str(python), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "--require-hashes", "-r", str(LOCK)], check=True)
    # ProperDocs' own dependencies are MkDocs', installed from the lock just above.
    subprocess.run([*pip, "--require-hashes", "--no-deps", "-r", str(PROPERDOCS_LOCK)], check=True)
    install_project(python)
    return PROPERDOCS_VENV / "bin" / "properdocs"


def ensure_chromium() -> None:
    """Install Debian's Chromium (and CJK fonts for its screenshots) when missing (needs root)."""
    if CHROMIUM.exists() and Path(CJK_FONT).exists():
        return
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        print(
            "Chromium is missing: install Debian's `chromium` package "
            "(sudo apt-get install -y chromium) to run the browser tests.",
            file=sys.stderr,
        )
        return
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-q"], check=True, env=env)
    subprocess.run(["apt-get", "install", "-y", "-q", *BROWSER_PACKAGES], check=True, env=env)


def in_venv() -> bool:
    return Path(sys.prefix).resolve() == VENV.resolve()


def reexec(python: Path, argv: list[str]) -> int:
    """Run this command again inside the virtual environment."""
    return subprocess.call([str(python), str(Path(__file__).resolve()), *argv], cwd=ROOT)


# --------------------------------------------------------------------------- commands


def cmd_setup(args: argparse.Namespace) -> int:
    ensure_venv()
    if args.browser:
        ensure_chromium()
    if args.properdocs:
        print(ensure_properdocs())
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    # llmcourse.serve: a saved page is rendered again alone (mkdocs serve rebuilds everything)
    python = ensure_venv()
    cmd = [str(python), "-m", "llmcourse.serve", "-a", args.addr, "-f", args.config_file]
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    if os.name == "posix":  # the server itself gets Ctrl-C and removes its site folder
        os.chdir(ROOT)
        os.execve(cmd[0], cmd, env)
    return subprocess.call(cmd, cwd=ROOT, env=env)


def cmd_build(args: argparse.Namespace) -> int:
    python = ensure_venv()
    return subprocess.call(
        [str(python), "-m", "mkdocs", "build", "--strict", "-d", args.site_dir], cwd=ROOT
    )


def cmd_test(args: argparse.Namespace) -> int:
    python = ensure_venv()
    ensure_chromium()
    return subprocess.call([str(python), "-m", "pytest", *args.pytest_args], cwd=ROOT)


def cmd_lock(args: argparse.Namespace) -> int:
    python = ensure_venv()
    compile_cmd = [
        str(python),
        "-m",
        "piptools",
        "compile",
        "--quiet",
        "--generate-hashes",
        "--extra",
        "test",
        "--strip-extras",
        "--allow-unsafe",
        # No machine-specific index or wheel folders in the committed lock.
        "--no-emit-index-url",
        "--no-emit-find-links",
        "-o",
        str(LOCK),
        str(ROOT / "pyproject.toml"),
    ]
    return subprocess.call(compile_cmd, cwd=ROOT)


def cmd_import(args: argparse.Namespace) -> int:
    from llmcourse import importer

    return importer.command(
        args.sources,
        lang=args.lang,
        force=args.force,
        kind=args.kind,
        docs=args.docs,
        strict=args.strict,
        stdout=sys.stdout,
        stderr=sys.stderr,
        upstream=args.upstream,
    )


def cmd_repair(args: argparse.Namespace) -> int:
    from llmcourse import repair

    if args.in_place and args.check:
        print("repair: --in-place and --check exclude each other", file=sys.stderr)
        return 2
    return repair.command(
        args.files,
        in_place=args.in_place,
        check=args.check,
        strict=args.strict,
        stdout=sys.stdout,
        stderr=sys.stderr,
    )


def cmd_convert(args: argparse.Namespace) -> int:
    from llmcourse import convert_command, regional

    if args.normalize:
        if args.to or args.audit:
            print("convert: --normalize takes no --to or --audit", file=sys.stderr)
            return 2
        return regional.command(args.files, stdout=sys.stdout, stderr=sys.stderr)
    if args.to is None:
        print("convert: give --to zh-CN|zh-TW, or --normalize", file=sys.stderr)
        return 2
    return convert_command.command(
        args.files, to=args.to, audit=args.audit, stdout=sys.stdout, stderr=sys.stderr
    )


def cmd_check(args: argparse.Namespace) -> int:
    from llmcourse import check

    return check.command(args.paths, stdout=sys.stdout, stderr=sys.stderr)


def cmd_status(args: argparse.Namespace) -> int:
    from llmcourse import status

    return status.command(as_json=args.json, stdout=sys.stdout)


def cmd_bench(args: argparse.Namespace) -> int:
    from llmcourse import bench

    return bench.command(repeat=args.repeat, quick=args.quick, stdout=sys.stdout)


def cmd_root_404(args: argparse.Namespace) -> int:
    from llmcourse import notfound

    return notfound.command(
        repo=Path(args.repo).resolve(), branch=args.branch, site_url=args.site_url
    )


def cmd_pr_summary(args: argparse.Namespace) -> int:
    from llmcourse import pr_summary

    return pr_summary.command(
        base=args.base,
        repo=args.repo,
        sha=args.sha,
        artifact_url=args.artifact_url,
        stdout=sys.stdout,
        stderr=sys.stderr,
    )


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="course.py", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = p.add_subparsers(dest="command", required=True)

    s = sub.add_parser("setup", help="create .venv with the locked dependencies")
    s.add_argument("--browser", action="store_true", help="also install Debian's chromium")
    s.add_argument("--properdocs", action="store_true", help="also .venv-properdocs (MkDocs' fork)")
    s.set_defaults(func=cmd_setup, needs_venv=False)

    s = sub.add_parser("serve", help="preview the site on http://127.0.0.1:8000/")
    s.add_argument("-a", "--addr", default="127.0.0.1:8000")
    s.add_argument("-f", "--config-file", default=str(ROOT / "mkdocs.yml"))
    s.set_defaults(func=cmd_serve, needs_venv=False)

    s = sub.add_parser("build", help="build the site with --strict")
    s.add_argument("-d", "--site-dir", default="site")
    s.set_defaults(func=cmd_build, needs_venv=False)

    s = sub.add_parser(
        "test",
        help="run the whole test suite (browser tests included); pytest's own options and "
        "paths pass through (`test -x -k serve`)",
    )
    s.add_argument("pytest_args", nargs="*", help="given to pytest as they are")
    s.set_defaults(func=cmd_test, needs_venv=False)

    s = sub.add_parser("lock", help="refresh requirements.lock")
    s.set_defaults(func=cmd_lock, needs_venv=False)

    s = sub.add_parser("import", help="repair and split a translation into docs/")
    s.add_argument("sources", nargs="+")
    # The choices are checked by the command (in .venv, where llmcourse.pages reads them).
    s.add_argument("--lang", required=True, help="a language of mkdocs.yml's i18n config")
    s.add_argument("--force", action="store_true", help="overwrite pages edited by hand")
    s.add_argument("--kind", choices=["auto", "course", "notes"], default="auto")
    s.add_argument("--docs", help="docs folder to import into (default: docs/)")
    s.add_argument("--strict", action="store_true", help="refuse text repaired without confidence")
    s.add_argument("--upstream", help="upstream course revision the text follows (front matter)")
    s.set_defaults(func=cmd_import, needs_venv=True)

    s = sub.add_parser("repair", help="restore mojibake and odd encodings")
    s.add_argument("files", nargs="+")
    s.add_argument("--in-place", action="store_true")
    s.add_argument("--check", action="store_true")
    s.add_argument("--strict", action="store_true")
    s.set_defaults(func=cmd_repair, needs_venv=True)

    s = sub.add_parser("convert", help="convert a page to the other Chinese script")
    # The choices are checked by the command (llmcourse.chinese).
    s.add_argument("--to", help="the Chinese script to write (locales/glossary/scripts.yaml)")
    s.add_argument("--audit", action="store_true")
    s.add_argument(
        "--normalize",
        action="store_true",
        help="rewrite each Chinese source with its own region's words (locales/regional.yml)",
    )
    s.add_argument("files", nargs="+")
    s.set_defaults(func=cmd_convert, needs_venv=True)

    s = sub.add_parser("check", help="check docs/ and locales/")
    s.add_argument("paths", nargs="*")
    s.set_defaults(func=cmd_check, needs_venv=True)

    s = sub.add_parser("status", help="translation status of every page")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_status, needs_venv=True)

    s = sub.add_parser("bench", help="print build, conversion and page-weight figures")
    s.add_argument("--repeat", type=int, default=3)
    s.add_argument("--quick", action="store_true", help="skip the 10x/50x scaling builds")
    s.set_defaults(func=cmd_bench, needs_venv=True)

    s = sub.add_parser("root-404", help="commit the site root's 404 page to the gh-pages branch")
    s.add_argument("--branch", default="gh-pages")
    s.add_argument("--repo", default=str(ROOT), help="the repository (default: this one)")
    s.add_argument("--site-url", help="where the site is published (default: mkdocs.yml's)")
    s.set_defaults(func=cmd_root_404, needs_venv=True)

    s = sub.add_parser("pr-summary", help="a pull request's effect on the site, as Markdown")
    s.add_argument("--base", required=True, help="the pull request's base (commit or branch)")
    s.add_argument("--repo", help="owner/name on GitHub: link check's findings to their lines")
    s.add_argument("--sha", help="the commit the links show (default: HEAD)")
    s.add_argument("--artifact-url", help="where CI uploaded the built site")
    s.set_defaults(func=cmd_pr_summary, needs_venv=True)
    return p


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args, unknown = parser().parse_known_args(argv)
    if unknown and getattr(args, "func", None) is not cmd_test:
        parser().parse_args(argv)  # exits 2 naming the unknown arguments, as it always did
    if unknown:  # pytest's options, in the order given
        args.pytest_args = argv[argv.index("test") + 1 :]
    if args.needs_venv and not in_venv():
        try:
            import ftfy  # noqa: F401
            import mkdocs  # noqa: F401
            import opencc  # noqa: F401
        except ImportError:
            return reexec(ensure_venv(), argv)
    return args.func(args)


if __name__ == "__main__":
    if hasattr(signal, "SIGPIPE"):  # `status --json | head` ends quietly, as other tools do
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    sys.exit(main())
