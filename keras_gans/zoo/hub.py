"""Zoo entries kept in Hugging Face hub model repositories: ``hf://owner/name``.

    kg.zoo.load("hf://owner/name")               # the repository's main branch
    kg.zoo.load("hf://owner/name@v1")            # a branch, tag or commit (or refs/pr/N)
    kg.zoo.load("hf://owner/name/dcgan_mnist")   # an entry in a sub-folder of the repository

The repository (or the sub-folder) holds an entry folder as ``kg.zoo.save``
writes it; publish one with ``hf upload owner/name DIR``. The files are
fetched by ``huggingface_hub.hf_hub_download`` into the hub's own cache
(``HF_HUB_CACHE``, by default ``$HF_HOME/hub``), so an entry fetched once
loads without network: with ``HF_HUB_OFFLINE=1``, or when the hub cannot be
reached (the client gives up after a short timeout and takes the cached
copy). The weights are then checked against the sha256 in ``config.json``
like any entry's. Needs ``pip install "keras_gans[hub]"``.
"""

import json
import re
from pathlib import Path
from urllib.parse import unquote

from keras_gans.zoo.discovery import CARD, CONFIG, WEIGHTS, UnknownEntryError

PREFIX = "hf://"
#: seconds the client waits for the hub's answer before it falls back to the cache
ETAG_TIMEOUT = 5.0
_OTHER_TYPES = ("datasets", "spaces", "kernels", "buckets")
# the hub's URI grammar for a model repository: [models/]owner/name[@revision][/path]
_SPEC = re.compile(
    r"(?:models/)?(?P<repo>[^/@]+/[^/@]+)"
    r"(?:@(?P<revision>refs/pr/\d+|refs/convert/[\w.-]+|[^/]+))?"
    r"(?:/(?P<path>.*))?"
)
_FORM = "hf://owner/name[@revision][/sub/folder]"


def is_hub_spec(spec):
    """Whether ``spec`` names an entry on the Hugging Face hub (``hf://...``)."""
    return isinstance(spec, str) and spec.startswith(PREFIX)


def parse(spec):
    """``(repo_id, revision or None, sub-folder or "")`` of an ``hf://`` spec."""
    body = spec[len(PREFIX):]
    if body.split("/", 1)[0] in _OTHER_TYPES:
        raise ValueError(f"{spec!r}: zoo entries live in model repositories; expected {_FORM}.")
    m = _SPEC.fullmatch(body)
    path = (m.group("path") or "").rstrip("/") if m else ""
    if not m or (path and any(part in ("", ".", "..") for part in path.split("/"))):
        raise ValueError(f"{spec!r} is not a Hugging Face hub entry; expected {_FORM} (e.g. hf://keras-io/dcgan).")
    revision = m.group("revision")
    return m.group("repo"), unquote(revision) if revision else None, path


def _client(spec):
    try:
        import huggingface_hub
    except ImportError as e:
        raise ImportError(
            f"Loading {spec!r} from the Hugging Face hub needs the huggingface_hub package: "
            'pip install "keras_gans[hub]"'
        ) from e
    return huggingface_hub


def entry_folder(spec):
    """The local folder (in the hub's cache) holding the entry ``spec``
    (``hf://owner/name[@revision][/sub/folder]``): its ``config.json``, the
    weights it names and ``MODEL_CARD.md``, downloaded when not cached or
    when the revision moved. Every file comes from the same commit."""
    hf = _client(spec)
    repo_id, revision, sub = parse(spec)
    _fail_fast_when_unreachable(hf, spec, repo_id, sub, revision)
    config = Path(_download(hf, spec, repo_id, sub, CONFIG, revision))
    folder = config.parent
    # the cache keeps a commit's files in snapshots/<commit>/: fetch the rest of that commit, so that
    # the files match even if the branch moves meanwhile, and a cached file needs no request at all
    commit = folder.parents[len(sub.split("/")) - 1].name if sub else folder.name
    if re.fullmatch(r"[0-9a-f]{40}", commit):
        revision = commit
    weights = _weights_name(config)
    if weights:
        _download(hf, spec, repo_id, sub, weights, revision)
    _download(hf, spec, repo_id, sub, CARD, revision, optional=True)  # documentation: loads without it
    return folder


def _weights_name(config):
    """The weights file a config names (a plain file name), else the default."""
    try:
        name = json.loads(config.read_text(encoding="utf-8"))["weights"].get("file", WEIGHTS)
    except (ValueError, KeyError, TypeError, AttributeError):
        return WEIGHTS  # load_config names what is wrong with the config
    return name if isinstance(name, str) and name and Path(name).name == name else None


def _fail_fast_when_unreachable(hf, spec, repo_id, sub, revision):
    """With nothing cached, the client retries an unreachable hub for about
    25 s before it gives up; one quick request tells at once."""
    from huggingface_hub import constants, errors

    where = f"{sub}/{CONFIG}" if sub else CONFIG
    if constants.HF_HUB_OFFLINE or hf.try_to_load_from_cache(repo_id, where, revision=revision) is not None:
        return  # offline, or the client falls back to the cached copy at once
    timeout = constants.HF_HUB_ETAG_TIMEOUT
    if timeout == constants.DEFAULT_ETAG_TIMEOUT:  # unless the user set HF_HUB_ETAG_TIMEOUT
        timeout = ETAG_TIMEOUT
    try:
        hf.get_hf_file_metadata(hf.hf_hub_url(repo_id, where, revision=revision), timeout=timeout)
    except errors.HfHubHTTPError:
        pass  # the hub answered: hf_hub_download says what the answer means
    except Exception as e:  # no answer (refused, timed out, no route, ...)
        raise _not_cached(spec, where) from e


def _not_cached(spec, where):
    from huggingface_hub import constants

    if constants.HF_HUB_OFFLINE:
        why = "HF_HUB_OFFLINE is set, so the hub was not asked"
    else:
        why = f"the hub ({constants.ENDPOINT}) could not be reached"
    return FileNotFoundError(
        f"{spec}: {where} is not in the Hugging Face cache ({constants.HF_HUB_CACHE}) and {why}. "
        "Load it once with network access (HF_HUB_OFFLINE unset) to cache it; later loads work "
        "offline. Or copy the entry folder here and load it by path."
    )


def _download(hf, spec, repo_id, sub, filename, revision, optional=False):
    """The cached path of one file of the entry (None when ``optional`` and
    it is neither on the hub nor cached), or a clear error."""
    from huggingface_hub import constants, errors

    where = f"{sub}/{filename}" if sub else filename
    try:
        return hf.hf_hub_download(
            repo_id, filename, subfolder=sub or None, revision=revision, etag_timeout=ETAG_TIMEOUT,
            library_name="keras_gans", library_version=_version(),
        )
    except errors.HFValidationError as e:
        raise ValueError(f"{spec!r} does not name a hub repository ({e}); expected {_FORM}.") from e
    except errors.RevisionNotFoundError as e:
        raise UnknownEntryError(
            f"Unknown zoo entry {spec!r}: the hub repository {repo_id!r} has no revision {revision!r} "
            "(a branch, tag or commit)."
        ) from e
    except errors.RepositoryNotFoundError as e:  # also private or gated repositories without a token
        raise UnknownEntryError(
            f"Unknown zoo entry {spec!r}: the Hugging Face hub ({constants.ENDPOINT}) has no model "
            f"repository {repo_id!r} that you may read. Check the name; a private or gated repository "
            "needs a token (`hf auth login`, or HF_TOKEN)."
        ) from e
    except errors.EntryNotFoundError as e:  # not in the repository, or offline and not cached
        if optional:
            return None
        if isinstance(e, errors.LocalEntryNotFoundError):
            raise _not_cached(spec, where) from e
        if filename == CONFIG:
            raise UnknownEntryError(
                f"{spec!r} is not a keras_gans zoo entry: the hub repository {repo_id!r} has no {where} "
                f"(revision {revision or 'main'}). An entry folder holds {CONFIG}, {WEIGHTS} and {CARD} "
                "(keras_gans.zoo.save); publish one with `hf upload owner/name DIR`."
            ) from e
        from keras_gans.zoo.integrity import ZooIntegrityError

        raise ZooIntegrityError(
            f"Weights file missing: the hub repository {repo_id!r} has no {where} (named in its {CONFIG})."
        ) from e


def _version():
    from keras_gans import __version__

    return __version__


def cached_repo(path):
    """``(spec, folder)`` when ``path`` lies in the hub's cache: the
    repository's ``hf://`` name and its cache folder; else None."""
    parts = Path(path).parts
    for i, part in enumerate(parts[:-2]):
        if part.startswith("models--") and parts[i + 1] == "snapshots":
            # the hub forbids "--" in names, so the cache's "--" stands for "/"
            return PREFIX + part[len("models--"):].replace("--", "/"), Path(*parts[: i + 1])
    return None
