"""Storyboard domain metrics (no prompts or job ids in labels)."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

PARSE_TOTAL = Counter(
    "cinesynth_storyboard_parse_total",
    "Language-model storyboards by parse outcome: ok, repaired (fields filled by the planner) or fallback.",
    ["backend", "outcome"],
)
STORYBOARDS_TOTAL = Counter(
    "cinesynth_storyboard_created_total",
    "Storyboards returned, by backend that wrote them (client = supplied by the caller).",
    ["backend"],
)
GENERATION_SECONDS = Histogram(
    "cinesynth_storyboard_generation_seconds",
    "Time to write one storyboard, by backend.",
    ["backend"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600),
)
