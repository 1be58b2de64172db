"""Shared data of the curriculum tests: the default curriculum, a trainer and a cohort."""

import pytest

from core.roles import Role
from curriculum.models import Cohort, Curriculum
from curriculum.services import curriculum_install_default
from curriculum.tests.factories import COHORT_STARTS
from recruiting.tests.factories import make_staff


@pytest.fixture
def curriculum(db) -> Curriculum:
    curriculum_install_default()
    return Curriculum.objects.get()


@pytest.fixture
def tom(roles):
    """Tom is a trainer."""
    return make_staff("tom", Role.TRAINER)


@pytest.fixture
def cohort(curriculum, gangseo, open_round, tom) -> Cohort:
    cohort = Cohort.objects.create(
        number=7, branch=gangseo, curriculum=curriculum, round=open_round, starts_on=COHORT_STARTS, capacity=3
    )
    cohort.trainers.add(tom)
    return cohort
