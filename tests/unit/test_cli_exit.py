"""How a ``kdc`` command ends: its database connections closed, its memory left to the system."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from fresh_python import run_python
from kdc_core.app import Kdc
from kdc_core.cli import main


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("KDC_DISABLED_PLUGINS", raising=False)
    path = tmp_path / "kdc.toml"
    path.write_text(f'database_url = "sqlite:///{tmp_path / "kdc.sqlite3"}"\n')
    monkeypatch.setenv("KDC_CONFIG", str(path))
    return path


def run_script(config: Path, call: str) -> subprocess.CompletedProcess[str]:
    """``call`` run in a fresh interpreter; at exit it prints whether the collector had
    frozen objects (an ``atexit`` handler registered first runs last)."""
    script = (
        "import atexit, gc, sys\n"
        "atexit.register(lambda: print('frozen at exit:', gc.get_freeze_count() > 0))\n"
        "from kdc_core.cli import main\n"
        f"{call}\n"
    )
    return run_python(script, cwd=config.parent, env={"KDC_CONFIG": str(config)})


def test_the_kdc_command_leaves_freeing_its_objects_to_the_system(config: Path):
    done = run_script(config, "sys.argv = ['kdc', 'plugins']\nmain()")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert any("ical" in line for line in lines[:-1]), "the command's output was lost"
    assert lines[-1] == "frozen at exit: True"


def test_a_failing_command_exits_the_same_way_with_its_message(config: Path):
    done = run_script(config, "sys.argv = ['kdc', 'no-such-command']\nmain()")
    assert done.returncode == 2
    assert "No such command" in done.stderr
    assert done.stdout.strip() == "frozen at exit: True"


def test_a_program_calling_main_with_arguments_keeps_its_collector(config: Path):
    done = run_script(
        config, "try:\n    main(['plugins'])\nexcept SystemExit as exit:\n    assert not exit.code"
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "frozen at exit: False"


def test_the_application_a_command_made_is_disposed_when_it_ends(
    config: Path, monkeypatch: pytest.MonkeyPatch
):
    disposed: list[Kdc] = []
    made: list[Kdc] = []
    original_init, original_dispose = Kdc.__init__, Kdc.dispose

    def init(self: Kdc, *args: object, **kwargs: object) -> None:
        original_init(self, *args, **kwargs)  # type: ignore[arg-type]
        made.append(self)

    def dispose(self: Kdc) -> None:
        disposed.append(self)
        original_dispose(self)

    monkeypatch.setattr(Kdc, "__init__", init)
    monkeypatch.setattr(Kdc, "dispose", dispose)
    with pytest.raises(SystemExit) as exit:
        main(["plugins"])
    assert exit.value.code == 0
    assert len(made) == 1 and disposed == made


def test_an_application_handed_to_main_is_left_to_its_owner(
    config: Path, monkeypatch: pytest.MonkeyPatch
):
    kdc = Kdc.from_config(config)
    disposed: list[Kdc] = []
    monkeypatch.setattr(Kdc, "dispose", lambda self: disposed.append(self))
    with pytest.raises(SystemExit) as exit:
        main(["plugins"], kdc=kdc)
    assert exit.value.code == 0
    assert disposed == []
