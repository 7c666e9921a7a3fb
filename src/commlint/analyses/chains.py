"""Longest synchronous call chains in polynomial time (CL701).

Enumerating every call path is exponential (a dozen services that call each
other six times hold millions of paths). Instead, on the graph whose nodes are
handlers and whose edges are the hops between them:

1. the strongly connected components (Tarjan, iterative) are condensed into a DAG;
2. each component's longest chain is computed once, in reverse topological order:
   a chain may visit every handler of a cycle once (``size`` hops inside it) before
   it leaves, and a chain is capped at ``max_hops``;
3. each starting call's chain is then built greedily along those values, never
   entering a handler twice (cycles end a chain): O(max_hops x calls) per start.

The chain reported is a real path of calls; its length may be shorter than the
estimate when a cycle's handlers cannot all be visited in one simple path.
Everything is O(handlers + calls) besides the walks, i.e. polynomial.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable, Sequence


def components(nodes: Sequence[Any], successors: Callable[[Any], Iterable[Any]]) -> dict[int, int]:
    """id(node) -> the index of its strongly connected component (iterative Tarjan);
    components are numbered in reverse topological order (sinks first)."""
    index: dict[int, int] = {}
    low: dict[int, int] = {}
    on_stack: set[int] = set()
    stack: list[Any] = []
    comp: dict[int, int] = {}
    counter = 0
    n_comp = 0
    for root in nodes:
        if id(root) in index:
            continue
        work: list[tuple[Any, Iterable[Any]]] = [(root, iter(successors(root)))]
        index[id(root)] = low[id(root)] = counter
        counter += 1
        stack.append(root)
        on_stack.add(id(root))
        while work:
            node, it = work[-1]
            advanced = False
            for nxt in it:
                if id(nxt) not in index:
                    index[id(nxt)] = low[id(nxt)] = counter
                    counter += 1
                    stack.append(nxt)
                    on_stack.add(id(nxt))
                    work.append((nxt, iter(successors(nxt))))
                    advanced = True
                    break
                if id(nxt) in on_stack:
                    low[id(node)] = min(low[id(node)], index[id(nxt)])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[id(parent)] = min(low[id(parent)], low[id(node)])
            if low[id(node)] == index[id(node)]:
                while True:
                    member = stack.pop()
                    on_stack.discard(id(member))
                    comp[id(member)] = n_comp
                    if member is node:
                        break
                n_comp += 1
    return comp


def longest_chains(handlers: Sequence[Any], hops: Callable[[Any], list[Any]], target: Callable[[Any], Any],
                   max_hops: int) -> Callable[[Any], list[Any]]:
    """A function from a starting call to the longest chain of calls it begins (greedy along
    the condensed graph's longest-path values, no handler entered twice, at most ``max_hops``)."""

    def succ(h: Any) -> list[Any]:
        return [target(c) for c in hops(h) if target(c) is not None]

    comp = components(handlers, succ)
    size: dict[int, int] = {}
    for h in handlers:
        size[comp[id(h)]] = size.get(comp[id(h)], 0) + 1
    members: dict[int, list[Any]] = {}
    for h in handlers:
        members.setdefault(comp[id(h)], []).append(h)
    best: dict[int, int] = {}  # component -> longest chain (hops) starting in it, estimated
    for k in sorted(members):  # sinks first: every other component's value is known
        value = 0
        for h in members[k]:
            for c in hops(h):
                t = target(c)
                if t is None:
                    value = max(value, 1)
                elif comp.get(id(t)) == k:
                    value = max(value, size[k])  # around the cycle once
                else:
                    value = max(value, 1 + best.get(comp.get(id(t), -1), 0) + (size[k] - 1))
        best[k] = min(value, max_hops)

    def estimate(call: Any) -> int:
        t = target(call)
        return 1 if t is None else 1 + best.get(comp.get(id(t), -1), 0)

    def chain(first: Any, start: Any) -> list[Any]:
        out = [first]
        seen = {id(start)}
        here = target(first)
        while here is not None and id(here) not in seen and len(out) < max_hops:
            seen.add(id(here))
            options = hops(here)
            if not options:
                break
            # prefer a call that does not come back to a handler already on the chain
            nxt = max(options, key=lambda c: (target(c) is None or id(target(c)) not in seen, estimate(c)))
            out.append(nxt)
            here = target(nxt)
        return out

    return chain
