"""The CI/CD workflow files and pre-commit config: valid, least privilege, runnable commands."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
import yaml

from conftest import ROOT

WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
COURSE_COMMANDS = set(
    re.findall(r'add_parser\(\s*"([a-z-]+)"', (ROOT / "scripts" / "course.py").read_text())
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
def test_least_privilege_and_pip_cache(path: Path) -> None:
    workflow = load(path)
    assert workflow["permissions"] == {"contents": "read"}
    for name, job in workflow["jobs"].items():
        writes = job.get("permissions", {}).get("contents") == "write"
        assert writes == (name == "deploy"), name
        setups = [s for s in job["steps"] if "setup-python" in s.get("uses", "")]
        assert setups and setups[0]["with"]["cache"] == "pip"
        assert setups[0]["with"]["cache-dependency-path"] == "requirements.lock"


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


def test_deploys_with_mike_without_races() -> None:
    deploy = load(ROOT / ".github" / "workflows" / "deploy.yml")
    assert deploy["on"]["push"]["branches"] == ["main"]
    assert deploy["on"]["push"]["tags"] == ["v*"]
    assert deploy["concurrency"]["cancel-in-progress"] is False
    text = "\n".join(commands(deploy))
    assert "mike deploy --push dev" in text
    assert "mike deploy --push --update-aliases" in text and "latest" in text
    assert "mike set-default --push latest" in text


def test_pre_commit_config() -> None:
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text())
    hooks = {h["id"]: h for repo in config["repos"] for h in repo["hooks"]}
    assert {"course-check", "ruff", "check-yaml"} <= set(hooks)
    assert hooks["course-check"]["entry"] == "python3 scripts/course.py check"
    assert hooks["course-check"]["files"] == "^(docs|locales)/"
    assert "--unsafe" in hooks["check-yaml"]["entry"]  # MkDocs tags (!ENV, !!python/name)
    for hook in hooks.values():
        for dep in hook.get("additional_dependencies", []):
            assert re.fullmatch(r"[\w-]+==[\w.]+", dep), dep


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
