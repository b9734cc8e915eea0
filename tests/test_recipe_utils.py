"""The recipes' run bookkeeping (zoo/_shared/recipe_utils.py): the training
command a card states is one a shell runs again, without the flags that only
steered one session's segment."""

import shlex
import sys

import recipe_utils


def test_training_command_drops_run_control_and_keeps_quoting(tmp_path, monkeypatch):
    argv = ["zoo/srresnet_x4/recipe.py", "--stage", "srgan", "--init", "zoo/srresnet_x4", "--time-limit", "3960",
            "--no-export", "--segment-note", "session 13, nice 19 (one thread)", "--data", "my data/T91"]
    monkeypatch.setattr(sys, "argv", argv)
    full = recipe_utils.command_line()
    assert shlex.split(full)[3:] == argv  # env KERAS_BACKEND=... python <argv>, quoted
    log = recipe_utils.RunLog(tmp_path)
    log.add(0, 10, 1.0)
    command = log.training_command()
    assert shlex.split(command)[3:] == ["zoo/srresnet_x4/recipe.py", "--stage", "srgan", "--init", "zoo/srresnet_x4",
                                        "--data", "my data/T91"], command
    assert recipe_utils.command_line(training=True) == command
    assert recipe_utils.RunLog(tmp_path).segments[0]["command"] == full  # the segment keeps what ran


def test_committed_at_names_the_commit_of_a_clean_folder_only(tmp_path):
    """An SRGAN card names the SRResNet commit it started from: the folder's last
    commit when git has all of it, None when it has uncommitted changes."""
    import subprocess

    git = lambda *a: subprocess.run(["git", "-C", str(tmp_path), *a], check=True, capture_output=True, text=True)  # noqa: E731
    git("init", "-q")
    entry = tmp_path / "zoo" / "srresnet_x4"
    entry.mkdir(parents=True)
    (entry / "config.json").write_text("{}")
    (tmp_path / "other.txt").write_text("x")
    git("add", "-A")
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "entry")
    first = git("rev-parse", "--short", "HEAD").stdout.strip()
    (tmp_path / "other.txt").write_text("y")  # a later commit elsewhere does not move the entry's
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qam", "other")
    assert recipe_utils.committed_at(entry) == first
    (entry / "config.json").write_text('{"changed": 1}')
    assert recipe_utils.committed_at(entry) is None
    assert recipe_utils.committed_at(tmp_path.parent / "not_a_repo_dir_xyz") is None
