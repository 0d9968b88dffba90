"""Deadline nudges: owner digests, channel summaries, the schedule and its log."""
