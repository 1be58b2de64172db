"""The assignment engine on plain data: no database, a fake map of 시군구 codes on a grid.

The map is a 3 × 3 grid of districts 5 km apart ("A1" … "C3") served by two branches
(1 serves columns A and B, 2 serves column C), and a far district "Z9" 60 km away,
served by branch 3, for everything out of reach.
"""

import dataclasses
import math
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assignments.engine import (
    UNASSIGNED_REASONS,
    ConsultantInput,
    CustomerInput,
    Plan,
    PlanParameters,
    Reason,
    greedy_baseline,
    plan,
)

GRID = {f"{column}{row}": (index * 5.0, (row - 1) * 5.0) for index, column in enumerate("ABC") for row in (1, 2, 3)}
GRID["Z9"] = (60.0, 0.0)
CODES = sorted(GRID)
BRANCH_OF = {code: 1 if code[0] in "AB" else 2 for code in GRID} | {"Z9": 3}
SEGMENTS = ("auto", "long_term", "general")


def grid_km(origin: str, destination: str) -> float:
    (x1, y1), (x2, y2) = GRID[origin], GRID[destination]
    return math.hypot(x1 - x2, y1 - y2)


def consultant(consultant_id: int, home: str = "B2", capacity: int = 30, branch_id: int | None = None):
    return ConsultantInput(
        id=consultant_id, branch_id=BRANCH_OF[home] if branch_id is None else branch_id, home=home, capacity=capacity
    )


def customer(customer_id: int, sigungu: str | None = "B2", **fields):
    fields.setdefault("segment", "auto")
    fields.setdefault("premium", 50_000)
    fields.setdefault("branch_id", BRANCH_OF[sigungu] if sigungu else None)
    return CustomerInput(id=customer_id, sigungu=sigungu, **fields)


def make_plan(customers, consultants, **parameters) -> Plan:
    return plan(customers, consultants, distance_km=grid_km, parameters=PlanParameters(**parameters))


def with_current(customers, previous: Plan) -> list[CustomerInput]:
    """Return the book as the next run sees it: each customer with the consultant the plan gave her."""
    return [dataclasses.replace(c, current=previous.placements[c.id].consultant) for c in customers]


def mid_size_book(seed: int, *, customers: int = 1200, consultants: int = 60):
    """Return a random book on a 6 × 6 grid 5 km apart with four branches, and its distance function.

    Capacities follow the ramp-up of new consultants (10, 20, then 30 customers).
    """
    rng = random.Random(seed)
    codes = [f"M{x}{y}" for x in range(6) for y in range(6)]
    branch = {code: 1 + (int(code[1]) >= 3) + 2 * (int(code[2]) >= 3) for code in codes}
    team = []
    for consultant_id in range(1, consultants + 1):
        home = rng.choice(codes)
        team.append(ConsultantInput(consultant_id, branch[home], home, rng.choice((10, 20, 30, 30, 30))))
    book = []
    for customer_id in range(1, customers + 1):
        sigungu = rng.choice(codes)
        book.append(
            CustomerInput(
                id=customer_id,
                sigungu=sigungu,
                segment=rng.choice(SEGMENTS),
                premium=rng.randint(10_000, 300_000),
                branch_id=branch[sigungu],
            )
        )

    def distance_km(origin: str, destination: str) -> float:
        return 5.0 * math.hypot(int(origin[1]) - int(destination[1]), int(origin[2]) - int(destination[2]))

    return book, team, distance_km


@st.composite
def small_books(draw):
    """Draw a small book: up to 6 eligible consultants, ids 7 and 8 standing for ineligible ones."""
    consultant_ids = draw(st.lists(st.integers(1, 6), min_size=1, max_size=6, unique=True))
    team = [
        consultant(consultant_id, home=draw(st.sampled_from(CODES)), capacity=draw(st.integers(0, 5)))
        for consultant_id in consultant_ids
    ]
    anyone = st.integers(1, 8)
    customer_ids = draw(st.lists(st.integers(1, 500), max_size=25, unique=True))
    book = [
        customer(
            customer_id,
            draw(st.sampled_from([*CODES, None])),
            segment=draw(st.sampled_from(SEGMENTS)),
            premium=draw(st.integers(0, 5).map(lambda step: step * 10_000)),
            current=draw(st.none() | anyone),
            pinned=draw(st.none() | anyone),
            refused=draw(st.frozensets(anyone, max_size=2)),
        )
        for customer_id in customer_ids
    ]
    return book, team


def same_plan(first: Plan, second: Plan) -> bool:
    """Return whether two plans are equal apart from the time the solver took."""
    untimed = dataclasses.replace(second.figures, solver_seconds=first.figures.solver_seconds)
    return first.placements == second.placements and first.loads == second.loads and first.figures == untimed


def assert_within_capacity(result: Plan, book, team) -> None:
    """Assert that nobody receives more than her capacity, beyond the customers pinned to her."""
    for member in team:
        mine = [c for c in book if result.placements[c.id].consultant == member.id]
        pinned = [c for c in mine if c.pinned == member.id]
        assert len(mine) - len(pinned) <= max(0, member.capacity - len(pinned))
        assert result.loads[member.id].count == len(mine)


@settings(max_examples=150, deadline=None)
@given(small_books(), st.data())
def test_it_never_exceeds_capacity_and_honours_pins_and_refusals(drawn, data):
    book, team = drawn
    result = make_plan(book, team, max_distance_km=7.5)
    eligible = {member.id for member in team}

    assert set(result.placements) == {c.id for c in book}
    assert_within_capacity(result, book, team)
    for c in book:
        placement = result.placements[c.id]
        assert (Reason.PIN_UNAVAILABLE in placement.notes) == (c.pinned is not None and c.pinned not in eligible)
        if c.pinned in eligible:
            assert (placement.consultant, placement.reason) == (c.pinned, Reason.PINNED)
            continue
        assert (placement.consultant is None) == (placement.reason in UNASSIGNED_REASONS)
        assert placement.consultant not in c.refused
        if placement.consultant is not None:
            assert placement.distance_km <= 7.5 or placement.same_branch
            assert placement.kept == (placement.consultant == c.current)
    figures = result.figures
    assert figures.assigned + sum(figures.unassigned_by_reason.values()) == len(book)

    shuffled = make_plan(data.draw(st.permutations(book)), data.draw(st.permutations(team)), max_distance_km=7.5)
    assert same_plan(shuffled, result)


@settings(max_examples=100, deadline=None)
@given(small_books())
def test_it_keeps_the_greedy_baseline_within_capacity(drawn):
    book, team = drawn
    result = greedy_baseline(book, team, distance_km=grid_km)

    assert set(result.placements) == {c.id for c in book}
    assert_within_capacity(result, book, team)


def test_it_keeps_pins_beyond_capacity_and_gives_that_consultant_nobody_else():
    team = [consultant(1, capacity=2), consultant(2, home="A1")]
    book = [customer(i, pinned=1) for i in (1, 2, 3)] + [customer(4)]

    result = make_plan(book, team)

    assert [result.placements[i].consultant for i in (1, 2, 3)] == [1, 1, 1]
    assert {result.placements[i].reason for i in (1, 2, 3)} == {Reason.PINNED}
    assert result.placements[4].consultant == 2
    assert result.loads[1].count == 3


def test_it_keeps_a_pin_whatever_the_distance_refusal_or_region():
    team = [consultant(1, home="Z9"), consultant(2)]
    book = [customer(1, pinned=1, refused=frozenset({1})), customer(2, None, pinned=1)]

    result = make_plan(book, team)

    assert result.placements[1].consultant == 1
    assert result.placements[1].distance_km == grid_km("B2", "Z9")
    assert result.placements[2].consultant == 1
    assert result.placements[2].distance_km is None


def test_it_plans_a_customer_pinned_to_an_ineligible_consultant_and_notes_it():
    result = make_plan([customer(1, pinned=99)], [consultant(1)])

    placement = result.placements[1]
    assert (placement.consultant, placement.reason) == (1, Reason.ASSIGNED)
    assert placement.notes == (Reason.PIN_UNAVAILABLE,)


def test_it_leaves_a_customer_without_a_region_unassigned():
    result = make_plan([customer(1, None)], [consultant(1)])

    assert (result.placements[1].consultant, result.placements[1].reason) == (None, Reason.REGION_UNKNOWN)
    assert result.figures.unassigned_by_reason == {
        Reason.REGION_UNKNOWN: 1,
        Reason.NO_CONSULTANT_IN_REACH: 0,
        Reason.NO_CAPACITY: 0,
    }


def test_it_says_when_nobody_is_in_reach():
    # Z9 is 60 km from everyone, and its branch (3) has no consultant.
    result = make_plan([customer(1, "Z9")], [consultant(1, home="C2")])

    assert (result.placements[1].consultant, result.placements[1].reason) == (None, Reason.NO_CONSULTANT_IN_REACH)


def test_it_says_when_nobody_in_reach_is_accepted():
    result = make_plan([customer(1, refused=frozenset({1}))], [consultant(1)])

    assert result.placements[1].reason == Reason.NO_CONSULTANT_IN_REACH


def test_it_says_when_the_consultants_in_reach_are_full():
    team = [consultant(1, capacity=1), consultant(2, home="A1", capacity=1), consultant(3, home="Z9", capacity=5)]
    book = [customer(i) for i in (1, 2, 3, 4)]

    result = make_plan(book, team)

    assert sorted(result.placements[i].consultant or 0 for i in (1, 2, 3, 4)) == [0, 0, 1, 2]
    assert result.figures.unassigned_by_reason[Reason.NO_CAPACITY] == 2
    assert result.loads[3].count == 0


def test_it_says_full_when_the_consultant_in_reach_has_no_capacity_at_all():
    result = make_plan([customer(1)], [consultant(1, capacity=0)])

    assert result.placements[1].reason == Reason.NO_CAPACITY


def test_it_reaches_beyond_the_limit_only_for_the_customers_own_branch():
    # Both live 60 km away from Z9; only consultant 2 works at Z9's branch.
    team = [consultant(1, home="C2"), consultant(2, home="C2", branch_id=3)]

    result = make_plan([customer(1, "Z9")], team)

    placement = result.placements[1]
    assert (placement.consultant, placement.same_branch, placement.same_sigungu) == (2, True, False)
    assert placement.distance_km == grid_km("Z9", "C2")


def test_it_does_not_keep_a_current_consultant_out_of_reach():
    team = [consultant(1, home="Z9"), consultant(2)]

    result = make_plan([customer(1, current=1)], team)

    assert (result.placements[1].consultant, result.figures.moved) == (2, 1)


def test_it_draws_who_stays_unassigned_by_lottery_not_by_premium():
    book = [customer(i, premium=10_000 * i) for i in range(1, 5)]

    def unassigned(seed: int) -> frozenset[int]:
        placements = make_plan(book, [consultant(1, capacity=2)], seed=seed).placements
        return frozenset(i for i, placement in placements.items() if placement.consultant is None)

    left_out = {unassigned(seed) for seed in range(10)}

    assert len(left_out) > 1


def test_it_prefers_the_nearest_consultant_and_charges_for_crossing_a_branch():
    # C2 (branch 2) is 5 km from B2, A1 (branch 1, like the customer) 7.1 km but no crossing.
    team = [consultant(1, home="C2"), consultant(2, home="A1"), consultant(3, home="Z9")]

    result = make_plan([customer(1, "B2")], team)

    assert result.placements[1].consultant == 2
    assert result.placements[1].same_branch


def test_it_never_gives_a_customer_a_consultant_she_refused():
    team = [consultant(1), consultant(2, home="A1")]
    book = [customer(i, refused=frozenset({1})) for i in range(1, 6)]

    result = make_plan(book, team)

    assert {result.placements[i].consultant for i in range(1, 6)} == {2}


def test_it_offers_a_customer_her_consultant_did_not_reach_to_another_nearby():
    # Consultant 1 lives in her district; 2 lives 5 km away: a kept customer would stay with 1.
    team = [consultant(1), consultant(2, home="A2")]
    book = [customer(1, current=1, offered_back=True), customer(2, current=1)]

    result = make_plan(book, team)

    assert result.placements[1].consultant == 2
    assert Reason.OFFERED_BACK in result.placements[1].notes
    assert result.placements[2].consultant == 1, "a customer she did reach stays"


def test_it_leaves_an_offered_back_customer_with_her_consultant_rather_than_unassigned():
    team = [consultant(1), consultant(2, home="A2", capacity=0), consultant(3, home="Z9")]

    result = make_plan([customer(1, current=1, offered_back=True)], team)

    assert result.placements[1].consultant == 1
    assert result.figures.moved == 0


def test_it_offers_back_only_as_far_as_the_keep_bonus_turned_round():
    # The other consultant is 10 km away (A1 to C1): within the 60 km the passed-over one
    # is charged, so she moves; with no charge (keep bonus 0) she stays with the nearer.
    team = [consultant(1, home="A1"), consultant(2, home="C1", branch_id=1)]
    book = [customer(1, "A1", current=1, offered_back=True)]

    assert make_plan(book, team).placements[1].consultant == 2
    assert make_plan(book, team, keep_bonus_km=0).placements[1].consultant == 1


def test_it_gives_the_same_plan_whatever_the_order_of_the_input():
    book, team, distance_km = mid_size_book(3, customers=400, consultants=20)
    rng = random.Random(1)
    shuffled_book, shuffled_team = list(book), list(team)
    rng.shuffle(shuffled_book)
    rng.shuffle(shuffled_team)

    first = plan(book, team, distance_km=distance_km)
    second = plan(reversed(shuffled_book), shuffled_team, distance_km=distance_km)

    assert same_plan(first, second)


def test_it_changes_only_ties_with_another_seed():
    # Many customers share a premium, so the seed has ties to settle.
    book = [customer(i, CODES[i % 9], premium=10_000 * (i % 4), segment=SEGMENTS[i % 3]) for i in range(1, 121)]
    team = [consultant(i, home=CODES[i % 9], capacity=20) for i in range(1, 9)]

    first, second = make_plan(book, team, seed=1), make_plan(book, team, seed=2)

    assert first.placements != second.placements

    def shape(result: Plan) -> list[tuple]:
        """Return what each consultant received, blind to which of several equal customers it was."""
        return sorted((result.placements[c.id].consultant, c.sigungu, c.segment, c.premium) for c in book)

    assert shape(first) == shape(second)
    assert first.loads == second.loads


def test_it_moves_nobody_when_run_again_on_its_own_plan():
    book, team, distance_km = mid_size_book(5)
    first = plan(book, team, distance_km=distance_km)

    again = plan(with_current(book, first), team, distance_km=distance_km)

    assert again.figures.moved == 0

    def consultants(result: Plan) -> dict[int, int | None]:
        return {customer_id: placement.consultant for customer_id, placement in result.placements.items()}

    assert consultants(again) == consultants(first)
    assert {p.reason for p in again.placements.values()} == {Reason.KEPT}


def test_it_moves_little_more_than_the_customers_of_a_consultant_who_left():
    """Only her customers need to move; the bound of 3 leaves room for what the rule allows.

    Another customer moves only if that saves more than keep_bonus_km (15 km) of distance
    and load, e.g. to free a place beside the departed consultant's customers. The book
    has room to spare after she leaves, so that is rare: none move on this one. (When
    places run short, the plan does move others in chains to make room rather than leave
    her customers unassigned at 1000 km each.)
    """
    book, team, distance_km = mid_size_book(5, customers=900)
    first = plan(book, team, distance_km=distance_km)
    book = with_current(book, first)
    leaver = max(team, key=lambda member: first.loads[member.id].count)
    hers = {c.id for c in book if c.current == leaver.id}

    after = plan(book, [member for member in team if member is not leaver], distance_km=distance_km)

    moved = {c.id for c in book if c.current is not None and after.placements[c.id].consultant != c.current}
    assert hers <= moved
    assert len(moved) <= len(hers) + 3
    assert after.figures.moved == len(moved)


def test_it_lets_a_consultant_whose_capacity_shrank_keep_her_largest_customers():
    team = [consultant(1, capacity=2), consultant(2, home="A2")]
    book = [customer(i, premium=premium, current=1) for i, premium in ((1, 30_000), (2, 90_000), (3, 60_000))]

    # Load weighed lightly, so that only her shrunken capacity moves anyone.
    result = make_plan(book, team, load_slices=4, load_step_km=3, keep_bonus_km=15)

    assert [result.placements[i].consultant for i in (1, 2, 3)] == [2, 1, 1]
    assert [result.placements[i].reason for i in (1, 2, 3)] == [Reason.ASSIGNED, Reason.KEPT, Reason.KEPT]
    assert (result.figures.moved, result.figures.new) == (1, 0)


def test_it_evens_the_load_of_consultants_at_the_same_distance():
    team = [consultant(1, capacity=30), consultant(2, capacity=30)]

    result = make_plan([customer(i) for i in range(1, 16)], team)

    assert abs(result.loads[1].count - result.loads[2].count) <= 1


def test_it_evens_the_load_as_a_fraction_of_capacity():
    team = [consultant(1, capacity=20), consultant(2, capacity=40)]

    result = make_plan([customer(i) for i in range(1, 31)], team)

    assert (result.loads[1].count, result.loads[2].count) == (10, 20)


def test_it_counts_pinned_customers_in_the_load():
    team = [consultant(1, capacity=30), consultant(2, capacity=30)]
    book = [customer(i, pinned=1) for i in range(1, 7)] + [customer(i) for i in range(7, 21)]

    result = make_plan(book, team)

    assert (result.loads[1].count, result.loads[2].count) == (10, 10)


def test_it_splits_the_product_lines_of_a_district_between_its_consultants():
    team = [consultant(1), consultant(2)]
    book = [customer(i, segment=SEGMENTS[i % 2]) for i in range(1, 21)]

    result = make_plan(book, team)

    for member in team:
        segments = [c.segment for c in book if result.placements[c.id].consultant == member.id]
        assert sorted(segments.count(segment) for segment in SEGMENTS[:2]) == [5, 5]


def test_it_deals_premium_more_evenly_than_a_naive_deal():
    rng = random.Random(11)
    team = [consultant(i) for i in (1, 2, 3)]
    book = [customer(i, premium=int(rng.lognormvariate(11, 1))) for i in range(1, 61)]

    result = make_plan(book, team)

    # The naive deal gives the same number to each, round robin in id order.
    naive = {member.id: 0 for member in team}
    for index, c in enumerate(book):
        naive[team[index % 3].id] += c.premium
    premiums = [result.loads[member.id].premium for member in team]
    assert [result.loads[member.id].count for member in team] == [20, 20, 20]
    assert max(premiums) - min(premiums) < (max(naive.values()) - min(naive.values())) / 5


def test_it_counts_the_figures():
    team = [consultant(1, capacity=2), consultant(2, home="A2", capacity=2)]
    book = [
        customer(1, premium=100, current=1),
        customer(2, premium=300, current=9),
        customer(3, premium=200),
        customer(4, None),
    ]

    result = make_plan(book, team)

    figures = result.figures
    assert (figures.assigned, figures.moved, figures.new) == (3, 1, 1)
    assert figures.unassigned_by_reason[Reason.REGION_UNKNOWN] == 1
    assert figures.total_distance_km == sum(p.distance_km for p in result.placements.values() if p.consultant)
    loads = [result.loads[1], result.loads[2]]
    fractions = [load.count / load.capacity for load in loads]
    mean = sum(fractions) / 2
    assert math.isclose(figures.load_cv, math.sqrt(sum((f - mean) ** 2 for f in fractions) / 2) / mean)
    assert result.loads[1].mean_distance_km == 0.0
    assert figures.solver_seconds >= 0


def test_it_deals_the_greedy_baseline_round_robin_within_the_branch():
    team = [consultant(1, home="A1", capacity=2), consultant(2, home="B3", capacity=3), consultant(3, home="C1")]
    book = [customer(i, "A2") for i in range(1, 7)]

    result = greedy_baseline(book, team, distance_km=grid_km)

    # Branch 1 (consultants 1 and 2) takes turns until 1 is full, then 2 takes what she
    # has room for, then the turn goes round every branch and finds only 3 with room.
    assert [result.placements[i].consultant for i in range(1, 7)] == [1, 2, 1, 2, 2, 3]
    assert result.figures.solver_seconds == 0.0


def test_it_beats_the_greedy_baseline_on_every_figure():
    """Compare the default plan with the round robin the tools in use today run, on a random book.

    The defaults weigh even load heavily (16 slices of 40 km): the plan drives a fraction
    of the baseline's distance and still spreads load and premium more evenly.
    """
    book, team, distance_km = mid_size_book(2)
    baseline = greedy_baseline(book, team, distance_km=distance_km).figures
    result = plan(book, team, distance_km=distance_km).figures

    assert result.total_distance_km < baseline.total_distance_km / 2
    assert result.load_cv < baseline.load_cv
    assert result.premium_cv < baseline.premium_cv
    assert result.assigned == baseline.assigned == len(book)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: make_plan([customer(1), customer(1)], [consultant(1)]), "customer 1 is given twice"),
        (lambda: make_plan([customer(1)], [consultant(1), consultant(1)]), "consultant 1 is given twice"),
        (lambda: make_plan([customer(1)], [consultant(1, capacity=-1)]), "negative capacity"),
        (lambda: PlanParameters(load_slices=0), "load_slices"),
        (lambda: PlanParameters(keep_bonus_km=-1), "keep_bonus_km"),
    ],
    ids=["customer twins", "consultant twins", "negative capacity", "no slices", "negative bonus"],
)
def test_it_refuses_twins_and_impossible_parameters(make, message):
    with pytest.raises(ValueError, match=message):
        make()
