"""Per-period agreement: between raters (Krippendorff's alpha, ordinal), between the panel's
overall rating and the automatic score (Spearman), and each rule's precision from verdicts."""
from __future__ import annotations

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from sqlite_utils import Database

from vcl_qa.labels import percent
from vcl_qa.panel import periods
from vcl_qa.panel.settings import load_panel_rules
from vcl_qa.panel.stats import krippendorff_alpha, spearman


def _ratings(db: Database, period_id: int) -> list[dict]:
    return list(db.query(
        "SELECT i.id AS item_id, i.score, a.rater_id, r.id AS rating_id, r.overall"
        " FROM panel_ratings r JOIN panel_assignments a ON a.id = r.assignment_id"
        " JOIN panel_items i ON i.id = a.item_id WHERE i.period_id = ? AND i.removed_at IS NULL",
        [period_id]))


def min_letters_for_agreement() -> int:
    """Below this many letters agreement is not put into words ("too few letters to say"): a
    rank correlation of two letters is always 1 or -1, whatever the panel thought."""
    return int(load_panel_rules().report.get("min_letters_for_agreement", 5))


def _too_few(letters: int | None, rated: str) -> str | None:
    """"too few letters to say (2 rated; 5 needed)" when `letters` is under the minimum."""
    needed = min_letters_for_agreement()
    if letters is None or not 0 < letters < needed:
        return None
    return f"too few letters to say ({letters} {rated}; {needed} needed)"


# Krippendorff's alpha has no value when every rating is the same (nothing to tell agreement
# from chance by): with enough letters rated, that is what it means, never "not yet enough
# ratings" (a review).
EVERY_RATING_THE_SAME = "completely (every member gave every letter the same rating, so no figure can be worked out)"


def members_agree_words(alpha: float | None, letters: int | None = None) -> str:
    """Krippendorff's alpha in words: how far panel members agreed with each other. `letters`:
    the letters rated by more than one member, which alpha is worked out from. The words are
    judged on the figure as every page shows it (`shown`, two places), so a figure and its
    words never disagree: alpha of exactly 2/3 was "somewhat" beside "0.67" and a threshold of
    0.667 (Krippendorff's own, 2/3 as usually written)."""
    r = load_panel_rules().report
    few = _too_few(letters, "rated by more than one member")
    if few:
        return few
    if alpha is None:
        if letters:  # enough letters, and still none: every rating given was the same one
            return EVERY_RATING_THE_SAME
        return "not yet enough ratings"
    alpha = shown(alpha)  # judged as shown beside the words: 2/3 is "0.67", strongly (not "somewhat")
    if alpha >= float(r.get("agree_strongly", 0.667)):
        return "strongly"
    return "somewhat" if alpha >= float(r.get("agree_somewhat", 0.4)) else "hardly at all"


# Spearman's rho has no value when the panel gave every letter the same rating (its mean over
# the members), or the score was the same for every letter: there is no order to compare. With
# enough letters rated, that is what the words say, not "not yet enough ratings" (an audit: 7
# letters, 14 ratings, every letter rated 3 by one member and 4 by the other).
NO_ORDER_TO_COMPARE = ("cannot be said (the panel rated every letter the same, or the score was the same for "
                       "every letter, so there is no order to compare)")


def score_agrees_words(rho: float | None, letters: int | None = None) -> str:
    """Spearman's rho in words: how far the automatic score ranks letters as the panel does.
    A strongly negative rho is not "hardly at all": the score puts the letters the other way
    round from the panel (at -1 in exactly the reverse order), which a board must be told
    (review 11a, finding 9): "the opposite way" at `score_opposite` (-0.4) or below.
    `letters`: the letters rated and scored, which rho is worked out from."""
    r = load_panel_rules().report
    few = _too_few(letters, "rated")
    if few:
        return few
    if rho is None:
        return NO_ORDER_TO_COMPARE if letters else "not yet enough ratings"
    rho = shown(rho)  # judged as shown beside the words ("0.70" is closely, "-0.40" the opposite way)
    if rho >= float(r.get("score_closely", 0.7)):
        return "closely"
    if rho >= float(r.get("score_somewhat", 0.4)):
        return "somewhat"
    return "the opposite way" if rho <= float(r.get("score_opposite", -0.4)) else "hardly at all"


def shown(value: float | None, places: int = 2) -> float | None:
    """A statistic to two places, as every page, chart and report shows it: halves away from
    zero ("-0.155" is -0.16). A review found one figure shown three ways: -16 on the dashboard's
    chart (Python's round to even of -15.5), -0.15 in its table (two places of the binary
    -0.15499...) and -0.155 in the board report. `places`: another figure's own (the board
    report's averages, rules/panel.yml `places_rating`, `places_score`)."""
    if value is None:
        return None
    # + 0.0: a figure that rounds to nothing is 0.00, never "\u22120.00" (-0.004 was shown so)
    return float(Decimal(str(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)) + 0.0


def figure_words(value: float | None, places: int = 2) -> str:
    """A statistic as people read it beside its words: "0.82", "-1.00" (a true minus sign, so a
    negative figure is never read as a dash), or "" when there is none (`shown`)."""
    if value is None:
        return ""
    return f"{shown(value, places):.{places}f}".replace("-", "\u2212")


def change_figure(now: float | None, before: float | None, places: int = 2) -> float | None:
    """The change between two figures as shown (each to `places` first), None without both."""
    if now is None or before is None:
        return None
    return round(shown(now, places) - shown(before, places), places) + 0.0  # never -0.0


def change_words(now: float | None, before: float | None, places: int = 2) -> str:
    """The change between two statistics as shown ("+0.05", "\u22120.30"), "" without both."""
    change = change_figure(now, before, places)
    if change is None:
        return ""
    return ("+" if change > 0 else "") + f"{change:.{places}f}".replace("-", "\u2212")


def _round(x: float | None, places: int = 3) -> float | None:
    return None if x is None else round(x, places)


def verdict_counts(db: Database, period_id: int, by_severity: bool = False) -> list[tuple]:
    """(rule, [severity,] shown, not_a_problem, agree) for the period's findings revealed to a
    member, once per member, by rule (and by the severity each finding was stored with)."""
    keys = "f.rule, f.severity" if by_severity else "f.rule"
    return db.execute(
        f"SELECT {keys}, count(*) AS shown,"
        " sum(CASE WHEN v.verdict = 'not_a_problem' THEN 1 ELSE 0 END),"
        " sum(CASE WHEN v.verdict = 'agree' THEN 1 ELSE 0 END)"
        " FROM panel_assignments a JOIN panel_items i ON i.id = a.item_id"
        " JOIN findings f ON f.result_id = i.result_id AND f.suppressed = 0"
        " LEFT JOIN panel_verdicts v ON v.assignment_id = a.id AND v.finding_id = f.id"
        " WHERE i.period_id = ? AND i.removed_at IS NULL AND a.revealed_at IS NOT NULL"
        f" GROUP BY {keys} ORDER BY {keys}", [period_id]).fetchall()


def rule_precision(db: Database, period_id: int) -> list[dict]:
    """Each rule's findings as the panel judged them, once per member who revealed them.

    Only explicit answers count: "agree" for the rule, "not a problem" against it. A finding
    revealed and left unmarked is `unanswered` and counts neither way (opening the findings is
    not agreeing with them). `shown` = times a member saw one of the rule's findings;
    `judged` = agreed + not_a_problem; precision = agreed / judged, None when nobody answered.
    """
    out = []
    for rule, shown, nap, agree in verdict_counts(db, period_id):
        judged = nap + agree
        out.append({"rule": rule, "shown": shown, "judged": judged, "agreed": agree, "not_a_problem": nap,
                    "unanswered": shown - judged,
                    "precision": _round(agree / judged) if judged else None})
    # The least agreed-with first; rules nobody answered on last.
    out.sort(key=lambda r: (r["precision"] is None, r["precision"] or 0.0, -r["judged"], r["rule"]))
    return out


def min_answers_for_share() -> int:
    """Below this many answers a share is given as counts only ("2 of 3"), never as a percentage."""
    return int(load_panel_rules().report.get("min_answers_for_share", 5))


def share_words(part: int, whole: int, none_yet: str = "no answers yet", noun: str = "answers") -> str:
    """A share with the count behind it: "75% (15 of 20 answers)"; with few answers the counts
    alone ("1 of 1 answer"); with none, `none_yet`, never a percentage."""
    if not whole:
        return none_yet
    counted = f"{part} of {whole} {noun[:-1] if whole == 1 and noun.endswith('s') else noun}"
    if whole < min_answers_for_share():
        return counted
    return f"{percent(part, whole, 0)}% ({counted})"


def agreement(db: Database, name: str) -> dict:
    """The period's agreement figures (None where a figure is undefined, e.g. too few ratings)."""
    period = periods.get_period(db, name)
    ratings = _ratings(db, period["id"])
    by_item: dict[int, list[int]] = defaultdict(list)
    scores: dict[int, int | None] = {}
    for r in ratings:
        by_item[r["item_id"]].append(r["overall"])
        scores[r["item_id"]] = r["score"]
    item_scores: dict[str, dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
    for item_id, key, score in db.execute(
            "SELECT a.item_id, s.item, s.score FROM panel_scores s JOIN panel_ratings r ON r.id = s.rating_id"
            " JOIN panel_assignments a ON a.id = r.assignment_id JOIN panel_items i ON i.id = a.item_id"
            " WHERE i.period_id = ? AND i.removed_at IS NULL", [period["id"]]):
        item_scores[key][item_id].append(score)
    rubric = load_panel_rules()
    per_item = {k: _round(krippendorff_alpha(list(item_scores[k].values()), "ordinal")) for k in rubric.item_ids}
    pairs = [(sum(v) / len(v), scores[i]) for i, v in by_item.items() if scores[i] is not None]
    rho = spearman([p for p, _ in pairs], [s for _, s in pairs]) if pairs else None
    items = db.execute("SELECT count(*) FROM panel_items WHERE period_id = ? AND removed_at IS NULL",
                       [period["id"]]).fetchone()[0]
    alpha = _round(krippendorff_alpha(list(by_item.values()), "ordinal"))
    twice = sum(1 for v in by_item.values() if len(v) >= 2)
    return {
        "period": name,
        "letters": items,
        "letters_rated": len(by_item),
        "letters_with_two_or_more_ratings": twice,
        "ratings": len(ratings),
        "raters": len({r["rater_id"] for r in ratings}),
        "alpha_overall": alpha,
        "alpha_items": per_item,
        "spearman_overall_vs_score": _round(rho),
        "spearman_pairs": len(pairs),
        # the figures in words, as the dashboard and the board report give them: with fewer than
        # `min_letters` letters behind a figure, "too few letters to say (2 rated; 5 needed)"
        "members_agree_words": members_agree_words(alpha, twice),
        "score_agrees_words": score_agrees_words(_round(rho), len(pairs)),
        "min_letters": min_letters_for_agreement(),
        "rules": rule_precision(db, period["id"]),
    }


def agreement_csv_rows(data: dict) -> list[list]:
    """The agreement figures as CSV rows (measure, name, value, count)."""
    rows = [["measure", "name", "value", "count"],
            ["alpha_ordinal", "overall", data["alpha_overall"], data["letters_with_two_or_more_ratings"]]]
    rows += [["alpha_ordinal", k, v, data["letters_with_two_or_more_ratings"]] for k, v in data["alpha_items"].items()]
    rows.append(["spearman", "overall_vs_score", data["spearman_overall_vs_score"], data["spearman_pairs"]])
    rows += [["rule_precision", r["rule"], r["precision"], r["judged"]] for r in data["rules"]]
    return rows
