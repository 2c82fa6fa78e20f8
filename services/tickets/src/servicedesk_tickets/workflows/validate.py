"""Every problem of a proposed workflow at once, so an admin can fix them in one go."""

from __future__ import annotations

from collections import Counter

from servicedesk_tickets.workflows.schemas import KNOWN_ROLES, WorkflowWrite


def _duplicates(workflow: WorkflowWrite) -> list[str]:
    states = Counter(s.name for s in workflow.states)
    moves = Counter((t.from_, t.to) for t in workflow.transitions)
    return [f"state {name!r} is listed twice" for name, n in states.items() if n > 1] + [
        f"transition {a!r} -> {b!r} is listed twice" for (a, b), n in moves.items() if n > 1
    ]


def _unknown(workflow: WorkflowWrite, names: set[str]) -> list[str]:
    problems = (
        [] if workflow.initial in names else [f"initial state {workflow.initial!r} is not a state"]
    )
    for t in workflow.transitions:
        problems += [
            f"transition {t.from_!r} -> {t.to!r}: unknown state {s!r}"
            for s in (t.from_, t.to)
            if s not in names
        ]
        problems += [
            f"transition {t.from_!r} -> {t.to!r}: unknown role {r!r}"
            for r in t.roles
            if r not in KNOWN_ROLES
        ]
        if t.from_ == t.to:
            problems.append(f"transition {t.from_!r} -> {t.to!r} goes nowhere")
    return problems


def _reachable(workflow: WorkflowWrite) -> set[str]:
    seen, frontier = {workflow.initial}, [workflow.initial]
    while frontier:
        here = frontier.pop()
        for t in workflow.transitions:
            if t.from_ == here and t.to not in seen:
                seen.add(t.to)
                frontier.append(t.to)
    return seen


def problems(workflow: WorkflowWrite) -> list[str]:
    """Duplicates, unknown states and roles, unreachable states, moves out of terminals."""
    names = {s.name for s in workflow.states}
    found = _duplicates(workflow) + _unknown(workflow, names)
    terminal = {s.name for s in workflow.states if s.terminal}
    found += [
        f"transition {t.from_!r} -> {t.to!r} leaves terminal state {t.from_!r}"
        for t in workflow.transitions
        if t.from_ in terminal
    ]
    if workflow.initial in names:
        reachable = _reachable(workflow)
        found += [
            f"state {s.name!r} is not reachable from {workflow.initial!r}"
            for s in workflow.states
            if s.name not in reachable
        ]
    return found
