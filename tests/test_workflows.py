"""CI/CD, pre-commit and the supply chain: least privilege, no caches or tokens where they
could be published, zizmor-clean workflows, and every tool installed from a lock."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shlex
import signal
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml

from conftest import ROOT

WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
CI = ROOT / ".github" / "workflows" / "ci.yml"
DEPLOY = ROOT / ".github" / "workflows" / "deploy.yml"
ZIZMOR = ROOT / ".venv" / "bin" / "zizmor"
COURSE_COMMANDS = set(
    re.findall(r'add_parser\(\s*"([a-z0-9-]+)"', (ROOT / "scripts" / "course.py").read_text())
)
LOCKED = {
    line.split("==")[0].lower()
    for line in (ROOT / "requirements.lock").read_text().splitlines()
    if "==" in line and not line.startswith(("#", " "))
}


def load(path: Path) -> dict:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    # YAML 1.1 reads the key `on` as True
    if True in data:
        data["on"] = data.pop(True)
    return data


def commands(workflow: dict) -> list[str]:
    lines = []
    for job in workflow["jobs"].values():
        for step in job["steps"]:
            if "run" in step:
                lines += [ln.strip() for ln in step["run"].splitlines() if ln.strip()]
    return lines


def test_workflows_exist() -> None:
    names = {p.name for p in WORKFLOWS}
    assert {"ci.yml", "deploy.yml"} <= names


@pytest.mark.parametrize("path", WORKFLOWS, ids=[p.name for p in WORKFLOWS])
def test_actions_pinned_by_sha(path: Path) -> None:
    for job in load(path)["jobs"].values():
        for step in job["steps"]:
            if "uses" in step:
                assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", step["uses"]), step["uses"]


@pytest.mark.parametrize("path", WORKFLOWS, ids=[p.name for p in WORKFLOWS])
def test_least_privilege(path: Path) -> None:
    workflow = load(path)
    assert workflow["permissions"] == {"contents": "read"}
    for name, job in workflow["jobs"].items():
        writes = job.get("permissions", {}).get("contents") == "write"
        assert writes == (name == "deploy"), name


def all_jobs() -> list[tuple[str, str, dict]]:
    return [(p.name, name, job) for p in WORKFLOWS for name, job in load(p)["jobs"].items()]


@pytest.mark.parametrize(
    "workflow, name, job", all_jobs(), ids=[f"{w}:{n}" for w, n, _ in all_jobs()]
)
def test_no_cache_in_publishing_jobs(workflow: str, name: str, job: dict) -> None:
    """A poisoned cache entry must never be built into the published site."""
    publishes = workflow == "deploy.yml" or job.get("permissions", {}).get("contents") == "write"
    setups = [s for s in job["steps"] if "actions/setup-python@" in s.get("uses", "")]
    assert len(setups) == 1, name
    caches = [s for s in job["steps"] if "actions/cache" in s.get("uses", "")]
    cache = setups[0]["with"].get("cache")
    if publishes:
        assert (cache, caches) == (None, [])
    else:  # allowed in CI: pip still checks every cached file against the lock's hashes
        assert cache in (None, "pip")
        if cache:
            assert setups[0]["with"]["cache-dependency-path"] == "requirements.lock"


@pytest.mark.parametrize(
    "workflow, name, job", all_jobs(), ids=[f"{w}:{n}" for w, n, _ in all_jobs()]
)
def test_checkout_does_not_persist_credentials(workflow: str, name: str, job: dict) -> None:
    checkouts = [s for s in job["steps"] if s.get("uses", "").startswith("actions/checkout@")]
    assert checkouts, name
    for step in checkouts:
        assert step["with"]["persist-credentials"] is False, name


TOKEN = re.compile(r"secrets\.|github\.token")


def test_token_only_in_the_push_step() -> None:
    """mike builds and commits without the token; one step that only runs `git push` has it."""
    for path in WORKFLOWS:
        workflow = load(path)
        assert not TOKEN.search(yaml.safe_dump(workflow.get("env", {}))), path.name
        for name, job in workflow["jobs"].items():
            assert not TOKEN.search(yaml.safe_dump(job.get("env", {}))), name
    holders = [
        (path.name, step.get("name"), step.get("run"))
        for path in WORKFLOWS
        for job in load(path)["jobs"].values()
        for step in job["steps"]
        if TOKEN.search(yaml.safe_dump(step))
    ]
    assert holders == [("deploy.yml", "Push gh-pages", "git push origin gh-pages")]
    assert len(TOKEN.findall(DEPLOY.read_text(encoding="utf-8"))) == 1


def test_push_step_hands_the_token_to_git(tmp_path: Path) -> None:
    """The step's GIT_CONFIG_* credential helper gives git the token for github.com."""
    push = load(DEPLOY)["jobs"]["deploy"]["steps"][-1]
    env = {k: str(v) for k, v in push["env"].items() if k != "GITHUB_TOKEN"}
    result = subprocess.run(
        ["git", "credential", "fill"],
        input="protocol=https\nhost=github.com\npath=owner/repo.git\n\n",
        env={
            **os.environ,
            **env,
            "GITHUB_TOKEN": "planted-token",
            "GIT_TERMINAL_PROMPT": "0",
            "HOME": str(tmp_path),  # no user credential helpers
            "GIT_CONFIG_NOSYSTEM": "1",
        },
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "protocol=https",
        "host=github.com",
        "username=x-access-token",
        "password=planted-token",
    ]


@pytest.mark.parametrize("path", WORKFLOWS, ids=[p.name for p in WORKFLOWS])
def test_commands_exist_in_repo(path: Path) -> None:
    for line in commands(load(path)):
        if line.startswith('version="'):  # a shell assignment, no command
            continue
        words = shlex.split(line)
        if words[:2] == ["python3", "scripts/course.py"]:
            assert words[2] in COURSE_COMMANDS, line
        elif words[0].startswith(".venv/bin/"):
            assert words[0].removeprefix(".venv/bin/") in LOCKED, line
        else:
            assert words[0] == "git", line


def test_pull_requests_run_tests_build_and_check() -> None:
    ci = load(ROOT / ".github" / "workflows" / "ci.yml")
    assert "pull_request" in ci["on"]
    text = " ".join(commands(ci))
    for sub in ("test", "build", "check"):
        assert f"scripts/course.py {sub}" in text


UPLOAD_ARTIFACT = "actions/upload-artifact@ea165f8d65b6e75b540449e92b4886f43607fa02"


@pytest.mark.slow
def test_pull_requests_keep_the_site_and_summarize_their_effect(tmp_path: Path) -> None:
    """The preview job uploads the built site and writes pr-summary's Markdown into the job
    summary, with the workflow's read-only token and no secret: forks' pull requests too."""
    ci = load(CI)
    assert "pull_request_target" not in ci["on"]
    job = ci["jobs"]["preview"]
    assert job["if"] == "github.event_name == 'pull_request'"
    assert "permissions" not in job  # the workflow's contents: read
    steps = job["steps"]
    assert steps[0]["with"]["fetch-depth"] == 0  # git diff against the base needs history
    names = [s.get("name") for s in steps]
    build, upload, summary = (
        steps[names.index(n)] for n in ("Build the site", "Upload the built site", "Job summary")
    )
    assert names.index("Build the site") < names.index("Upload the built site") < len(names) - 1
    assert build["run"] == "python3 scripts/course.py build --site-dir site"
    assert upload["uses"] == UPLOAD_ARTIFACT
    assert f"uses: {UPLOAD_ARTIFACT} # v4.6.2\n" in CI.read_text(encoding="utf-8")
    assert upload["with"] == {
        "name": "site",
        "path": "site/",
        "if-no-files-found": "error",
        "retention-days": 14,
    }
    assert summary == steps[-1] and summary["if"] == "${{ !cancelled() }}"
    assert summary["env"] == {
        "BASE_SHA": "${{ github.event.pull_request.base.sha }}",
        "ARTIFACT_URL": "${{ steps.upload.outputs.artifact-url }}",
    }
    # The step's own shell line, as the runner runs it: the Markdown lands in the summary.
    out = tmp_path / "summary.md"
    sha = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.strip()
    env = {
        **os.environ,
        "BASE_SHA": sha,
        "ARTIFACT_URL": "https://github.com/owner/course/actions/runs/1/artifacts/2",
        "GITHUB_REPOSITORY": "owner/course",
        "GITHUB_SHA": sha,
        "GITHUB_STEP_SUMMARY": str(out),
    }
    result = subprocess.run(
        ["bash", "-e", "-c", summary["run"]],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[:5] == [
        "## What this pull request does to the site",
        "",
        f"Compared with the merge base of `{sha}`.",
        "",
        "The built site is this run's [site artifact]("
        "https://github.com/owner/course/actions/runs/1/artifacts/2): unzip it and serve the "
        "folder, e.g. `python3 -m http.server -d site`.",
    ]
    assert "### Pages changed (0)" in lines


def test_deploys_with_mike_without_races() -> None:
    deploy = load(ROOT / ".github" / "workflows" / "deploy.yml")
    assert deploy["on"]["push"]["branches"] == ["main"]
    assert deploy["on"]["push"]["tags"] == ["v*"]
    assert deploy["concurrency"]["cancel-in-progress"] is False
    lines = commands(deploy)
    assert ".venv/bin/mike deploy dev" in lines
    assert '.venv/bin/mike deploy --update-aliases "$version" latest' in lines
    assert ".venv/bin/mike set-default latest" in lines
    # mike never pushes (it has no token); the last step pushes what it committed.
    assert [ln for ln in lines if "--push" in ln] == []
    assert lines[-1] == "git push origin gh-pages"


PRE_COMMIT = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text())
PRE_COMMIT_HOOKS = {h["id"]: h for repo in PRE_COMMIT["repos"] for h in repo["hooks"]}


def test_pre_commit_config() -> None:
    hooks = PRE_COMMIT_HOOKS
    assert {"course-check", "ruff", "check-yaml", "check-merge-conflict"} <= set(hooks)
    assert hooks["course-check"]["entry"] == "python3 scripts/course.py check"
    assert hooks["course-check"]["files"] == "^(docs|locales)/"
    assert "--unsafe" in hooks["check-yaml"]["entry"]  # MkDocs tags (!ENV, !!python/name)


def test_pre_commit_downloads_nothing() -> None:
    """No remote hook repository, no per-hook environment: every hook runs a locked tool."""
    assert [repo["repo"] for repo in PRE_COMMIT["repos"]] == ["local"]
    for hook_id, hook in PRE_COMMIT_HOOKS.items():
        assert "additional_dependencies" not in hook, hook_id
        assert hook["language"] in ("system", "unsupported"), hook_id
        program = shlex.split(hook["entry"])[0]
        if program == "python3":
            assert shlex.split(hook["entry"])[1] == "scripts/course.py", hook_id
        else:
            assert program.startswith(".venv/bin/") and (ROOT / program).is_file(), hook_id
    # ruff and check-yaml/check-merge-conflict come from requirements.lock
    assert {"ruff", "pre-commit-hooks"} <= LOCKED


def test_pre_commit_check_yaml_hook_runs(tmp_path: Path) -> None:
    """The hook's entry, as pre-commit runs it, passes mkdocs.yml and fails broken YAML."""
    entry = shlex.split(PRE_COMMIT_HOOKS["check-yaml"]["entry"])
    broken = tmp_path / "broken.yml"
    broken.write_text("key: [unclosed\n", encoding="utf-8")
    good = subprocess.run([*entry, "mkdocs.yml"], cwd=ROOT, capture_output=True, text=True)
    bad = subprocess.run([*entry, str(broken)], cwd=ROOT, capture_output=True, text=True)
    assert (good.returncode, bad.returncode) == (0, 1), good.stdout + good.stderr
    assert bad.stdout.startswith("while parsing a flow sequence\n")
    assert f'in "{broken}", line 1' in bad.stdout


def test_ci_run_runs_the_readme_test_command() -> None:
    readme = (ROOT / "README.md").read_text()
    quick = re.search(r"```sh\n(.*?)```", readme, re.S).group(1).splitlines()
    test_cmd = quick[1].split("#")[0].strip()
    ci_lines = [
        ln
        for ln in (ROOT / ".ci" / "run").read_text().splitlines()
        if ln and not ln.startswith(("#", "set ", "cd "))
    ]
    assert ci_lines[-1] == test_cmd


# --------------------------------------------------------------------------- zizmor


def zizmor_step() -> list[str]:
    """The zizmor command line of CI's zizmor job, after it sets up .venv from the lock."""
    steps = load(CI)["jobs"]["zizmor"]["steps"]
    runs = [s["run"] for s in steps if "run" in s]
    assert runs[0] == "python3 scripts/course.py setup"
    assert len(runs) == 2
    return shlex.split(runs[1])


def zizmor(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(ZIZMOR), *args], cwd=cwd, capture_output=True, text=True, timeout=120
    )


def test_ci_runs_locked_zizmor_on_the_workflows() -> None:
    words = zizmor_step()
    assert words[:2] == [".venv/bin/zizmor", "--offline"]
    assert ".github/workflows" in words[2:]
    assert "zizmor" in LOCKED
    pinned = re.search(r"^zizmor==(\S+)", (ROOT / "requirements.lock").read_text(), re.M)
    assert zizmor("--version").stdout.strip() == f"zizmor {pinned.group(1)}"


def test_zizmor_reports_no_findings() -> None:
    """What CI runs (workflows, Dependabot and pre-commit config), at the default persona."""
    result = zizmor("--format=json", *zizmor_step()[1:])
    assert result.returncode == 0, result.stdout + result.stderr
    assert json.loads(result.stdout) == []


def test_zizmor_catches_what_it_must(tmp_path: Path) -> None:
    """The same binary flags a planted publishing job with a cache and a persisted token."""
    planted = tmp_path / ".github" / "workflows" / "publish.yml"
    planted.parent.mkdir(parents=True)
    text = DEPLOY.read_text(encoding="utf-8").replace(
        '          python-version: "3.11"\n',
        '          python-version: "3.11"\n          cache: pip\n',
    )
    planted.write_text(text.replace("persist-credentials: false", "fetch-tags: true"))
    result = zizmor("--offline", "--format=json", ".github/workflows", cwd=tmp_path)
    assert result.returncode != 0
    found = sorted(f["ident"] for f in json.loads(result.stdout))
    assert found == ["artipacked", "cache-poisoning"]


# --------------------------------------------------------------------------- the locks


def load_course():
    spec = importlib.util.spec_from_file_location("course_cli", ROOT / "scripts" / "course.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    "argv",
    [
        ["test"],
        ["test", "tests/test_notes.py"],
        ["test", "-x", "-k", "not serve", "tests/test_notes.py"],
        ["test", "tests/test_notes.py", "--durations=5", "-p", "no:cacheprovider"],
    ],
)
def test_course_py_test_gives_pytest_its_arguments_as_they_are(
    argv: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`course.py test` passes pytest's options and paths on, in their order: a contributor
    runs `course.py test -x -k serve` as they would run pytest."""
    course = load_course()
    calls = []
    monkeypatch.setattr(course, "ensure_venv", lambda: Path("/venv/bin/python"))
    monkeypatch.setattr(course, "ensure_chromium", lambda: None)
    monkeypatch.setattr(course.subprocess, "call", lambda cmd, **kw: calls.append(cmd) or 0)
    assert course.main(argv) == 0
    assert calls == [["/venv/bin/python", "-m", "pytest", *argv[1:]]]


def test_course_py_refuses_unknown_options_of_other_commands(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as stop:
        load_course().main(["status", "-x"])
    assert stop.value.code == 2
    assert (
        capsys.readouterr().err.splitlines()[-1] == "course.py: error: unrecognized arguments: -x"
    )


def test_pip_installs_the_lock_with_require_hashes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ensure_venv() says --require-hashes: one unhashed line would fail, not turn checks off."""
    course = load_course()
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "bin" / "python").touch()  # an existing but stale .venv: no stamp
    site = tmp_path / "site-packages"
    site.mkdir()
    (site / "llmcourse.pth").write_text("/old/checkout/scripts\n")
    calls = []

    def run(cmd, **kwargs):
        calls.append(cmd)
        return SimpleNamespace(returncode=0, stdout=f"{site}\n")

    monkeypatch.setattr(course, "VENV", venv)
    monkeypatch.setattr(course.subprocess, "run", run)
    course.ensure_venv()
    python = str(venv / "bin" / "python")
    assert calls[0] == [
        python, "-m", "pip", "install", "--disable-pip-version-check", "-q",
        "--require-hashes", "-r", str(ROOT / "requirements.lock"),
    ]  # fmt: skip
    # then the project itself, the standard way, with nothing to fetch (no deps, the lock's
    # setuptools), in place of the path file an earlier setup wrote
    assert calls[1:] == [
        [python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        [
            python, "-m", "pip", "install", "--disable-pip-version-check", "-q",
            "--no-deps", "--no-build-isolation", "-e", str(ROOT),
        ],
    ]  # fmt: skip
    assert not (site / "llmcourse.pth").exists()


def test_requirements_lock_is_hashed() -> None:
    """Every requirement in the lock is pinned with == and carries at least one sha256."""
    entries = re.split(r"\n(?=[a-z0-9])", (ROOT / "requirements.lock").read_text())
    reqs = [e for e in entries if not e.startswith("#")]
    assert len(reqs) == len(LOCKED) > 50
    for entry in reqs:
        assert re.match(r"[a-z0-9][a-z0-9._-]*==\S+ \\\n\s+--hash=sha256:[0-9a-f]{64}", entry), (
            entry
        )


PACKAGE = json.loads((ROOT / "package.json").read_text(encoding="utf-8"))
PACKAGE_LOCK = json.loads((ROOT / "package-lock.json").read_text(encoding="utf-8"))


def test_package_lock_pins_lighthouse() -> None:
    version = PACKAGE["dependencies"]["lighthouse"]
    assert re.fullmatch(r"12\.\d+\.\d+", version)  # exact, not a range
    locked = PACKAGE_LOCK["packages"]["node_modules/lighthouse"]
    assert locked["version"] == version
    assert re.fullmatch(r"sha512-[A-Za-z0-9+/]{86}==", locked["integrity"])
    # The lock matches package.json (or `npm ci` refuses to install it).
    assert PACKAGE_LOCK["packages"][""]["dependencies"] == PACKAGE["dependencies"]


def test_package_lock_has_an_integrity_hash_for_every_package() -> None:
    packages = {k: v for k, v in PACKAGE_LOCK["packages"].items() if k}
    assert PACKAGE_LOCK["lockfileVersion"] == 3 and len(packages) > 100
    assert [
        k for k, v in packages.items() if not v.get("integrity", "").startswith("sha512-")
    ] == []
    # No package runs an install script (npm ci --ignore-scripts would skip it anyway).
    assert [k for k, v in packages.items() if v.get("hasInstallScript")] == []


def test_bench_shows_the_median_lighthouse_run() -> None:
    """One Lighthouse run's score moves with the machine's load: bench shows the run of
    median performance, with the lowest and highest; a failed run's message if any failed."""
    from llmcourse import bench

    runs: list = [(93, "Performance 93; TBT 240 ms"), (99, "Performance 99; TBT 70 ms")]
    runs.append((98, "Performance 98; TBT 80 ms"))
    assert bench._median_run(runs) == "Performance 98; TBT 80 ms; performance min 93, max 99"
    assert bench._median_run([runs[0], "failed: no report", runs[1]]) == "failed: no report"


def test_bench_runs_npm_ci_only_when_the_lock_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """bench's Lighthouse is node_modules/.bin/lighthouse, installed by `npm ci` from the lock."""
    from llmcourse import bench

    for name in ("package.json", "package-lock.json"):
        (tmp_path / name).write_text((ROOT / name).read_text(encoding="utf-8"), encoding="utf-8")
    log = tmp_path / "npm.log"
    npm = tmp_path / "npm"
    npm.write_text(
        "#!/bin/sh\n"
        f'echo "$@" >> {log}\n'
        "rm -rf node_modules && mkdir -p node_modules/.bin && touch node_modules/.bin/lighthouse\n"
    )
    npm.chmod(0o755)
    monkeypatch.setattr(bench, "ROOT", tmp_path)
    monkeypatch.chdir(tmp_path)

    first = bench.locked_lighthouse(str(npm))
    again = bench.locked_lighthouse(str(npm))  # installed from this lock: no second npm ci
    with (tmp_path / "package-lock.json").open("a") as lock:
        lock.write("\n")
    bench.locked_lighthouse(str(npm))  # the lock changed: npm ci again
    assert first == again == tmp_path / "node_modules" / ".bin" / "lighthouse"
    assert log.read_text().splitlines() == ["ci --ignore-scripts --no-audit --no-fund"] * 2


# --------------------------------------------------------------------------- no run-time fetches

# Options of `pip install` that take a value (the value is not a package to fetch).
PIP_VALUE_OPTIONS = {
    "-r", "--requirement", "-c", "--constraint", "-t", "--target", "--prefix", "--root",
    "-i", "--index-url", "--extra-index-url", "-f", "--find-links", "--python-version",
    "--platform", "--implementation", "--abi", "--src", "--progress-bar", "--log",
}  # fmt: skip
NPX = re.compile(r"\bnpx\b|\bnpm[\"',\s]+exec\b|\b(?:pnpm|yarn)[\"',\s]+dlx\b")
PIP_INSTALL = re.compile(r"\bpip3?\b[\"',\s]+install\b(?P<args>[^\n\])]*)")


def run_time_fetches(text: str) -> list[str]:
    """Commands in `text` that would fetch a tool at run time, outside the locks.

    npx / npm exec / pnpm dlx / yarn dlx (they download whatever version is current when the
    package is not installed locally), and `pip install` of a package by name, in shell form
    (`pip install ruff`) or as a Python argument list (`"pip", "install", "ruff"`).
    """
    found = [m.group(0) for m in NPX.finditer(text)]
    for match in PIP_INSTALL.finditer(text):
        words = re.findall(r"[^\s\"',]+", match.group("args"))
        takes_value = editable = False
        for word in words:
            if editable:  # `-e .` installs a checkout; `-e git+https://…` fetches one
                editable = False
                if "://" in word or word.startswith("git+"):
                    found.append(match.group(0).strip())
                    break
            elif takes_value:
                takes_value = False
            elif word in ("-e", "--editable"):
                editable = True
            elif word in PIP_VALUE_OPTIONS:
                takes_value = True
            elif word.startswith("-") or word.startswith("*") or word.startswith(("./", "/")):
                continue  # an option, an unpacked list, or a local path
            elif word == "#":
                break
            else:
                found.append(match.group(0).strip())
                break
    return found


def test_run_time_fetch_detector_on_planted_examples() -> None:
    planted = {
        # bench.py before the npm lock: npx downloaded Lighthouse 12.x at run time
        'cmd = [\n    npx,\n    "--yes",\n    "lighthouse@12",\n]': ["npx"],
        "run: npx --yes lighthouse@12 http://localhost/": ["npx"],
        "npm exec -- lighthouse": ["npm exec"],
        "pip install zizmor": ["pip install zizmor"],
        "python3 -m pip install -q 'ruff>=0.6'": ["pip install -q 'ruff>=0.6'"],
        'subprocess.run([py, "-m", "pip", "install", "pre-commit-hooks"])': [
            'pip", "install", "pre-commit-hooks"'
        ],
        "pip install -r requirements.lock ruff": ["pip install -r requirements.lock ruff"],
        # from the lock, or a prefix list whose packages come from elsewhere: not fetches
        'pip = [str(python), "-m", "pip", "install", "--disable-pip-version-check", "-q"]': [],
        '[*pip, "--require-hashes", "-r", str(LOCK)]': [],
        "pip install --require-hashes -r requirements.lock": [],
        "node_modules/.bin/lighthouse http://127.0.0.1:8000/": [],
        # the project itself, from its checkout; but an editable VCS URL is fetched
        '[*pip, "--no-deps", "--no-build-isolation", "-e", str(ROOT)]': [],
        "pip install -e .": [],
        "pip install -e git+https://github.com/x/y#egg=y": [
            "pip install -e git+https://github.com/x/y#egg=y"
        ],
    }
    assert {text: run_time_fetches(text) for text in planted} == planted


def fetch_scan_files() -> list[Path]:
    """Code and config the tests, bench, hooks and CI run (not the course's prose or data)."""
    here = Path(__file__).resolve()  # holds the planted examples above
    files = [ROOT / ".pre-commit-config.yaml", ROOT / "package.json"]
    files += sorted((ROOT / "docs" / "notebooks").glob("*.ipynb"))  # the tests re-run them
    for top in ("scripts", "tests", "hooks", ".github", ".ci"):
        for path in sorted((ROOT / top).rglob("*")):
            parts = set(path.relative_to(ROOT).parts)
            if not path.is_file() or parts & {"__pycache__", "artifacts"} or path == here:
                continue
            if path.suffix in {".py", ".sh", ".yml", ".yaml", ".toml", ".json", ".ipynb", ""}:
                files.append(path)
    return files


def test_no_tool_is_fetched_at_run_time() -> None:
    files = fetch_scan_files()
    scanned = {p.relative_to(ROOT).as_posix() for p in files}
    assert {"scripts/course.py", "scripts/llmcourse/bench.py", ".ci/run"} <= scanned
    assert {".github/workflows/ci.yml", ".github/workflows/deploy.yml"} <= scanned
    found = {
        path.relative_to(ROOT).as_posix(): run_time_fetches(path.read_text(encoding="utf-8"))
        for path in files
    }
    assert {path: hits for path, hits in found.items() if hits} == {}


# --------------------------------------------------------------------------- dependabot


def test_dependabot_weekly_one_grouped_pull_request_per_ecosystem() -> None:
    config = yaml.safe_load((ROOT / ".github" / "dependabot.yml").read_text())
    assert config["version"] == 2
    updates = {u["package-ecosystem"]: u for u in config["updates"]}
    assert sorted(updates) == ["github-actions", "npm", "pip"]
    for name, update in updates.items():
        assert update["directory"] == "/", name
        assert update["schedule"] == {"interval": "weekly"}, name
        assert [g["patterns"] for g in update["groups"].values()] == [["*"]], name
        assert update["cooldown"]["default-days"] >= 7, name


def test_bench_measures_pages_the_docs_have() -> None:
    """bench.yml names pages by key: each one has a Chinese source, so a renamed page fails
    here, not half-way through a fifteen-minute bench run."""
    from llmcourse import DOCS, bench, pages

    keys = [bench.MEASURED[k] for k in ("served", "chapter", "notebook")]
    keys += bench.MEASURED["lighthouse"]
    missing = [
        key
        for key in keys
        if not any(pages.chinese_source(DOCS, key, ext) for ext in pages.EXTENSIONS)
    ]
    assert missing == []
    # the served page is written in the default language's script: its other page is generated
    assert (DOCS / pages.file_name(bench.MEASURED["served"], "md", pages.DEFAULT)).is_file()


def test_command_output_cut_short_ends_quietly() -> None:
    """`course.py status --json | head`: the pipe closes early and the command stops as Unix
    tools do (SIGPIPE), without a BrokenPipeError traceback on the terminal."""
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "scripts" / "course.py"), "status", "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=ROOT,
        # a pipe smaller than the output (~25 KB): the command is still writing when the
        # reader goes away, however slow the machine (with Linux's 64 KiB default it could
        # finish first and exit 0)
        pipesize=4096,
    )
    assert proc.stdout.read(10) == b'{\n  "upstr'
    proc.stdout.close()
    stderr = proc.stderr.read().decode()
    assert (proc.wait(), stderr) == (-signal.SIGPIPE, "")
