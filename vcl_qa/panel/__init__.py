"""Community Involvement Panel: sampling, anonymised review queue, ratings, agreement, reports.

Modules: settings (rules/panel.yml and managers' policy), periods, sampling (draw, manual
add/remove, rater assignment), rating (queue, rating, reveal, verdicts), agreement and stats
(Krippendorff's alpha, Spearman, rule precision), feedback (for authors), report (the board's).
"""
