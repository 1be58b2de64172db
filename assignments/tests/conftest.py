"""Shared data of the pool's tests: the curriculum fixtures, mina, and a graduate released into the pool.

Alice (recruiter) and mina (branch manager) work at 강서, the member's branch; bob manages
another branch; hana is HR; tom is a trainer.
"""

import pytest

from assignments.models import PoolMember
from assignments.services import pool_member_release
from assignments.tests.factories import make_pool_graduate
from core.roles import Role
from curriculum.tests.conftest import cohort, curriculum, tom  # noqa: F401 - shared fixtures
from recruiting.tests.factories import make_staff


@pytest.fixture
def mina(roles, gangseo):
    """Mina manages the 강서 branch, where the pool member works."""
    return make_staff("mina", Role.BRANCH_MANAGER, gangseo)


@pytest.fixture
def member(cohort, hana) -> PoolMember:  # noqa: F811 - the fixture imported above
    """A registered graduate whom HR released into the 강서 pool: active and assignable."""
    enrollment = make_pool_graduate(cohort, 90, actor=hana, registered=True)
    member, _created = pool_member_release(enrollment=enrollment, actor=hana)
    return member
