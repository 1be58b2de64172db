"""The curriculum fixtures (a default curriculum, a trainer, a cohort) serve the pool's tests too."""

from curriculum.tests.conftest import cohort, curriculum, tom  # noqa: F401 - shared fixtures
