"""Training: the guide to the letter standard, exercises (rules/training/) scored by the real
engine, each attempt stored, progress for staff and managers, and exercises made from letters
the Community Involvement Panel rated poorly.

Exercises never touch the letters tables: they do not count in the letters list, the dashboard
or the panel's figures."""
