"""The shipped pre-commit hook, run by the real pre-commit on a scratch repository: a good letter
passes, a bad one fails with its message. pre-commit installs circulaire from this checkout
(``try-repo`` takes its uncommitted changes too), which needs PyPI for the build backend."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import LETTERS, ROOT, require

pytestmark = pytest.mark.slow


def test_the_hook_is_declared() -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    (hook,) = hooks
    assert hook["id"] == "circulaire-validate"
    assert hook["entry"] == "circulaire validate"
    assert hook["language"] == "python"


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    require("git")
    if not (ROOT / ".git").exists():
        pytest.skip("pre-commit try-repo needs circulaire as a git checkout")
    repo = tmp_path_factory.mktemp("scratch")
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    good = repo / "letters/CL-21/27.yaml"
    good.parent.mkdir(parents=True)
    shutil.copy(LETTERS / "CL-21/27.yaml", good)
    bad = repo / "letters/CL-20/038.yaml"
    bad.parent.mkdir(parents=True)
    text = (LETTERS / "CL-20/038.yaml").read_text(encoding="utf-8")
    bad.write_text(text.replace("date: 2020-08-31", "date: 2021-08-31"), encoding="utf-8")
    elsewhere = repo / "config.yaml"
    elsewhere.write_text("not: a letter\n", encoding="utf-8")
    subprocess.run(["git", "-C", str(repo), "add", "."], check=True)
    return repo


def pre_commit(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The real pre-commit in ``repo``, with this environment's circulaire first on PATH."""
    env = {
        **os.environ,
        "PRE_COMMIT_HOME": str(repo.parent / "pre-commit-home"),
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    env.pop("PRE_COMMIT", None)
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", *args],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def try_repo(repo: Path, *files: str) -> subprocess.CompletedProcess[str]:
    return pre_commit(repo, "try-repo", str(ROOT), "circulaire-validate", "--files", *files)


def test_a_good_letter_passes(scratch: Path) -> None:
    result = try_repo(scratch, "letters/CL-21/27.yaml", "config.yaml")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "circulaire validate" in result.stdout
    assert "Passed" in result.stdout


def test_a_bad_letter_fails_with_its_message(scratch: Path) -> None:
    result = try_repo(scratch, "letters/CL-20/038.yaml", "letters/CL-21/27.yaml")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Failed" in result.stdout
    assert (
        "letters/CL-20/038.yaml:3:7: date: the year 2021 disagrees with the reference CL-20/038 "
        "(expected a date in 2020)"
    ) in result.stdout
    assert "1 invalid" in result.stdout


def test_the_readmes_local_hook_runs(scratch: Path) -> None:
    """The configuration docs/validating.md gives, as written there, run by ``pre-commit``."""
    readme = (ROOT / "docs" / "validating.md").read_text(encoding="utf-8")
    section = readme[readme.index("## pre-commit") :]
    config = section[section.index("```yaml\n") + 8 : section.index("```\n", 1)]
    assert "repo: local" in config
    (scratch / ".pre-commit-config.yaml").write_text(config, encoding="utf-8")
    subprocess.run(["git", "-C", str(scratch), "add", ".pre-commit-config.yaml"], check=True)
    good = pre_commit(scratch, "run", "--files", "letters/CL-21/27.yaml", "config.yaml")
    assert good.returncode == 0, good.stdout + good.stderr
    assert "Passed" in good.stdout
    bad = pre_commit(scratch, "run", "--files", "letters/CL-20/038.yaml")
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "letters/CL-20/038.yaml:3:7: date: the year 2021 disagrees" in bad.stdout
