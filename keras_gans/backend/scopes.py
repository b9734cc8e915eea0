"""Backend-neutral helpers around ``keras.StatelessScope``.

Keras variables read their value from the innermost stateless scope, and a
nested scope does not fall back to the outer one. These helpers open a scope
that inherits the outer mapping, so code inside sees the same variable values
as code outside (on JAX, inside ``fit``, the outer mapping is the only place
the values live), plus any overrides.
"""

import keras
from keras.src.backend.common.stateless_scope import get_stateless_scope


class TrackingScope(keras.StatelessScope):
    """A StatelessScope that also remembers which variables were assigned."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.assigned = {}

    def add_update(self, update):
        variable, _ = update
        self.assigned[id(variable)] = variable
        super().add_update(update)


def inherited_scope(overrides=()):
    """A ``StatelessScope`` that sees the outer scope's values plus ``overrides``.

    ``overrides`` is an iterable of ``(variable, value)``. Assignments made
    inside are recorded in the returned scope's ``state_mapping`` and are not
    applied anywhere unless the caller copies them out.
    """
    outer = get_stateless_scope()
    scope = TrackingScope(state_mapping=list(overrides))
    if outer is not None:
        merged = dict(outer.state_mapping)
        merged.update(scope.state_mapping)
        scope.state_mapping = merged
    return scope


def discard_updates():
    """Run code whose variable assignments (BN statistics, spectral-norm
    vectors, seeds) must not take effect, e.g. the critic pass on
    interpolates inside a gradient penalty. Same semantics on every backend."""
    return inherited_scope()
