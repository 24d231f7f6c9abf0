"""The blood-group mix of a drive's donors, by site and overall, against a reference if one is given.

A session sheet may count its donors by ABO group (`blood_a`, `blood_b`,
`blood_ab`, `blood_o`). Only sessions held (see `compute`) that give all four
are counted. Each cell counts people, so the table leaves here through
`disclosure.protect`: a group of fewer than `min_cell` donors at a site is
hidden, and so is another cell of the same site (the site's total would give
it back) and of the same group (the drive's total would give it back), until
no total gives a hidden cell back.

No reference distribution is published in `data/published/`: the report
compares with one only when the analyst gives it (`blood_group_reference`,
the shares of A, B, AB and O, adding up to 1).
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from analysis.errors import ProgressError
from analysis.model import disclosure

GROUPS = ("blood_a", "blood_b", "blood_ab", "blood_o")
NAMES = {"blood_a": "A", "blood_b": "B", "blood_ab": "AB", "blood_o": "O"}
OVERALL = ""  # the site key of the drive's row (shown under a label in the reader's language)
COUNTS = {"donors": ["share"]}  # a hidden count hides its share


def reference(value: Mapping[str, object] | None) -> dict[str, float] | None:
    """The `blood_group_reference` parameter as {blood_a: share, ...}; None when not given.

    Keys are the groups, written A, B, AB, O (any case) or blood_a...blood_o; values are
    shares adding up to 1 (within 0.01). Anything else is a one-line `ProgressError`.
    """
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise ProgressError("blood_group_reference must map A, B, AB and O to their shares, "
                            f"e.g. {{A: 0.25, B: 0.25, AB: 0.25, O: 0.25}}; got {type(value).__name__}")
    keys = {str(k).strip().lower().removeprefix("blood_"): v for k, v in value.items()}
    wanted = {"a", "b", "ab", "o"}
    if set(keys) != wanted:
        raise ProgressError(f"blood_group_reference needs exactly the groups A, B, AB, O; got "
                            f"{', '.join(sorted(map(str, value)))[:80]}")
    shares = {}
    for key in ("a", "b", "ab", "o"):
        share = keys[key]
        if isinstance(share, bool) or not isinstance(share, int | float) or not 0 <= share <= 1:
            raise ProgressError(f"blood_group_reference: the share of {key.upper()} must be a number "
                                f"from 0 to 1, got {str(share)[:40]!r}")
        shares["blood_" + key] = float(share)
    if abs(sum(shares.values()) - 1) > 0.01:
        raise ProgressError("blood_group_reference: the shares must add up to 1, they add up to "
                            f"{sum(shares.values()):.3f}")
    return shares


def sessions_with_groups(held: pd.DataFrame) -> pd.DataFrame:
    """The held sessions that give all four groups (none when the sheet has no such columns)."""
    if not all(g in held for g in GROUPS):
        return held.iloc[0:0]
    return held[held[list(GROUPS)].notna().all(axis=1)]


def _long(rows: pd.DataFrame) -> pd.DataFrame:
    """One row per site and group, then the drive's row (site OVERALL): donors and share of the site."""
    wide = rows.groupby("site", sort=False)[list(GROUPS)].sum().astype(int)
    wide = wide.loc[wide.sum(axis=1).sort_values(ascending=False, kind="stable").index]
    wide.loc[OVERALL] = wide.sum()
    long = wide.reset_index(names="site").melt(id_vars="site", var_name="group", value_name="donors")
    long["overall"] = long["site"] == OVERALL
    long["site_donors"] = long.groupby("site")["donors"].transform("sum")
    long["share"] = long["donors"] / long["site_donors"]
    order = {s: i for i, s in enumerate(wide.index)}
    long["_order"] = long["site"].map(order) * len(GROUPS) + long["group"].map(GROUPS.index)
    return long.sort_values("_order").drop(columns="_order").reset_index(drop=True)


def _round(frame: pd.DataFrame, by: str, min_cell: int, only: pd.Series | None = None) -> pd.DataFrame:
    """One pass of complementary suppression within each `by` group (whose cells add up to a total
    that is shown): where one cell is hidden, `disclosure.protect` hides the smallest other."""
    out = frame.copy()
    rows = out if only is None else out[only]
    for _, part in rows.groupby(by, sort=False):
        safe = disclosure.protect(part[["donors", "share"]], min_cell, COUNTS, {"donors": None})
        out.loc[part.index, ["donors", "share"]] = safe.frame[["donors", "share"]]
    return out


def mix(held: pd.DataFrame, min_cell: int) -> disclosure.Safe | None:
    """The blood-group mix as a `Safe` long table (None when no held session gives the groups).

    Columns: site (OVERALL for the drive), group, donors, share (of the site's donors with a
    group), site_donors, overall, suppressed, complementary. Hidden cells are NA.
    """
    rows = sessions_with_groups(held)
    if rows.empty:
        return None
    long = _long(rows)
    first = disclosure.protect(long, min_cell, COUNTS)  # the small cells
    primary = first.frame["suppressed"].to_numpy()
    frame = first.frame.drop(columns=["suppressed", "complementary"])
    while True:
        hidden = int(frame["donors"].isna().sum())
        frame = _round(frame, "site", min_cell)  # a site's groups add up to its donors
        sites = ~frame["overall"]
        frame = _round(frame, "group", min_cell, sites)  # the sites add up to the drive's row
        if int(frame["donors"].isna().sum()) == hidden:
            break
    safe = disclosure.protect(frame, min_cell, COUNTS)  # every hidden cell is NA, so stays hidden
    # protect sees every hidden cell as small; those hidden only to protect another are marked "x"
    safe.frame["complementary"] = safe.frame["suppressed"].to_numpy() & ~primary
    return safe


def summary(table: disclosure.Safe) -> dict:
    """The drive's row: donors with a group, each group's share (None when hidden), hidden cells."""
    frame = disclosure.require(table).frame
    drive = frame[frame["overall"]].set_index("group")
    shares = {g: (None if pd.isna(drive.loc[g, "share"]) else float(drive.loc[g, "share"])) for g in GROUPS}
    return {
        "donors": int(drive["site_donors"].iloc[0]),
        "sites": int((~frame["overall"]).sum() // len(GROUPS)),
        "shares": shares,
        "hidden_small": int((frame["suppressed"] & ~frame["complementary"]).sum()),
        "hidden_other": int(frame["complementary"].sum()),
    }
