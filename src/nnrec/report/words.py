"""Words that depend on numbers: plural agreement, comparisons chosen by a sign, point differences.

Every template uses these (as Jinja filters/globals, see :mod:`nnrec.report.render`) instead of
writing ``"s" if n != 1`` or ``"better" if a > b`` itself, so "1 boxes" or a comparison word that
contradicts the numbers beside it cannot come from one template's slip.
"""

from __future__ import annotations

from typing import Any

from nnrec.common import sentences  # also the templates' filter

# nouns whose plural is not the regular one (the regular rules are in plural())
IRREGULAR = {
    "child": "children", "person": "people", "axis": "axes", "matrix": "matrices", "index": "indices",
    "epoch": "epochs", "was": "were", "is": "are", "has": "have", "it": "them", "its": "their", "this": "these", "does": "do",
}


def plural(n: Any, singular: str, plural_form: str | None = None) -> str:
    """The word that agrees with the count ``n``: ``plural(1, "box") == "box"``,
    ``plural(2, "box") == "boxes"``, ``plural(0, "epoch") == "epochs"``. ``n`` may also be a
    sized collection (its length counts). Only exactly 1 takes the singular."""
    count = len(n) if hasattr(n, "__len__") and not isinstance(n, str) else n
    if count is None:
        raise ValueError(f"plural: no count given for {singular!r}")
    if float(count) == 1:
        return singular
    if plural_form:
        return plural_form
    if singular in IRREGULAR:
        return IRREGULAR[singular]
    low = singular.lower()
    if low.endswith(("s", "x", "z", "ch", "sh")):
        return singular + "es"
    if low.endswith("y") and len(low) > 1 and low[-2] not in "aeiou":
        return singular[:-1] + "ies"
    return singular + "s"


def noun(n: Any, singular: str, plural_form: str | None = None) -> str:
    """The count and its noun: ``noun(1, "box") == "1 box"``, ``noun(1360, "image") == "1,360 images"``.
    Integers get thousands separators; a collection counts its length."""
    count = len(n) if hasattr(n, "__len__") and not isinstance(n, str) else n
    return f"{fmt_count(count)} {plural(count, singular, plural_form)}"


def fmt_count(n: Any) -> str:
    """An integer count with thousands separators (``1360 -> '1,360'``); a float that is a whole
    number is shown as an integer; anything else is an error (a count must be whole)."""
    if isinstance(n, bool) or n is None:
        raise ValueError(f"fmt_count: {n!r} is not a count")
    if isinstance(n, float):
        if not n.is_integer():
            raise ValueError(f"fmt_count: {n!r} is not a whole number")
        n = int(n)
    return f"{int(n):,}"


def points(a: Any, b: Any, digits: int = 1) -> float:
    """``a - b`` in percentage points, computed from the two fractions *as displayed* (each
    rounded to ``digits`` decimals of a percent first), so the text never says 94.7% - 67.4% =
    27.4 points."""
    return round(round(100.0 * float(a), digits) - round(100.0 * float(b), digits), digits)


def fmt_points(diff_points: Any, digits: int = 1) -> str:
    """A difference in percentage points, without sign: ``3.4 -> '3.4 points'``, ``1.0 -> '1.0 point'``."""
    v = abs(float(diff_points))
    return f"{v:.{digits}f} {'point' if round(v, digits) == 1 else 'points'}"


def compare(a: Any, b: Any, more: str = "higher", less: str = "lower", same: str = "the same",
            digits: int | None = None) -> str:
    """The word for how ``a`` stands against ``b``, chosen by the sign of ``a - b``. With ``digits``,
    the two are compared as displayed (percentages rounded to ``digits`` decimals), so two numbers
    that print the same are called the same."""
    if a is None or b is None:
        raise ValueError(f"compare: cannot compare {a!r} with {b!r}")
    if digits is not None:
        d = points(a, b, digits)
    else:
        d = float(a) - float(b)
    if d > 0:
        return more
    if d < 0:
        return less
    return same


def ratio(num: Any, den: Any) -> float | None:
    """``num / den``, or None when ``den`` is 0 (shown as 'n/a' by the pct filter: 0/0 is no score)."""
    if den is None or num is None or float(den) == 0:
        return None
    return float(num) / float(den)


def join_words(items: list[Any], last: str = "and") -> str:
    """'a', 'a and b', 'a, b and c'."""
    items = [str(i) for i in items]
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + f" {last} " + items[-1]


def data_text(metrics: Any) -> str:
    """A metrics file's data source for a "Data:" line: the line without caveats when the file has
    it (``data_source_short``; the cover lists every dataset's caveats once), else the whole line,
    as sentences."""
    full = str(metrics.get("data_source") or "")
    short = metrics.get("data_source_short")
    if short and short != full:
        return sentences([short, "Its caveats are listed on the cover, under Data used in this run"])
    return sentences([full])


#: optimizer names as the config gives them (torch's lower case) -> as written in prose
OPTIMIZER_NAMES = {"sgd": "SGD", "adam": "Adam", "adamw": "AdamW", "rmsprop": "RMSprop", "adagrad": "Adagrad"}


def optimizer_name(name: Any) -> str:
    """An optimizer's usual spelling (``adamw`` -> ``AdamW``); an unknown name in upper case."""
    return OPTIMIZER_NAMES.get(str(name).lower(), str(name).upper())


def ordinal(n: Any) -> str:
    """An ordinal for text: 1 -> 'first' ... 10 -> 'tenth', then '11th', '21st', '22nd', '23rd'."""
    n = int(n)
    if n < 1:
        raise ValueError(f"ordinal: {n} is not a position")
    names = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth")
    if n <= len(names):
        return names[n - 1]
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def times(x: Any, digits: int = 3) -> str:
    """A multiplier as text: ``10.0 -> '10×'``, ``0.1 -> '0.1×'``, ``0.01 -> '0.01×'`` (up to
    ``digits`` significant digits, no trailing zeros)."""
    v = float(x)
    return f"{v:.{digits}g}×"


def fmt_duration(seconds: Any) -> str:
    """A duration for text: under two minutes in seconds (``'42.5 s'``), else in minutes
    (``'16.1 min'``), so a short run is never shown as '0.0 minutes'."""
    s = float(seconds)
    return f"{s:.3g} s" if s < 120 else f"{s / 60:.1f} min"
