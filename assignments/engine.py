"""The assignment engine: who should manage each orphaned customer, as one global plan.

The module is pure on purpose. It takes plain data (the eligible consultants with their
effective capacity, the customers, a distance function between 시군구 codes) and returns
a plain plan, so the run lifecycle can store, preview and compare plans without the
engine ever touching the database, and the tests can check the rules on thousands of
random books in seconds.

How a plan is made:

1. **Pins first.** A customer pinned to an eligible consultant stays with her whatever
   the distance, the refusals or the capacity: a pin is a person's decision and the plan
   never overrides it. Pins count against the consultant's capacity; when her pins
   alone reach it she keeps all of them and receives nobody else. A pin to a consultant
   who is not eligible (on leave, left, not registered) is ignored: the customer is
   planned like any other and her placement carries the note `PIN_UNAVAILABLE`.
2. **Unknown region.** A customer without a 시군구 cannot be placed by distance: she is
   left unassigned with `REGION_UNKNOWN` for a person to decide.
3. **One min-cost flow** over every other customer at once (OR-tools'
   SimpleMinCostFlow), so no early customer takes the consultant a later one needed.
   Customers are aggregated into *hubs*: the same 시군구, serving branch and set of
   refused (eligible) consultants give the same arcs. A hub has an arc to each
   consultant in reach (see `PlanParameters.max_distance_km`) whom its customers did
   not refuse, costing the distance plus the branch-crossing penalty, and an
   "unassigned" arc to the sink. Customers who already have an eligible consultant in
   reach sit in a *keep bucket* (hub × current consultant) with a direct arc to her
   that costs `keep_bonus_km` less, and a free arc into their hub for when they move.
   A customer *offered back* (her consultant did not reach her by the first-contact
   deadline) has no keep bucket, and her consultant costs `keep_bonus_km` more instead.
   Each consultant reaches the sink through one arc per free place of her capacity,
   whose costs rise by `load_step_km` from one of `load_slices` equal slices of her
   capacity to the next, plus a ramp (in all at most the largest capacity in metres) so
   that two consultants otherwise alike end within one customer of each other: slices
   alone only settle the load to within a slice, 8 customers at a capacity of 30. The
   ramp is proportional to load ÷ capacity, so load stays even as a fraction of
   capacity. Negative costs (a keep arc near home) are fine for the solver.
4. **The deal.** The flow says how many customers of each hub go to each consultant;
   which customers those are is free, since they cost the same. A keep bucket gives its
   flow back to the current consultant, largest premium first. In each hub, the
   customers the flow leaves unassigned are drawn by a seeded lottery (never by premium:
   planners already neglect small contracts, the plan must not). Each consultant's share
   of the hub is then split across product lines in proportion, so nobody gets all the
   car policies of a district, and within a product line the customers, largest premium
   first, each go to the consultant with the lowest running premium per place of
   capacity in the whole plan (tie: lowest id), which keeps premium even, in proportion
   to capacity, as well as counts.

A re-run on the plan's own output (each customer's `current` set to her placement) moves
nobody: that plan already had the least cost, and now each of its placements is
`keep_bonus_km` cheaper still. When a consultant leaves, her customers move; another
customer moves only where that saves more than `keep_bonus_km`, which on a book with
room to spare is rare, but when places run short the plan does move others in chains to
make room, since leaving one of hers unassigned costs `unassigned_cost_km`.

The segment is therefore not a dimension of the flow network: no cost depends on it, so
splitting hubs by segment would only multiply arcs and let the solver hand one
consultant a whole product line of a district by chance. Every choice is sorted by ids,
codes and a seeded hash (blake2b, never Python's salted `hash`), so the same input in
any order with the same seed gives the same plan; another seed may only reorder
customers of equal premium and redraw the unassigned lottery.

`greedy_baseline` is what the CRM tools in use do today, kept as the yardstick the
benchmark and the tests compare the plan with.
"""

from __future__ import annotations

import hashlib
import heapq
import statistics
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np
from ortools.graph.python import min_cost_flow

DistanceFunction = Callable[[str, str], float]
"""Return the distance in km between the centres of two 시군구 codes."""

_METRES_PER_KM = 1000


class Reason(StrEnum):
    """Why a customer went where she went; plain strings the caller maps to Korean labels."""

    PINNED = "pinned"
    KEPT = "kept"
    ASSIGNED = "assigned"
    REGION_UNKNOWN = "region_unknown"
    NO_CONSULTANT_IN_REACH = "no_consultant_in_reach"
    NO_CAPACITY = "no_capacity"
    PIN_UNAVAILABLE = "pin_unavailable"
    OFFERED_BACK = "offered_back"


UNASSIGNED_REASONS = (Reason.REGION_UNKNOWN, Reason.NO_CONSULTANT_IN_REACH, Reason.NO_CAPACITY)


@dataclass(frozen=True)
class ConsultantInput:
    """An eligible consultant; `capacity` is effective (ramp-up applied) and `home` a 시군구 code."""

    id: int
    branch_id: int
    home: str
    capacity: int


@dataclass(frozen=True)
class CustomerInput:
    """A customer to place; `segment` is her main product line ("auto", "long_term" or "general").

    `branch_id` is the branch serving her 시군구, `current` the consultant she has now,
    `pinned` the consultant a person pinned her to and `refused` the consultants she
    asked not to have. `offered_back` says her consultant did not reach her by the
    first-contact deadline: she is offered to the others (see `_Network.build`). A 시군구
    code the caller cannot place must be passed as None.
    """

    id: int
    sigungu: str | None
    segment: str
    premium: int
    branch_id: int | None = None
    current: int | None = None
    pinned: int | None = None
    refused: frozenset[int] = frozenset()
    offered_back: bool = False


@dataclass(frozen=True)
class PlanParameters:
    """The knobs of a plan, in km so that people can weigh them against a drive across town.

    `max_distance_km` is the reach: a consultant farther than that from a customer's
    시군구 gets no arc to her, unless the consultant works at the customer's own branch.
    The branch answers for every customer of its 시군구 however far she lives, so its
    consultants may still take her (at the full distance, so the nearest go first)
    rather than leave her with nobody. A customer without a branch has no such
    exception and no crossing penalty. The reach also bounds keep arcs: a current
    consultant who is now out of reach is not kept.

    `load_slices` and `load_step_km` weigh even load against distance. At 4 slices of
    3 km a consultant may sit a slice or more above a neighbour one district (5 km)
    away before a customer is sent across. The defaults, 16 slices of 40 km, keep the
    load nearly even as a share of capacity (coefficient of variation 0.04 on a generated
    book of 20,000 customers, against 0.19 at 4 × 3 km) for about 1.6 times the distance,
    still a fifth of what a round robin drives (bench/assignments.py prints both).
    """

    max_distance_km: float = 30.0
    branch_crossing_penalty_km: float = 10.0
    load_slices: int = 16
    load_step_km: float = 40.0
    keep_bonus_km: float = 60.0
    unassigned_cost_km: float = 1000.0
    seed: int = 0

    def __post_init__(self) -> None:
        if self.max_distance_km < 0:
            raise ValueError("max_distance_km must not be negative")
        if self.load_slices < 1:
            raise ValueError("load_slices must be at least 1")
        for name in ("branch_crossing_penalty_km", "load_step_km", "keep_bonus_km", "unassigned_cost_km"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must not be negative")


@dataclass(frozen=True)
class Placement:
    """Where one customer went and why; `consultant` is None when she stays unassigned."""

    consultant: int | None
    reason: str
    distance_km: float | None
    same_sigungu: bool
    same_branch: bool
    kept: bool
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class ConsultantLoad:
    """What one consultant receives; `mean_distance_km` is None when no customer has a known distance."""

    count: int
    premium: int
    mean_distance_km: float | None
    capacity: int


@dataclass(frozen=True)
class PlanFigures:
    """The numbers a person compares plans by.

    `moved` counts customers who had a consultant and got another one (one who loses
    hers and stays unassigned is counted under her reason instead), `new` those who had
    none and got one. `load_cv` is the coefficient of variation of count ÷ capacity over
    consultants with capacity, `premium_cv` that of the premium total ÷ capacity over
    consultants who received anybody: a consultant who can take twice as many customers
    should hold about twice the premium, as she holds twice the customers.
    """

    assigned: int
    unassigned_by_reason: dict[str, int]
    moved: int
    new: int
    total_distance_km: float
    load_cv: float
    premium_cv: float
    solver_seconds: float


@dataclass(frozen=True)
class Plan:
    """A complete plan: every customer has a placement and every consultant a load."""

    placements: dict[int, Placement]
    loads: dict[int, ConsultantLoad]
    figures: PlanFigures


def plan(
    customers: Iterable[CustomerInput],
    consultants: Iterable[ConsultantInput],
    *,
    distance_km: DistanceFunction,
    parameters: PlanParameters | None = None,
) -> Plan:
    """Return the plan of least total cost for the book; see the module docstring for the rules."""
    parameters = parameters or PlanParameters()
    roster = _roster(consultants)
    ledger = _Ledger(roster, _DistanceCache(distance_km))
    to_plan: list[CustomerInput] = []
    for customer in _book(customers):
        if customer.pinned is not None and customer.pinned in roster:
            ledger.place(customer, customer.pinned, Reason.PINNED)
        elif customer.sigungu is None:
            ledger.leave(customer, Reason.REGION_UNKNOWN)
        else:
            to_plan.append(customer)

    network = _Network(roster, ledger, parameters)
    hubs = network.build(to_plan)
    started = time.perf_counter()
    network.solve()
    solver_seconds = time.perf_counter() - started

    ranks = {customer.id: _seeded_rank(parameters.seed, customer.id) for customer in to_plan}
    for hub in hubs:
        for bucket in hub.keep_buckets:
            bucket.customers.sort(key=lambda customer: _deal_order(customer, ranks))
            kept = network.flow(bucket.keep_arc)
            for customer in bucket.customers[:kept]:
                ledger.place(customer, bucket.consultant, Reason.KEPT)
            hub.arrivals.extend(bucket.customers[kept:])
    for hub in hubs:
        _deal_hub(hub, network, ledger, ranks)
    return ledger.plan(solver_seconds)


def greedy_baseline(
    customers: Iterable[CustomerInput],
    consultants: Iterable[ConsultantInput],
    *,
    distance_km: DistanceFunction,
) -> Plan:
    """Return the plan the CRM tools in use today make (Odoo, Dynamics), to compare plans with.

    They deal customers one by one in id order, round robin over the consultants of the
    customer's branch with capacity caps, or of every branch when hers has nobody with
    room, blind to distance and to whom the customer has now. Pins and refusals are
    honoured as people would by hand, and a customer without a 시군구 is still dealt by
    her branch as those tools do, so the comparison isolates the way of dealing.
    """
    roster = _roster(consultants)
    ledger = _Ledger(roster, _DistanceCache(distance_km))
    to_deal: list[CustomerInput] = []
    for customer in _book(customers):
        if customer.pinned is not None and customer.pinned in roster:
            ledger.place(customer, customer.pinned, Reason.PINNED)
        else:
            to_deal.append(customer)

    by_branch: dict[int, list[int]] = defaultdict(list)
    for consultant in roster.values():
        by_branch[consultant.branch_id].append(consultant.id)
    everyone = list(roster)
    turns: dict[int | None, int] = defaultdict(int)

    def next_in_turn(rotation_key: int | None, rotation: list[int], customer: CustomerInput) -> int | None:
        start = turns[rotation_key]
        for step in range(len(rotation)):
            candidate = rotation[(start + step) % len(rotation)]
            if ledger.room(candidate) > 0 and candidate not in customer.refused:
                turns[rotation_key] = (start + step + 1) % len(rotation)
                return candidate
        return None

    for customer in to_deal:
        chosen = None
        if customer.branch_id in by_branch:
            chosen = next_in_turn(customer.branch_id, by_branch[customer.branch_id], customer)
        if chosen is None:
            chosen = next_in_turn(None, everyone, customer)
        if chosen is None:
            ledger.leave(customer, Reason.NO_CAPACITY)
        else:
            ledger.place(customer, chosen, Reason.KEPT if chosen == customer.current else Reason.ASSIGNED)
    return ledger.plan(solver_seconds=0.0)


def _roster(consultants: Iterable[ConsultantInput]) -> dict[int, ConsultantInput]:
    """Return the consultants by id in id order, refusing twins and negative capacities."""
    roster: dict[int, ConsultantInput] = {}
    for consultant in sorted(consultants, key=lambda consultant: consultant.id):
        if consultant.id in roster:
            raise ValueError(f"consultant {consultant.id} is given twice")
        if consultant.capacity < 0:
            raise ValueError(f"consultant {consultant.id} has a negative capacity")
        roster[consultant.id] = consultant
    return roster


def _book(customers: Iterable[CustomerInput]) -> list[CustomerInput]:
    """Return the customers in id order, refusing twins, so that input order never matters."""
    book = sorted(customers, key=lambda customer: customer.id)
    for before, after in zip(book, book[1:], strict=False):
        if before.id == after.id:
            raise ValueError(f"customer {after.id} is given twice")
    return book


def _seeded_rank(seed: int, customer_id: int) -> int:
    """Return a stable pseudo-random rank; Python's `hash` changes between processes."""
    digest = hashlib.blake2b(f"{seed}:{customer_id}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big")


def _deal_order(customer: CustomerInput, ranks: dict[int, int]) -> tuple[int, int, int]:
    """Return the dealing order: largest premium first, equal premiums in seeded order."""
    return (-customer.premium, ranks[customer.id], customer.id)


def _metres(km: float) -> int:
    return round(km * _METRES_PER_KM)


class _DistanceCache:
    """Ask the injected distance function once per pair of codes; a book repeats them endlessly."""

    def __init__(self, distance_km: DistanceFunction) -> None:
        self._distance_km = distance_km
        self._known: dict[tuple[str, str], float] = {}

    def __call__(self, origin: str, destination: str) -> float:
        pair = (origin, destination)
        if pair not in self._known:
            self._known[pair] = float(self._distance_km(origin, destination))
        return self._known[pair]


class _Ledger:
    """The plan as it is written: placements, and each consultant's running totals."""

    def __init__(self, roster: dict[int, ConsultantInput], distances: _DistanceCache) -> None:
        self.roster = roster
        self.distances = distances
        self.placements: dict[int, Placement] = {}
        self.customers: dict[int, CustomerInput] = {}
        self.count: dict[int, int] = dict.fromkeys(roster, 0)
        self.premium: dict[int, int] = dict.fromkeys(roster, 0)
        self.segment_count: dict[tuple[int, str], int] = defaultdict(int)
        self._distance_sum: dict[int, float] = dict.fromkeys(roster, 0.0)
        self._distance_count: dict[int, int] = dict.fromkeys(roster, 0)

    def premium_per_place(self, consultant_id: int) -> float:
        """Return her running premium ÷ her capacity (only consultants with capacity receive a share)."""
        return self.premium[consultant_id] / self.roster[consultant_id].capacity

    def room(self, consultant_id: int) -> int:
        return max(0, self.roster[consultant_id].capacity - self.count[consultant_id])

    def place(self, customer: CustomerInput, consultant_id: int, reason: Reason) -> None:
        consultant = self.roster[consultant_id]
        distance = None if customer.sigungu is None else self.distances(customer.sigungu, consultant.home)
        self._write(
            customer,
            Placement(
                consultant=consultant_id,
                reason=reason,
                distance_km=distance,
                same_sigungu=customer.sigungu == consultant.home,
                same_branch=customer.branch_id == consultant.branch_id,
                kept=customer.current == consultant_id,
                notes=self._notes(customer),
            ),
        )
        self.count[consultant_id] += 1
        self.premium[consultant_id] += customer.premium
        self.segment_count[consultant_id, customer.segment] += 1
        if distance is not None:
            self._distance_sum[consultant_id] += distance
            self._distance_count[consultant_id] += 1

    def leave(self, customer: CustomerInput, reason: Reason) -> None:
        placement = Placement(
            consultant=None,
            reason=reason,
            distance_km=None,
            same_sigungu=False,
            same_branch=False,
            kept=False,
            notes=self._notes(customer),
        )
        self._write(customer, placement)

    def _notes(self, customer: CustomerInput) -> tuple[str, ...]:
        notes = []
        if customer.pinned is not None and customer.pinned not in self.roster:
            notes.append(Reason.PIN_UNAVAILABLE)
        if customer.offered_back:
            notes.append(Reason.OFFERED_BACK)
        return tuple(notes)

    def _write(self, customer: CustomerInput, placement: Placement) -> None:
        self.customers[customer.id] = customer
        self.placements[customer.id] = placement

    def plan(self, solver_seconds: float) -> Plan:
        loads = {
            consultant_id: ConsultantLoad(
                count=self.count[consultant_id],
                premium=self.premium[consultant_id],
                mean_distance_km=(
                    self._distance_sum[consultant_id] / self._distance_count[consultant_id]
                    if self._distance_count[consultant_id]
                    else None
                ),
                capacity=consultant.capacity,
            )
            for consultant_id, consultant in self.roster.items()
        }
        placements = dict(sorted(self.placements.items()))
        return Plan(placements=placements, loads=loads, figures=self._figures(placements, loads, solver_seconds))

    def _figures(
        self, placements: dict[int, Placement], loads: dict[int, ConsultantLoad], solver_seconds: float
    ) -> PlanFigures:
        unassigned = {reason.value: 0 for reason in UNASSIGNED_REASONS}
        assigned = moved = new = 0
        total_distance = 0.0
        for customer_id, placement in placements.items():
            if placement.consultant is None:
                unassigned[placement.reason] += 1
                continue
            assigned += 1
            current = self.customers[customer_id].current
            if current is None:
                new += 1
            elif current != placement.consultant:
                moved += 1
            if placement.distance_km is not None:
                total_distance += placement.distance_km
        return PlanFigures(
            assigned=assigned,
            unassigned_by_reason=unassigned,
            moved=moved,
            new=new,
            total_distance_km=round(total_distance, 3),
            load_cv=_coefficient_of_variation(
                [load.count / load.capacity for load in loads.values() if load.capacity > 0]
            ),
            premium_cv=_coefficient_of_variation(
                [load.premium / load.capacity for load in loads.values() if load.count > 0 and load.capacity > 0]
            ),
            solver_seconds=solver_seconds,
        )


def _coefficient_of_variation(values: list[float]) -> float:
    if not values:
        return 0.0
    mean = statistics.fmean(values)
    return statistics.pstdev(values) / mean if mean else 0.0


@dataclass
class _KeepBucket:
    """Customers of one hub who have the same eligible consultant in reach now."""

    consultant: int
    customers: list[CustomerInput]
    node: int = -1
    keep_arc: int = -1


@dataclass
class _Hub:
    """Customers who share every arc: same 시군구, serving branch, refused and passed-over consultants."""

    sigungu: str
    branch_id: int | None
    refused: frozenset[int]
    passed_over: int | None = None
    """The consultant who did not reach these offered-back customers in time."""
    customers: list[CustomerInput] = field(default_factory=list)
    node: int = -1
    in_reach: bool = False
    arcs: dict[int, int] = field(default_factory=dict)
    """Arc index of each consultant this hub may send customers to."""
    unassigned_arc: int = -1
    keep_buckets: list[_KeepBucket] = field(default_factory=list)
    arrivals: list[CustomerInput] = field(default_factory=list)
    """The customers the hub deals: those without a keep bucket, then those their bucket did not keep."""


class _Network:
    """The min-cost flow: hubs and keep buckets → consultants → sink, all costs in metres."""

    _SINK = 0

    def __init__(self, roster: dict[int, ConsultantInput], ledger: _Ledger, parameters: PlanParameters) -> None:
        self.roster = roster
        self.ledger = ledger
        self.parameters = parameters
        self.consultant_node = {consultant_id: index + 1 for index, consultant_id in enumerate(roster)}
        self._next_node = len(roster) + 1
        self._tails: list[int] = []
        self._heads: list[int] = []
        self._capacities: list[int] = []
        self._costs: list[int] = []
        self._supplies: dict[int, int] = {}
        self._flows = np.zeros(0, dtype=np.int64)
        self._reach_cache: dict[tuple[str, int | None], list[tuple[int, int]]] = {}
        self._largest_capacity = max((consultant.capacity for consultant in roster.values()), default=0)

    def build(self, customers: list[CustomerInput]) -> list[_Hub]:
        """Lay out every node and arc in a sorted order: the solver breaks ties by that order."""
        hubs_by_key: dict[tuple, _Hub] = {}
        for customer in customers:
            refused = frozenset(customer.refused & self.roster.keys())
            # An offered-back customer loses her keep arc, and her consultant counts as
            # `keep_bonus_km` farther away than she is: the keep bonus turned round. She
            # goes to another consultant in reach unless they all carry more load than
            # that, and never ends unassigned for it (the unassigned arc costs far more).
            passed_over = customer.current if customer.offered_back and customer.current in self.roster else None
            key = (
                customer.sigungu,
                customer.branch_id is None,
                customer.branch_id or 0,
                tuple(sorted(refused)),
                passed_over or 0,
            )
            hub = hubs_by_key.get(key)
            if hub is None:
                hub = hubs_by_key[key] = _Hub(
                    sigungu=customer.sigungu, branch_id=customer.branch_id, refused=refused, passed_over=passed_over
                )
            hub.customers.append(customer)
        hubs = [hubs_by_key[key] for key in sorted(hubs_by_key)]
        for hub in hubs:
            self._add_hub(hub)
        for consultant_id in self.roster:
            self._add_load_arcs(consultant_id)
        self._supplies[self._SINK] = -sum(self._supplies.values())
        return hubs

    def _add_hub(self, hub: _Hub) -> None:
        parameters = self.parameters
        hub.node = self._new_node()
        size = len(hub.customers)
        costs: dict[int, int] = {}
        for consultant_id, cost in self._reach(hub.sigungu, hub.branch_id):
            if consultant_id in hub.refused:
                continue
            hub.in_reach = True
            if consultant_id == hub.passed_over:
                cost += _metres(parameters.keep_bonus_km)
            if self.ledger.room(consultant_id) > 0:
                costs[consultant_id] = cost
                hub.arcs[consultant_id] = self._add_arc(hub.node, self.consultant_node[consultant_id], size, cost)
        hub.unassigned_arc = self._add_arc(hub.node, self._SINK, size, _metres(parameters.unassigned_cost_km))

        keepers: dict[int, list[CustomerInput]] = defaultdict(list)
        for customer in hub.customers:
            if customer.current in costs and customer.current != hub.passed_over:
                keepers[customer.current].append(customer)
            else:
                hub.arrivals.append(customer)
        self._supplies[hub.node] = len(hub.arrivals)
        for consultant_id in sorted(keepers):
            bucket = _KeepBucket(consultant=consultant_id, customers=keepers[consultant_id])
            bucket.node = self._new_node()
            bucket_size = len(bucket.customers)
            self._supplies[bucket.node] = bucket_size
            keep_cost = costs[consultant_id] - _metres(parameters.keep_bonus_km)
            bucket.keep_arc = self._add_arc(bucket.node, self.consultant_node[consultant_id], bucket_size, keep_cost)
            self._add_arc(bucket.node, hub.node, bucket_size, 0)
            hub.keep_buckets.append(bucket)

    def _reach(self, sigungu: str, branch_id: int | None) -> list[tuple[int, int]]:
        """Return (consultant, cost in metres) for every consultant in reach of a 시군구 served by a branch."""
        key = (sigungu, branch_id)
        if key not in self._reach_cache:
            parameters = self.parameters
            reach = []
            for consultant_id, consultant in self.roster.items():
                distance = self.ledger.distances(sigungu, consultant.home)
                own_branch = branch_id is not None and consultant.branch_id == branch_id
                if distance <= parameters.max_distance_km or own_branch:
                    crossing = 0.0 if own_branch or branch_id is None else parameters.branch_crossing_penalty_km
                    reach.append((consultant_id, _metres(distance + crossing)))
            self._reach_cache[key] = reach
        return self._reach_cache[key]

    def _add_load_arcs(self, consultant_id: int) -> None:
        """Give each free place of her capacity an arc to the sink, dearer as she fills up.

        The places her pins take are the cheapest ones, so pinned load counts against
        the slices as any other. The ramp (at most the largest capacity in metres) only
        settles ties between consultants otherwise alike, in favour of the emptier one.
        """
        capacity = self.roster[consultant_id].capacity
        if capacity == 0:
            return
        largest = self._largest_capacity
        step = _metres(self.parameters.load_step_km)
        slices = self.parameters.load_slices
        node = self.consultant_node[consultant_id]
        for place in range(self.ledger.count[consultant_id], capacity):
            cost = step * (place * slices // capacity) + place * largest // capacity
            self._add_arc(node, self._SINK, 1, cost)

    def _new_node(self) -> int:
        node = self._next_node
        self._next_node += 1
        return node

    def _add_arc(self, tail: int, head: int, capacity: int, cost: int) -> int:
        self._tails.append(tail)
        self._heads.append(head)
        self._capacities.append(capacity)
        self._costs.append(cost)
        return len(self._tails) - 1

    def solve(self) -> None:
        solver = min_cost_flow.SimpleMinCostFlow()
        if self._tails:
            solver.add_arcs_with_capacity_and_unit_cost(
                np.array(self._tails, dtype=np.int32),
                np.array(self._heads, dtype=np.int32),
                np.array(self._capacities, dtype=np.int64),
                np.array(self._costs, dtype=np.int64),
            )
        nodes = sorted(self._supplies)
        solver.set_nodes_supplies(
            np.array(nodes, dtype=np.int32), np.array([self._supplies[node] for node in nodes], dtype=np.int64)
        )
        status = solver.solve()
        # Every customer has an unassigned arc, so the problem is always feasible: any
        # other status is a defect (an overflow, a bad arc), never a plan to show.
        if status != solver.OPTIMAL:
            raise RuntimeError(f"the assignment flow could not be solved: {status.name}")
        if self._tails:
            self._flows = solver.flows(np.arange(len(self._tails)))

    def flow(self, arc: int) -> int:
        return int(self._flows[arc])


def _deal_hub(hub: _Hub, network: _Network, ledger: _Ledger, ranks: dict[int, int]) -> None:
    """Give the hub's customers to the consultants its flow went to, as evenly in premium as may be."""
    unassigned = network.flow(hub.unassigned_arc)
    lottery = sorted(hub.arrivals, key=lambda customer: (ranks[customer.id], customer.id))
    placed, left = lottery[: len(lottery) - unassigned], lottery[len(lottery) - unassigned :]
    reason = Reason.NO_CAPACITY if hub.in_reach else Reason.NO_CONSULTANT_IN_REACH
    for customer in left:
        ledger.leave(customer, reason)

    quotas = {consultant_id: quota for consultant_id, arc in hub.arcs.items() if (quota := network.flow(arc))}
    by_segment: dict[str, list[CustomerInput]] = defaultdict(list)
    for customer in placed:
        by_segment[customer.segment].append(customer)
    for segment in sorted(by_segment):
        segment_customers = sorted(by_segment[segment], key=lambda customer: _deal_order(customer, ranks))
        shares = _segment_shares(quotas, len(segment_customers), segment, ledger)
        # A heap of (running premium per place, id) hands each customer to the poorest
        # consultant still owed a share; only the one just served changes, so the heap stays true.
        poorest = [(ledger.premium_per_place(consultant_id), consultant_id) for consultant_id in shares]
        heapq.heapify(poorest)
        for customer in segment_customers:
            _premium, consultant_id = heapq.heappop(poorest)
            ledger.place(customer, consultant_id, Reason.KEPT if customer.current == consultant_id else Reason.ASSIGNED)
            shares[consultant_id] -= 1
            quotas[consultant_id] -= 1
            if shares[consultant_id]:
                heapq.heappush(poorest, (ledger.premium_per_place(consultant_id), consultant_id))


def _segment_shares(quotas: dict[int, int], count: int, segment: str, ledger: _Ledger) -> dict[int, int]:
    """Return how many of `count` customers of a segment each consultant takes, in proportion to her quota.

    Largest remainders settle the rounding, first for whoever has the fewest customers of
    this segment in the whole plan so far. Taken segment by segment from what is left,
    the last segment takes exactly what remains, so every quota is met.
    """
    open_quotas = {consultant_id: quota for consultant_id, quota in quotas.items() if quota > 0}
    total = sum(open_quotas.values())
    shares = {consultant_id: count * quota // total for consultant_id, quota in open_quotas.items()}
    remainders = sorted(
        open_quotas,
        key=lambda consultant_id: (
            -(count * open_quotas[consultant_id] % total),
            ledger.segment_count[consultant_id, segment],
            consultant_id,
        ),
    )
    for consultant_id in remainders[: count - sum(shares.values())]:
        shares[consultant_id] += 1
    return {consultant_id: share for consultant_id, share in shares.items() if share > 0}
