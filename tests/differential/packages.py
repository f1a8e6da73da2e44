"""Source (b): generated multi-module packages, loaded in shuffled orders.

A seeded generator builds *families*: a root ``R`` with packages such as ``R.b``,
``R.c``, ``R.b.d`` (and sometimes ``R`` itself), each package's rules split across 2-5
modules. Rules depend on rules in other modules and other packages, and cover default
rules, partial sets and objects defined piecemeal, functions (with a default and with
definitions in several modules), else chains, ``every`` / ``some`` / ``not``,
comprehensions, and whole-package references. Every family is loaded in its natural
module order and in shuffled orders, and asked for every rule, every package document
(``data.R.b``), the subtree (``data.R``) and the same as a query (``x := data.R``).

Rules only reference rules defined earlier (in their own package or an earlier one), so
no family is recursive; whole-package references point at earlier packages only.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from case import Case

ROOTS = ("a", "p", "acme", "x.y")


@dataclass
class Rule:
    """A generated rule: its clauses (each goes to a module of its package on its own)."""

    name: str
    package: str
    kind: str  # bool | num | str | set | obj | arr | func
    clauses: list[str] = field(default_factory=list)

    @property
    def ref(self) -> str:
        return f"data.{self.package}.{self.name}"


@dataclass
class Family:
    """Packages of one root, with their rules in definition order."""

    root: str
    packages: list[str]
    rules: list[Rule] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)

    def of_kind(self, rng: random.Random, kinds: tuple[str, ...], before: int) -> Rule | None:
        """A random earlier rule of one of ``kinds`` (``None`` when there is none yet)."""
        found = [r for r in self.rules[:before] if r.kind in kinds]
        return rng.choice(found) if found else None


def _ref(rule: Rule | None, package: str, fallback: str) -> str:
    """How a rule in ``package`` refers to ``rule``: by name in its own package, by full
    path elsewhere."""
    if rule is None:
        return fallback
    return rule.name if rule.package == package else rule.ref


def _bool_rule(rng: random.Random, fam: Family, rule: Rule, i: int) -> None:
    dep = _ref(fam.of_kind(rng, ("bool",), i), rule.package, "input.flag")
    k = rng.randint(-1, 4)
    shape = rng.randrange(6)
    if shape == 0:  # default in one module, clauses in others
        rule.clauses = [
            f"default {rule.name} := false",
            f"{rule.name} if input.n > {k}",
            f"{rule.name} if {{\n\t{dep}\n\tinput.flag\n}}",
        ]
    elif shape == 1:
        rule.clauses = [f"{rule.name} if {{\n\tevery x in input.xs {{ x > {k - 2} }}\n}}"]
    elif shape == 2:
        rule.clauses = [f"{rule.name} if {{\n\tsome x in input.xs\n\tx == {k}\n\tnot {dep}\n}}"]
    elif shape == 3:
        fn = fam.of_kind(rng, ("func",), i)
        call = f'{_ref(fn, rule.package, "")}(input.n) == "pos"' if fn else f"input.n == {k}"
        rule.clauses = [f"default {rule.name} := false", f"{rule.name} if {call}"]
    elif shape == 4:
        s = fam.of_kind(rng, ("set",), i)
        cond = f"count({_ref(s, rule.package, '')}) > {max(k, 0)}" if s else "input.flag"
        rule.clauses = [f"{rule.name} if {cond}", f"{rule.name} if {{\n\tnot input.flag\n\t{dep}\n}}"]
    else:
        rule.clauses = [f"{rule.name} := input.n > {k}"]


def _num_rule(rng: random.Random, fam: Family, rule: Rule, i: int) -> None:
    dep = _ref(fam.of_kind(rng, ("bool",), i), rule.package, "input.flag")
    k = rng.randint(0, 4)
    shape = rng.randrange(4)
    if shape == 0:  # an else chain
        rule.clauses = [f"{rule.name} := 1 if {{\n\tinput.n > {k}\n}} else := 2 if {{\n\t{dep}\n}} else := 3"]
    elif shape == 1:  # default plus a value computed from another rule
        other = fam.of_kind(rng, ("num",), i)
        expr = f"{_ref(other, rule.package, '')} + {k}" if other else f"input.n * {k}"
        rule.clauses = [f"default {rule.name} := 0", f"{rule.name} := {expr} if input.flag"]
    elif shape == 2:
        s = fam.of_kind(rng, ("set", "arr"), i)
        rule.clauses = [f"{rule.name} := count({_ref(s, rule.package, 'input.xs')})"]
    else:  # the same value from clauses in several modules (no conflict)
        rule.clauses = [f"{rule.name} := {k} if input.flag", f"{rule.name} := {k} if {dep}"]


def _str_rule(rng: random.Random, fam: Family, rule: Rule, i: int) -> None:
    dep = _ref(fam.of_kind(rng, ("bool",), i), rule.package, "input.flag")
    if rng.randrange(4) == 0:  # may conflict: an evaluation error in both engines
        rule.clauses = [f'{rule.name} := "one" if input.flag', f'{rule.name} := "two" if input.n > 2']
    else:
        rule.clauses = [f'default {rule.name} := "none"', f'{rule.name} := "some" if {dep}']


def _set_rule(rng: random.Random, fam: Family, rule: Rule, i: int) -> None:
    k = rng.randint(0, 3)
    clauses = [f"{rule.name} contains x if {{\n\tsome x in input.xs\n\tx > {k}\n}}"]
    dep = fam.of_kind(rng, ("bool",), i)
    if dep is not None:
        clauses.append(f'{rule.name} contains "tag{i}" if {_ref(dep, rule.package, "")}')
    other = fam.of_kind(rng, ("set",), i)
    if other is not None:
        clauses.append(f"{rule.name} contains y if {{\n\tsome y in {_ref(other, rule.package, '')}\n\tis_number(y)\n}}")
    if rng.randrange(2):
        clauses.append(f"{rule.name} contains n if {{\n\tsome n in data.base.items\n\tn < {k + 2}\n}}")
    rule.clauses = clauses


def _obj_rule(rng: random.Random, fam: Family, rule: Rule, i: int) -> None:
    clauses = [f'{rule.name}[sprintf("x%d", [x])] := x * 2 if {{\n\tsome x in input.xs\n}}']
    s = fam.of_kind(rng, ("set",), i)
    if s is not None:
        clauses.append(f'{rule.name}["size"] := count({_ref(s, rule.package, "")})')
    b = fam.of_kind(rng, ("bool",), i)
    if b is not None:
        clauses.append(f'{rule.name}["flag"] := true if {_ref(b, rule.package, "")}')
    rule.clauses = clauses


def _arr_rule(rng: random.Random, fam: Family, rule: Rule, i: int) -> None:
    k = rng.randint(0, 3)
    shape = rng.randrange(3)
    if shape == 0:
        rule.clauses = [f"{rule.name} := [x | some x in input.xs; x >= {k}]"]
    elif shape == 1:
        s = fam.of_kind(rng, ("set",), i)
        rule.clauses = [f"{rule.name} := sort([y | some y in {_ref(s, rule.package, 'input.xs')}; is_number(y)])"]
    else:
        # Packages whose document cannot reach this rule: earlier, not an ancestor, and
        # with no subpackage (a subpackage may come later and depend on this rule).
        mine = fam.packages.index(rule.package)
        earlier = [p for p in fam.packages[:mine] if not any(q.startswith(p + ".") for q in fam.packages)]
        if earlier:
            # A whole-package reference: the package document of an earlier package.
            rule.clauses = [f"{rule.name} := sort([k | some k, _ in data.{rng.choice(earlier)}])"]
        else:
            rule.clauses = [f"{rule.name} := {{x: true | some x in input.xs}}"]


def _func_rule(rng: random.Random, fam: Family, rule: Rule, i: int) -> None:
    k = rng.randint(0, 2)
    shape = rng.randrange(3)
    if shape == 0:  # definitions in several modules plus a default
        rule.clauses = [
            f'default {rule.name}(_) := "zero"',
            f'{rule.name}(x) := "pos" if x > {k}',
            f'{rule.name}(x) := "neg" if x < 0',
        ]
    elif shape == 1:
        rule.clauses = [f'{rule.name}(x) := "pos" if {{\n\tx > {k}\n}} else := "other"']
    else:
        rule.clauses = [
            f'{rule.name}(x) := y if {{\n\ty := {{"pos": x > {k}}}["pos"]\n\ty\n}}',
            f'{rule.name}(x) := "pos" if x == {k}',
        ]


BUILDERS = {
    "bool": _bool_rule,
    "num": _num_rule,
    "str": _str_rule,
    "set": _set_rule,
    "obj": _obj_rule,
    "arr": _arr_rule,
    "func": _func_rule,
}


def family(rng: random.Random, index: int) -> Family:
    """One family of packages with rules in definition order."""
    root = rng.choice(ROOTS)
    packages = [f"{root}.b", f"{root}.c"]
    if rng.randrange(2):
        packages.append(f"{root}.b.d")
    if rng.randrange(3) == 0:
        packages.insert(0, root)
    rng.shuffle(packages)
    fam = Family(root, packages, data={"base": {"items": sorted(rng.sample(range(6), 3))}})
    kinds = list(BUILDERS)
    for package in packages:
        for _ in range(rng.randint(2, 5)):
            i = len(fam.rules)
            kind = rng.choice(kinds)
            rule = Rule(f"r{i}", package, kind)
            BUILDERS[kind](rng, fam, rule, i)
            fam.rules.append(rule)
    return fam


def modules(rng: random.Random, fam: Family) -> list[tuple[str, str]]:
    """Each package's clauses dealt across 2-5 modules (every module gets at least one)."""
    out = []
    for package in fam.packages:
        clauses = [c for r in fam.rules if r.package == package for c in r.clauses]
        count = min(len(clauses), rng.randint(2, 5))
        parts: list[list[str]] = [[] for _ in range(count)]
        for n, clause in enumerate(clauses):
            parts[n if n < count else rng.randrange(count)].append(clause)
        for n, part in enumerate(parts):
            text = f"package {package}\n\n" + "\n\n".join(part) + "\n"
            out.append((f"{package.replace('.', '_')}_{n}.rego", text))
    return out


def inputs(rng: random.Random) -> dict[str, Any]:
    return {
        "n": rng.randint(-2, 6),
        "flag": rng.random() < 0.5,
        "xs": [rng.randint(-1, 5) for _ in range(rng.randint(0, 4))],
    }


def questions(fam: Family) -> list[tuple[str, str]]:
    """``(path, query)`` pairs: every rule, every package document and the subtree."""
    out = []
    for rule in fam.rules:
        if rule.kind == "func":
            out.append(("", f"x := {rule.ref}(input.n)"))
        else:
            out.append((rule.ref, ""))
    for package in sorted({fam.root, *fam.packages}):
        out.append((f"data.{package}", ""))
        out.append(("", f"x := data.{package}"))
    return out


def cases(seed: int, families: int, orders: int = 3, per_order_inputs: int = 2) -> Iterator[Case]:
    """``families`` families of seed ``seed``, each in ``orders`` module orders (the
    first is the natural one) with ``per_order_inputs`` inputs."""
    rng = random.Random(seed)
    for f in range(families):
        fam = family(rng, f)
        natural = modules(rng, fam)
        given = [inputs(rng) for _ in range(per_order_inputs)]
        for o in range(orders):
            order = list(natural)
            if o:
                rng.shuffle(order)
            for n, inp in enumerate(given):
                for path, query in questions(fam):
                    yield Case(
                        id=f"packages/s{seed}/f{f}/o{o}/i{n}/{path or query}",
                        source="packages",
                        modules=tuple(order),
                        data=fam.data,
                        input=inp,
                        path=path,
                        query=query,
                        note=f"family {f} of seed {seed}, module order {o}",
                    )
