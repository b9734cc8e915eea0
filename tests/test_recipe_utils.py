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
