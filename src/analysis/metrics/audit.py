"""Linear-programming audit of suppressed count tables (as τ-ARGUS's audit, sdcTable's `attack`).

Every published number is a *cell* with what readers see: the number, '<k' (they know it is
1..k-1) or 'x' (hidden; since small counts always show as '<k', an 'x' is 0 or at least k).
*Relations* are what every reader knows links cells: a total is the sum of its parts,
effective + uncovered = workers, effective ≤ registered ≤ workers. The same number in two
tables (a kecamatan total in the kelurahan and the kecamatan table) is one cell, and a number
that a relation needs but no table publishes is an unknown ≥ 0 (`FREE`). `audit` computes
for every hidden cell the integer range an attacker derives from all of it (minimum and
maximum by linear programming with HiGHS: LPs warm-started in one model (`_WarmLP`), integer
programmes through `scipy.optimize.milp`), and `widen` hides
more cells until no '<k' cell is pinned to one value (docs/facts.md §6: τ-ARGUS protection
intervals and audit, sdcTable `protectTable`/`attack`).

Method, briefly: hidden cells are split into groups that share no relation, and one LP
optimises one target cell of every group at once (the objective is separable), so the number
of solves is about twice the largest group. LP bounds are rounded inwards (valid for integer
counts); the 'x is 0 or ≥ k' knowledge, which is not convex, is applied as bounds until
nothing changes, and `exact=True` solves the integer programme with it exactly. `widen` finds,
for each weak cell, the cheapest integer change of the whole table that keeps every relation
and everything readers know and moves the weak cell one step beyond its range; hiding the
shown cells that change is enough (the changed table is then as consistent with the page as
the true one). `Universe` (in `analysis.metrics.universe`) builds problems from the
project's tables.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
from highspy import _core  # HiGHS without its Python wrapper, which prints a banner (_WarmLP)
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse.csgraph import connected_components

from analysis.metrics.disclosure import PRIMARY, SECONDARY, SHOWN

#: A number some relation needs but no published table shows: an unknown ≥ 0.
FREE = 3
#: Cell flags of the group rule (see `Problem.add`).
KEEP, ZERO_OK = 1, 2
TOL = 1e-6
# integer optima exactly (HiGHS's default relative gap could be off by one on large totals)
MIP = {"mip_rel_gap": 0.0}


@dataclass
class Problem:
    """Published cells (name, value, status) and the linear relations readers know.

    A value may be None for a hidden or unpublished cell when only the attacker's view is
    known (the report's audit, built from what the pages published); `widen` needs them all."""

    min_cell: int = 5
    small_marked: bool = True  # '<k' and 'x' differ: readers know an 'x' is 0 or ≥ min_cell
    names: list = field(default_factory=list)
    values: list = field(default_factory=list)
    status: list[int] = field(default_factory=list)
    relations: list[tuple[dict[int, float], bool]] = field(default_factory=list)  # Σ c·x = 0 / ≤ 0
    index: dict = field(default_factory=dict)
    keep: set[int] = field(default_factory=set)  # hidden cells of the group rule: never pinned
    zero_ok: set[int] = field(default_factory=set)  # '<k' cells that may be 0 (the group rule)

    def add(self, name, value: int | None, status: int | None = None, flag: int = 0) -> int:
        """Add a cell; status None applies the primary rule (1..min_cell-1 hidden as '<k').

        `flag` (the group rule): KEEP, a hidden cell that must not be pinned either; ZERO_OK,
        a '<k' that may be 0 (a small group's 'none' is shown as 'fewer than k')."""
        if value is None and status in (None, SHOWN):
            raise ValueError(f"cell {name!r}: a shown cell needs its value")
        value = None if value is None else int(value)
        small = value is not None and (value > 0 or flag == ZERO_OK) and value < self.min_cell
        status = (PRIMARY if small else SHOWN) if status is None else int(status)
        wrong = value is not None and (
            (status == PRIMARY and not small)
            or (small and status == SHOWN)
            or (self.small_marked and status == SECONDARY and small)  # readers would know wrong
        )
        if name in self.index or (value is not None and value < 0) or wrong:
            raise ValueError(f"cell {name!r}: duplicate, negative, or status {status} for {value}")
        self.index[name] = len(self.names)
        self.names.append(name)
        self.values.append(value)
        self.status.append(status)
        i = self.index[name]
        if flag:
            self.keep.add(i)
        if flag == ZERO_OK:
            self.zero_ok.add(i)
        return i

    def cell(self, name) -> int:
        """Index of a cell by name."""
        return self.index[name]

    def relate(self, coefs: dict, le: bool = False) -> None:
        """Publish Σ coef·cell = 0 (or ≤ 0 when `le`), keys are cell names; checked on the true
        values when all of them are known."""
        terms: dict[int, float] = {}
        for name, c in coefs.items():
            terms[self.cell(name)] = terms.get(self.cell(name), 0.0) + c
        if all(self.values[i] is not None for i in terms):
            lhs = sum(c * self.values[i] for i, c in terms.items())
            if lhs > TOL or (not le and lhs < -TOL):
                raise ValueError(f"relation does not hold on the true values: {coefs}")
        self.relations.append((terms, le))

    def add_sum(self, parts, total) -> None:
        """Publish that cell `total` is the sum of cells `parts`."""
        coefs: dict = {total: -1.0}
        for p in parts:
            coefs[p] = coefs.get(p, 0.0) + 1.0
        self.relate(coefs)

    def add_le(self, small, big) -> None:
        """Publish that cell `small` is at most cell `big`."""
        self.relate({small: 1.0, big: -1.0}, le=True)

    def hide(self, names) -> Problem:
        """A copy with these shown cells hidden as 'x' (a what-if; cells and relations shared)."""
        cells = {self.cell(n) for n in names}
        status = [SECONDARY if i in cells and s == SHOWN else s for i, s in enumerate(self.status)]
        return replace(self, status=status)


@dataclass(frozen=True)
class Rule:
    """When a hidden cell counts as protected. The default is sdcTable attack()'s test (upper
    bound above lower bound), on integer ranges: no '<k' cell may be pinned to one value."""

    min_width: int = 1  # a '<k' cell's integer range must satisfy high - low >= min_width
    strict_x: bool = False  # also fail 'x' cells that can be worked out exactly (default: report)


@dataclass
class AuditResult:
    """Per hidden cell: name, value, status, low, high (integer range), reason, weak."""

    ranges: pd.DataFrame
    solves: int
    components: int
    seconds: float

    @property
    def weak(self) -> pd.DataFrame:
        return self.ranges[self.ranges["weak"]]

    @property
    def ok(self) -> bool:
        return not self.ranges["weak"].any()

    @property
    def hidden(self) -> pd.DataFrame:
        """The published hidden cells ('<k' and 'x'), without the unpublished unknowns."""
        return self.ranges[self.ranges["status"].isin([PRIMARY, SECONDARY])]


def _matrix(p: Problem) -> tuple[sparse.csr_matrix, np.ndarray]:
    """Relations as a sparse matrix (rows) and which rows are inequalities."""
    rows, cols, data = [], [], []
    for r, (terms, _le) in enumerate(p.relations):
        rows += [r] * len(terms)
        cols += list(terms)
        data += list(terms.values())
    shape = (len(p.relations), len(p.names))
    m = sparse.csr_matrix((data, (rows, cols)), shape=shape, dtype=float)
    return m, np.array([le for _t, le in p.relations], dtype=bool)


def _ranges(A, lower, upper, lo, hi, comp, k=0, x_cells=None, exact=False, targets=None):
    """Integer [low, high] of every target variable over lower ≤ A·v ≤ upper, lo ≤ v ≤ hi.

    Variables of different components share no relation, so one LP optimises one variable of each
    component at once; a side that some solution already reached is not solved. exact: integer
    values and each `x_cells` variable 0 or ≥ k (binary z: k·z ≤ v ≤ hi·z). Variables that are
    not `targets` keep their bounds as ranges (they are optimised only as part of others)."""
    n = A.shape[1]
    targets = np.ones(n, bool) if targets is None else targets
    ints, cons, vlo, vhi = np.zeros(n), [LinearConstraint(A, lower, upper)], lo, hi
    if exact:
        xs = np.flatnonzero(x_cells)
        d = len(xs)
        e = sparse.csr_matrix((np.ones(d), (np.arange(d), xs)), shape=(d, n))
        cons = [
            LinearConstraint(sparse.hstack([A, sparse.csr_matrix((A.shape[0], d))]), lower, upper),
            LinearConstraint(sparse.hstack([e, -k * sparse.eye(d)]), 0, np.inf),
            LinearConstraint(sparse.hstack([e, -sparse.diags(hi[xs])]), -np.inf, 0),
        ]
        ints, vlo, vhi = np.ones(n + d), np.r_[lo, np.zeros(d)], np.r_[hi, np.ones(d)]
    seen_lo, seen_hi, solves = np.full(n, np.inf), np.full(n, -np.inf), 0
    lp = None if exact else _WarmLP(A, lower, upper, lo, hi)

    def solve(c: np.ndarray) -> np.ndarray:
        """Optimise c over every component at once (the others have no cost and any value);
        every variable's value, each a feasible value seen."""
        nonlocal solves
        solves += 1
        if lp is not None:
            x = lp.solve(c)
        else:
            c = np.r_[c, np.zeros(len(vlo) - n)]
            res = milp(c, integrality=ints, bounds=Bounds(vlo, vhi), constraints=cons, options=MIP)
            if res.status != 0:
                raise ValueError(f"published figures inconsistent, or solver failed: {res.message}")
            x = res.x[:n]
        np.minimum(seen_lo, x, out=seen_lo)
        np.maximum(seen_hi, x, out=seen_hi)
        return x

    solve(np.where(targets, 1.0, 0.0))
    solve(np.where(targets, -1.0, 0.0))
    low, high = lo.astype(float), hi.astype(float)
    order = np.argsort(comp, kind="stable")
    queues = [
        [(i, s) for s in (1, -1) for i in g if targets[i]]
        for g in np.split(order, np.flatnonzero(np.diff(comp[order])) + 1)
    ]
    heads = [0] * len(queues)
    while True:
        c, picked = np.zeros(n), []
        for q, queue in enumerate(queues):
            while heads[q] < len(queue):
                i, s = queue[heads[q]]
                heads[q] += 1
                if seen_lo[i] > low[i] + TOL if s > 0 else seen_hi[i] < high[i] - TOL:
                    c[i] = s
                    picked.append((i, s))
                    break
        if not picked:
            return np.ceil(low - TOL) + 0.0, np.floor(high + TOL) + 0.0, solves
        x = solve(c)
        for i, s in picked:
            (low if s > 0 else high)[i] = x[i]


class _WarmLP:
    """One LP model solved for objective after objective, each simplex starting from the last
    optimal basis (a few pivots instead of a fresh solve: thousands of solves on a kabupaten's
    hundreds of desa). The HiGHS solver itself; its Python wrapper prints a licence banner on
    the process's standard output, which a notebook would show."""

    def __init__(self, A, lower, upper, lo, hi):
        A = sparse.csc_matrix(A)
        model = _core.HighsLp()
        model.num_col_, model.num_row_ = A.shape[1], A.shape[0]
        model.col_cost_, model.col_lower_, model.col_upper_ = np.zeros(A.shape[1]), lo, hi
        model.row_lower_, model.row_upper_ = lower, upper
        model.a_matrix_.format_ = _core.MatrixFormat.kColwise
        model.a_matrix_.start_, model.a_matrix_.index_ = A.indptr, A.indices
        model.a_matrix_.value_ = A.data
        self.h, self.cols = _core._Highs(), np.arange(A.shape[1], dtype=np.int32)
        self.h.setOptionValue("output_flag", False)
        self.h.setOptionValue("presolve", "off")  # keeps the basis between solves
        self.h.setOptionValue("simplex_strategy", 4)  # primal: the last basis stays feasible
        self.h.passModel(model)

    def solve(self, c: np.ndarray) -> np.ndarray:
        """Minimise c·v; the optimal v (ValueError when there is none)."""
        self.h.changeColsCost(len(c), self.cols, np.asarray(c, float))
        self.h.run()
        status = self.h.getModelStatus()
        if status != _core.HighsModelStatus.kOptimal:
            raise ValueError(f"published figures inconsistent, or solver failed: {status}")
        return np.asarray(self.h.getSolution().col_value)


def _groups(p: Problem, R, status):
    """Hidden and unknown cells split into groups sharing no relation (shown cells are constants)."""
    hidden = np.flatnonzero(status > 0)
    m = R.shape[0]
    Rh = R[:, hidden].tocsr()
    graph = sparse.bmat([[sparse.csr_matrix((m, m)), abs(Rh)], [abs(Rh).T, None]], format="csr")
    _n, labels = connected_components(graph, directed=False)
    row_lab = np.where(np.diff(Rh.indptr) > 0, labels[:m], -1)  # rows without hidden cells: none
    cell_lab = labels[m:]
    order = np.argsort(cell_lab, kind="stable")
    groups = np.split(order, np.flatnonzero(np.diff(cell_lab[order])) + 1) if len(hidden) else []
    return hidden, Rh, row_lab, cell_lab, groups


def audit(
    problem: Problem, rule: Rule = Rule(), exact: bool = False, cache: dict | None = None
) -> AuditResult:
    """Attacker's integer range of every hidden cell, per connected group of hidden cells.

    exact=False: LP relaxation, plus the '0 or ≥ k' knowledge of 'x' cells applied as bounds until
    nothing changes (an 'x' known ≥ 1 is ≥ k; one known < k is 0). exact=True: then an integer
    program with that knowledge exact. Both are valid attacks; exact can only be narrower.
    `cache` (a dict kept between calls on one problem's variants) skips unchanged groups."""
    start, p, cache = time.perf_counter(), problem, {} if cache is None else cache
    k, status = p.min_cell, np.array(p.status)
    values = np.array([np.nan if v is None else v for v in p.values], float)
    R, le = _matrix(p)
    hidden, Rh, row_lab, cell_lab, groups = _groups(p, R, status)
    shown = status == SHOWN
    rhs = -(R[:, shown] @ values[shown])
    keys = [(tuple(hidden[g]), exact, p.small_marked) for g in groups]
    todo = [q for q, key in enumerate(keys) if key not in cache]
    solves = 0
    if todo:
        cols = np.concatenate([groups[q] for q in todo])
        comp = np.concatenate([np.full(len(groups[q]), q) for q in todo])
        rows = np.flatnonzero(np.isin(row_lab, cell_lab[cols]))
        lab_to_q = {cell_lab[groups[q][0]]: q for q in todo}
        row_comp = np.array([lab_to_q[lab] for lab in row_lab[rows]], dtype=int)
        # an upper bound for cells nothing bounds: far above any bounded value (a sum of shown and
        # '<k' cells); a range reaching past half of it is reported as unbounded
        cap = 100.0 * (np.nansum(values[shown]) + k * len(hidden)) + 1e6
        A, b, st = Rh[rows][:, cols], rhs[rows], status[hidden[cols]]
        zero = np.isin(hidden[cols], list(p.zero_ok))
        low, high, solves = _lp_ranges(
            A, b, le[rows], st, comp, row_comp, k, cap, p.small_marked, zero
        )
        if exact:  # integer program within the LP ranges (they bound it, and give big-M)
            x = (st == SECONDARY) & p.small_marked
            low, high, n = _ranges(
                A, np.where(le[rows], -np.inf, b), b, low, high, comp, k, x, True, st != FREE
            )
            solves += n
        high[high >= cap / 2] = np.inf
        for q in todo:
            cache[keys[q]] = (low[comp == q], high[comp == q])
    low, high = np.zeros(len(hidden)), np.zeros(len(hidden))
    for g, key in zip(groups, keys, strict=True):
        low[g], high[g] = cache[key]
    return AuditResult(
        _judge(p, hidden, status[hidden], low, high, rule), solves, len(groups),
        time.perf_counter() - start,
    )  # fmt: skip


def _judge(p: Problem, hidden, st, low, high, rule: Rule) -> pd.DataFrame:
    """Each hidden cell's range with why it is weak: 'pinned' (one value), 'narrow', 'x_small'."""
    k = p.min_cell
    x = st == SECONDARY
    prim = (st == PRIMARY) | np.isin(hidden, list(p.keep))  # must not be pinned either
    reason = np.where((low == high) & (st != FREE), "pinned", "")
    reason = np.where(prim & (low < high) & (high - low < rule.min_width), "narrow", reason)
    reason = np.where(x & (low >= 1) & (high <= k - 1), "x_small", reason)
    weak = (
        (prim & (reason != "")) | (reason == "x_small") | (rule.strict_x & x & (reason == "pinned"))
    )
    return pd.DataFrame({"name": [p.names[i] for i in hidden]}, index=hidden).assign(
        value=[p.values[i] for i in hidden], status=st, low=low, high=high, reason=reason, weak=weak
    )


def _lp_ranges(A, b, le, st, comp, row_comp, k, cap, small_marked, zero):
    """LP ranges of hidden cells, re-solved per group while the 'x' knowledge tightens a bound.
    `zero`: '<k' cells that may be 0."""
    lower = np.where(le, -np.inf, b)
    prim = (st == PRIMARY) & small_marked  # with one symbol for all, every hidden cell is just >= 0
    lo, hi = np.where(prim & ~zero, 1.0, 0.0), np.where(prim, k - 1.0, cap)
    x = (st == SECONDARY) & small_marked
    low, high, solves = lo.copy(), hi.copy(), 0
    active, rows = np.ones(len(st), bool), np.ones(len(b), bool)
    while active.any():
        low[active], high[active], n = _ranges(
            A[rows][:, active], lower[rows], b[rows], lo[active], hi[active], comp[active],
            targets=(st != FREE)[active],
        )  # fmt: skip
        solves += n
        up, down = x & (low >= 1) & (lo < k), x & (high < k) & (hi > 0)
        lo[up], hi[down] = k, 0.0
        changed = np.unique(comp[up | down])
        active, rows = np.isin(comp, changed), np.isin(row_comp, changed)
    return low, high, solves


@dataclass
class Widened:
    """A widened problem, the cells newly hidden as 'x', its audit, and any cell left weak."""

    problem: Problem
    added: list
    audit: AuditResult
    rounds: int
    unresolved: list


def widen(problem: Problem, rule: Rule = Rule(), exact: bool = False) -> Widened:
    """Hide more cells until the audit passes: for each weak cell, the cheapest set of shown cells
    whose hiding lets it take one more value (a min-cost integer 'move' of the table); re-audit.
    Needs every cell's true value."""
    if any(v is None for v in problem.values):
        raise ValueError("widen needs the true value of every cell")
    p, cache, added = problem, {}, []
    R, le = _matrix(p)
    Rr, Rc = R.tocsr(), R.tocsc()
    rounds, unresolved = 0, []
    while rounds <= len(p.names):  # each round hides at least one more cell
        rounds += 1
        res = audit(p, rule, exact, cache)
        status, unresolved = np.array(p.status), []
        if res.ok:
            break
        new = []
        for w, cell in res.weak.iterrows():
            cells = _move(p, Rr, Rc, le, status, w, cell["low"], cell["high"])
            if not cells:  # no change of the table can move it (or, oddly, no new cell needed)
                unresolved.append(p.names[w])
            status[cells or []] = SECONDARY
            new += cells or []
        if not new:
            break
        added += new
        p = replace(p, status=status.tolist())
    # an added cell that can still be worked out hides nothing: show it again if the audit agrees
    pinned = [c for c in added if res.ranges.at[c, "reason"] == "pinned"]
    if res.ok and pinned:
        shown = replace(p, status=[SHOWN if i in pinned else s for i, s in enumerate(p.status)])
        check = audit(shown, rule, exact, cache)
        if check.ok:
            p, res, added = shown, check, [c for c in added if c not in pinned]
    return Widened(p, [p.names[c] for c in added], res, rounds, [] if res.ok else unresolved)


def _move(p: Problem, Rr, Rc, le, status, w: int, low: float, high: float) -> list[int] | None:
    """Shown cells to hide so that cell `w` can be low-1 or high+1: an integer change d of the
    table with every relation still holding, every cell within what readers know of it, and
    least Σ (value + k) over the shown cells it changes. Searched near w first, then everywhere.

    A hidden zero ('x') may become any value from k on (readers know 0 or ≥ k): a binary per
    such cell (k·z ≤ d ≤ M·z)."""
    k, values = p.min_cell, np.array(p.values, float)
    prim, zero, free = status == PRIMARY, values == 0, status == FREE
    lowest = np.where(np.isin(np.arange(len(values)), list(p.zero_ok)), 0.0, 1.0)
    lo_d = np.where(
        prim, lowest - values, np.where(zero, 0.0, (k if p.small_marked else 0) - values)
    )
    hi_d = np.where(prim, k - 1 - values, np.where(zero & p.small_marked, 0.0, np.inf))
    lo_d, hi_d = np.where(free, -values, lo_d), np.where(free, np.inf, hi_d)  # unknowns: any ≥ 0
    jump = (status == SECONDARY) & zero & p.small_marked  # 0, or k and more
    hi_d[jump] = np.inf
    cost = np.where(status == SHOWN, values + k, 0.0)
    big = values.sum() + k * len(values) + 1.0
    targets = [t for t in (low - 1, high + 1) if lo_d[w] <= t - values[w] <= hi_d[w]]
    if jump[w]:  # a hidden zero that must not be pinned: move it to k (or beyond its range)
        targets = [max(high + 1, k)]
    for depth in (2, 4, None):
        cells = np.arange(len(values)) if depth is None else np.array([w])
        for _ in range(depth or 0):  # cells within `depth` relations of w
            cells = np.unique(Rr[np.unique(Rc[:, cells].indices)].indices)
        rows = np.unique(Rc[:, cells].indices)
        A = Rr[rows][:, cells]
        slack = -(Rr[rows] @ values)  # 0 for equalities; room left under an inequality
        lower = np.where(le[rows], -np.inf, 0.0)
        jumps = np.flatnonzero(jump[cells] & (cells != w))
        best = None
        for t in targets:
            res = _cheapest(A, lower, slack, lo_d[cells], hi_d[cells], cells == w, t - values[w],
                            cost[cells], jumps, k, big)  # fmt: skip
            if res is not None and (best is None or res[0] < best[0]):
                best = (res[0], [int(c) for c in cells[res[1] & (status[cells] == SHOWN)]])
        if best is not None:
            return best[1]
    return None


def _cheapest(A, lower, slack, dlo, dhi, at_w, dw, cost, jumps, k, big):
    """The least-cost integer change d = dp − dm with lower ≤ A·d ≤ slack, dlo ≤ d ≤ dhi, d_w = dw,
    and each `jumps` cell's d either 0 or ≥ k; (cost, which cells moved) or None."""
    n, nz = A.shape[1], len(jumps)
    dlo, dhi = dlo.copy(), dhi.copy()
    dlo[at_w] = dhi[at_w] = dw
    pick = sparse.csr_matrix((np.ones(nz), (np.arange(nz), jumps)), shape=(nz, n))
    cons = [
        LinearConstraint(sparse.hstack([A, -A, sparse.csr_matrix((A.shape[0], nz))]), lower, slack),
        LinearConstraint(sparse.hstack([sparse.eye(n), -sparse.eye(n), sparse.csr_matrix((n, nz))]),
                         dlo, dhi),
    ]  # fmt: skip
    if nz:
        cons += [
            LinearConstraint(sparse.hstack([pick, -pick, -k * sparse.eye(nz)]), 0, np.inf),
            LinearConstraint(sparse.hstack([pick, -pick, -big * sparse.eye(nz)]), -np.inf, 0),
        ]
    up = np.r_[np.maximum(dhi, 0), np.maximum(-dlo, 0), np.ones(nz)]
    res = milp(
        np.r_[cost, cost, np.zeros(nz)],
        integrality=np.ones(2 * n + nz),
        constraints=cons,
        bounds=Bounds(0, np.minimum(up, big)),
    )
    if res.status != 0:
        return None
    return res.fun, np.abs(res.x[:n] - res.x[n : 2 * n]) > 0.5
