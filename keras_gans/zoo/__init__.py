"""The model zoo: pretrained GANs (and the evaluators that measure them).

    import keras_gans as kg
    kg.zoo.list()                       # names of the entries found
    kg.zoo.info("dcgan_mnist")          # task, architecture, data, recipe, metrics, files, sha256
    gan = kg.zoo.load("dcgan_mnist")    # the game: generator AND discriminator
    images = gan.generate(16, seed=0)
    gan.compile(g_optimizer=..., d_optimizer=...); gan.fit(...)   # fine-tune
    kg.zoo.load("path/to/my_entry")     # a local entry folder
    kg.zoo.load("hf://owner/name")      # an entry in a Hugging Face hub repository (@revision too)
    kg.zoo.save(model, "path/to/my_entry", card={...})   # publish your own

An entry is a folder:

- ``config.json``: ``format`` ("keras_gans.zoo/1"), ``kind`` ("game" or
  "model"), ``model`` (``keras.saving.serialize_keras_object``: class and
  constructor arguments), ``preprocessing`` (image size, channels, value
  range), ``weights`` (file name, sha256, size in bytes, storage dtype),
  ``metrics`` (measured, with ``evaluation.command``), ``training`` (recipe,
  command, steps, hardware, wall time) and the card's text fields.
- ``model.weights.h5``: Keras weights (float16 storage is cast back to float32
  on load).
- ``MODEL_CARD.md``: rendered from ``config.json``.
- ``recipe.py`` (and ``evaluate.py``) for the shipped entries.

Search order for names: every folder in ``$KERAS_GANS_ZOO``
(``os.pathsep``-separated), then the installed entries (``user_zoo()``:
``$KERAS_GANS_HOME/zoo``, default ``~/.keras/keras_gans/zoo``, filled by
``kg.zoo.install(path)`` / ``keras-gans zoo install PATH``), then the source
checkout's ``zoo/`` when keras_gans runs from a checkout. A wheel carries no
weights: after a non-editable ``pip install``, install the entries once. The first folder holding
``<name>/config.json`` wins. A path to an entry folder works anywhere a name
does. Loading reads local files only and checks the weights' sha256: a
mismatch or a truncated file raises ``ZooIntegrityError`` naming the file.

``hf://owner/name[@revision][/sub/folder]`` names an entry folder in a
Hugging Face hub model repository (``pip install "keras_gans[hub]"``;
publish one with ``hf upload owner/name path/to/my_entry``) anywhere a name
does (``keras-gans generate|translate|upscale hf://owner/name ...`` too).
Its files are fetched with ``huggingface_hub`` into the hub's standard cache
(``HF_HUB_CACHE``, by default ``~/.cache/huggingface/hub``) and are
sha256-checked like any entry's; once fetched, the entry loads offline
(``HF_HUB_OFFLINE=1``, or when the hub cannot be reached). See
``keras_gans.zoo.hub``.
"""

from keras_gans.paths import ZOO_ENV as ENV_VAR
from keras_gans.paths import user_zoo
from keras_gans.paths import zoo_search_paths as search_paths
from keras_gans.zoo.card import render_card
from keras_gans.zoo.core import info, load, load_any, load_features, save
from keras_gans.zoo.discovery import UnknownEntryError, entry_path, list_entries
from keras_gans.zoo.install import install
from keras_gans.zoo.integrity import FORMAT, ZooIntegrityError, load_config

list = list_entries  # noqa: A001  (kg.zoo.list() is the public name)

__all__ = [
    "list",
    "info",
    "load",
    "load_any",
    "load_features",
    "save",
    "search_paths",
    "install",
    "user_zoo",
    "entry_path",
    "load_config",
    "render_card",
    "UnknownEntryError",
    "ZooIntegrityError",
    "ENV_VAR",
    "FORMAT",
]
