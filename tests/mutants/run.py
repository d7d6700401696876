"""`make mutants`: mutation-test the security core with mutmut and print a report.

mutmut 3 copies the code it mutates into ``mutants/`` and finds it there only
under ``src/`` (or the project root); our package lives in ``app/huddle``. So
this script stages a copy of the project in ``build/mutants`` with the package
at ``src/huddle``, writes mutmut's settings into the copy's pyproject.toml, and
runs mutmut there. The working tree is never touched: other people can edit
and test while it runs.

mutmut runs each mutant against only the tests that call the mutated function
(it records them once, in a first full run of `TESTS`), stopping at the first
failure. The report counts each module's mutants, and checks every survivor
against ``tests/mutants/survivors.md``, where each one must be explained: an
equivalent mutant (why), or a known gap (which issue). Exit status 1 when a
survivor is unexplained or the kill rate is under `TARGET`.

    .venv/bin/python tests/mutants/run.py                   # every module (make mutants)
    .venv/bin/python tests/mutants/run.py masks host        # some modules only
    .venv/bin/python tests/mutants/run.py --survivors host  # after adding tests: only the
                                                            # last run's survivors, again
    .venv/bin/python tests/mutants/run.py --staged host     # in the last run's copy and
                                                            # its test stats: no new stage,
                                                            # no first full run of TESTS
    MUTANTS_JOBS=1 .venv/bin/python tests/mutants/run.py    # one worker (default 2)
"""

from __future__ import annotations

import ast
import difflib
import functools
import json
import os
import re
import shutil
import subprocess
import sys
import time
import tomllib
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
STAGE = ROOT / "build" / "mutants"
SURVIVORS = ROOT / "tests" / "mutants" / "survivors.md"
TARGET = 0.90

MODULES = {
    name: f"src/huddle/{'net' if name == 'tls' else 'core'}/{name}.py"
    for name in (
        "masks",
        "sharing",
        "participant",
        "host",
        "security_code",
        "codec",
        "encoding",
        "fixed_point",
        "noise",
        "randomized_response",
        "tls",
        "proofs",
        "round_size",
    )
}
"""The security-relevant modules (issue 18), and protocol 4's (issue 15): the round's
proofs on shares and the group size every frame allows.

Not core/rehearsal.py: it runs a round's code once on throwaway data to warm caches,
and what it computes is thrown away, so a mutant of it either crashes every session
(which every test of a session sees) or is equivalent. Each of its 320 mutants would
run the 325 tests that start a session (~40 s), about two hours of the two cores to
learn nothing the suite does not already show."""

TESTS = [
    "tests/core",
    "tests/net/test_join_checks.py",
    "tests/net/test_tls.py",
    "tests/net/test_hiding_tls.py",
]
"""The tests of these modules: the sans-IO state machines and TLS on loopback. Each
mutant runs only those of them that call the mutated function, fastest first. A
directory, so that `--survivors` finds new test files there: mutmut starts from
scratch when this list changes."""

UNRELATED = ["advert", "invite", "kinds", "ledger"]
"""tests/core files of other modules (they only slow the first full run down)."""

SLOW = [
    # Seconds each under mutmut's trampolines, and each finds nothing that faster
    # tests of the same code miss: 100 parties (30 are kept), and the statistical
    # checks of intervals and choices run over thousands of simulated groups.
    "tests/core/test_protocol.py::test_n_parties_agree_on_the_exact_average[100]",
    "tests/core/test_randomized_response.py::test_simulated_coverage_is_about_the_stated_rate",
    "tests/core/test_randomized_response.py::test_the_estimator_is_unbiased_on_simulated_populations",
    "tests/core/test_question_kinds.py::test_the_choice_winner_is_right_at_least_95_percent_at_the_stated_lead",
    "tests/core/test_question_kinds.py::test_outcome_only_majority_call_holds_outside_its_margin",
]
PYTEST_ARGS = [
    "-p",
    "no:cacheprovider",
    "-p",
    "tests.mutants.fresh",  # no cache from the unmutated run may hide a mutant
    *(arg for test in SLOW for arg in ("--deselect", test)),
    *(arg for name in UNRELATED for arg in ("--ignore", f"tests/core/test_{name}.py")),
]

NOT_MUTATED = {
    "codec.limit": "runs only while codec and messages are imported, before mutmut forks",
    "codec.message": "runs only while messages is imported, before mutmut forks",
}
"""Functions mutmut cannot test: their mutants would never run, so none are made."""

UNCACHED = {
    "proofs.shape": "its lru_cache would keep the unmutated result, and mutmut skips it",
    "round_size.max_group": "its lru_cache would keep the unmutated result, and mutmut skips it",
}
"""Cached functions that mutmut would skip (it mutates no decorated function): in the
staged copy each loses its decorator, and the cache is put back around mutmut's
trampoline after the function (``f = functools.lru_cache(...)(f)``), so the code keeps
its speed. tests/mutants/fresh.py empties these caches before every test, so no
result cached in the process mutmut forks from can hide a mutant."""

KILLED = {"killed", "timeout", "caught by type check", "segfault"}
"""mutmut statuses in which a test (or the interpreter) noticed the mutant."""


IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", ".hypothesis")


def stage() -> None:
    """A fresh copy of the package and tests, laid out as mutmut expects."""
    shutil.rmtree(STAGE, ignore_errors=True)
    shutil.copytree(ROOT / "app" / "huddle", STAGE / "src" / "huddle", ignore=IGNORE)
    shutil.copytree(ROOT / "tests", STAGE / "tests", ignore=IGNORE)
    for function in NOT_MUTATED:
        module, _, name = function.rpartition(".")
        _exclude(STAGE / MODULES[module], name)
    for function in UNCACHED:
        module, _, name = function.rpartition(".")
        _uncache(STAGE / MODULES[module], name)
    write_settings()


def write_settings() -> None:
    """mutmut's settings and ours for pytest, in the staged copy's pyproject.toml."""
    with open(ROOT / "pyproject.toml", "rb") as f:
        pytest_options = tomllib.load(f)["tool"]["pytest"]["ini_options"]
    settings = {
        "source_paths": ["src/"],
        "only_mutate": list(MODULES.values()),
        "pytest_add_cli_args_test_selection": [t for t in TESTS if (ROOT / t).exists()],
        "pytest_add_cli_args": PYTEST_ARGS,
        "use_git_change_detection": False,
    }
    text = "[tool.mutmut]\n" + _toml(settings) + "\n[tool.pytest.ini_options]\n"
    text += _toml(pytest_options)
    for where in (STAGE, STAGE / "mutants"):
        if where.exists():
            (where / "pyproject.toml").write_text(text)


def _exclude(path: Path, name: str) -> None:
    """Fence a top-level function with mutmut's pragmas, in the staged copy only."""
    lines = path.read_text().splitlines(keepends=True)
    node = next(
        n
        for n in ast.parse("".join(lines)).body
        if isinstance(n, ast.FunctionDef) and n.name == name
    )
    first = node.decorator_list[0].lineno if node.decorator_list else node.lineno
    assert node.end_lineno is not None
    lines.insert(node.end_lineno, "# pragma: no mutate end\n")
    lines.insert(first - 1, "# pragma: no mutate start\n")
    path.write_text("".join(lines))


def _uncache(path: Path, name: str) -> None:
    """Move a top-level function's one decorator after it, in the staged copy only:
    ``@functools.lru_cache(...) def f`` becomes ``def f ... f = functools.lru_cache(...)(f)``."""
    source = path.read_text()
    lines = source.splitlines(keepends=True)
    node = next(
        n for n in ast.parse(source).body if isinstance(n, ast.FunctionDef) and n.name == name
    )
    (decorator,) = node.decorator_list
    text = ast.get_source_segment(source, decorator)
    assert text is not None and node.end_lineno is not None
    lines.insert(node.end_lineno, f"\n\n{name} = {text}({name})\n")
    del lines[decorator.lineno - 1 : decorator.end_lineno]
    path.write_text("".join(lines))


def _toml(table: dict[str, object]) -> str:
    # json's strings, lists and booleans are valid TOML for these flat tables.
    return "".join(f"{key} = {json.dumps(value)}\n" for key, value in table.items())


def restage_tests() -> None:
    """Today's tests in the last run's copy (its mutated code stays as it was)."""
    for where in (STAGE / "tests", STAGE / "mutants" / "tests"):
        shutil.rmtree(where, ignore_errors=True)
        shutil.copytree(ROOT / "tests", where, ignore=IGNORE)
    write_settings()


def run_mutmut(names: list[str]) -> float:
    """Run mutmut on the mutants ``names`` match (fnmatch patterns); the seconds it took."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", HYPOTHESIS_PROFILE="mutants")
    jobs = os.environ.get("MUTANTS_JOBS", "2")
    mutmut = Path(sys.executable).with_name("mutmut")
    started = time.monotonic()
    subprocess.run(
        [str(mutmut), "run", "--max-children", jobs, *names], cwd=STAGE, env=env, check=True
    )
    return time.monotonic() - started


def results(modules: list[str]) -> dict[str, dict[str, str]]:
    """Status of every mutant, by module then mutant name."""
    out: dict[str, dict[str, str]] = {}
    for module in modules:
        meta = STAGE / "mutants" / (MODULES[module] + ".meta")
        codes = json.loads(meta.read_text())["exit_code_by_key"]
        out[module] = {name: _status(code) for name, code in codes.items()}
    return out


def _status(code: int | None) -> str:
    from mutmut.stats import status_by_exit_code

    return str(status_by_exit_code[code])


def explained() -> dict[str, str]:
    """survivors.md: ``- `mutant name` equivalent: why`` or ``... known gap: issue N``."""
    lines = SURVIVORS.read_text().splitlines() if SURVIVORS.exists() else []
    found = (re.match(r"- `([^`]+)` (.*)", line) for line in lines)
    return {m[1]: m[2] for m in found if m}


@functools.cache
def _functions(module: str) -> dict[str, str]:
    """Every function's source in the mutated copy of ``module`` (mutants included)."""
    source = (STAGE / "mutants" / MODULES[module]).read_text()
    lines = source.splitlines()
    return {
        node.name: "\n".join(lines[node.lineno - 1 : node.end_lineno])
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    }


def diff(name: str, module: str) -> str:
    """The lines a mutant changes, from the mutated copy of the module."""
    functions = _functions(module)
    mutant = name.rpartition(".")[2]
    orig = mutant.rpartition("__mutmut_")[0] + "__mutmut_orig"
    before = functions.get(orig, "").splitlines()
    after = functions.get(mutant, "").replace(mutant, orig).splitlines()
    changed = difflib.unified_diff(before, after, n=0, lineterm="")
    lines = [line for line in changed if line[:1] in "+-" and line[:3] not in ("+++", "---")]
    return " | ".join(line[0] + " " + line[1:].strip() for line in lines)


def report(by_module: dict[str, dict[str, str]], seconds: float) -> bool:
    notes = explained()
    equivalent = {name for name, note in notes.items() if note.startswith("equivalent")}
    print(
        f"\n{'module':<22}{'mutants':>8}{'killed':>8}{'equiv.':>8}{'gaps':>6}{'raw':>8}{'rate':>8}"
    )
    totals: Counter[str] = Counter()
    unexplained: list[tuple[str, str, str]] = []
    for module, statuses in by_module.items():
        survivors = [n for n, s in statuses.items() if s not in KILLED]
        killed = len(statuses) - len(survivors)
        eq = sum(1 for n in survivors if n in equivalent)
        gaps = sum(1 for n in survivors if n in notes and n not in equivalent)
        unexplained += [(module, n, statuses[n]) for n in survivors if n not in notes]
        rate = killed / max(1, len(statuses) - eq)
        raw = killed / max(1, len(statuses))
        print(f"{module:<22}{len(statuses):>8}{killed:>8}{eq:>8}{gaps:>6}{raw:>8.1%}{rate:>8.1%}")
        totals.update(mutants=len(statuses), killed=killed, equivalent=eq, gaps=gaps)
    rate = totals["killed"] / max(1, totals["mutants"] - totals["equivalent"])
    raw = totals["killed"] / max(1, totals["mutants"])
    print(
        f"{'all':<22}{totals['mutants']:>8}{totals['killed']:>8}{totals['equivalent']:>8}"
        f"{totals['gaps']:>6}{raw:>8.1%}{rate:>8.1%}"
    )
    print(f"\nkilled {raw:.1%} of all mutants, {rate:.1%} of the non-equivalent ones ", end="")
    print(f"(target {TARGET:.0%} of all); ", end="")
    print(f"mutmut took {seconds / 60:.0f} min")
    for function, why in NOT_MUTATED.items():
        print(f"not mutated: {function} ({why})")
    alive = {name for s in by_module.values() for name, status in s.items() if status not in KILLED}
    ours = tuple(_prefix(m) for m in by_module)
    for name in (n for n in notes if n.startswith(ours) and n not in alive):
        print(f"killed now or gone, remove from survivors.md: {name}")
    for module, name, status in unexplained:
        print(f"unexplained ({status}): - `{name}` {diff(name, module)}")
    return raw >= TARGET and not unexplained


def _prefix(module: str) -> str:
    return "huddle." + MODULES[module][len("src/huddle/") : -3].replace("/", ".") + "."


def main() -> int:
    args = sys.argv[1:]
    again = "--survivors" in args
    staged = "--staged" in args
    modules = [a for a in args if a not in ("--survivors", "--staged")] or list(MODULES)
    unknown = [m for m in modules if m not in MODULES]
    if unknown:
        print(f"unknown modules {unknown}; choose from {list(MODULES)}")
        return 2
    if again:
        restage_tests()
        # Fresh stats (which tests call what), new test files included; results stay.
        (STAGE / "mutants" / "mutmut-stats.json").unlink(missing_ok=True)
        names = [n for s in results(modules).values() for n, st in s.items() if st not in KILLED]
    else:
        if not staged:
            stage()
        names = [_prefix(m) + "*" for m in modules]
    seconds = run_mutmut(names) if names else 0.0
    return 0 if report(results(modules), seconds) else 1


if __name__ == "__main__":
    sys.exit(main())
