"""Test helpers shared by the suites (fakes, clocks, builders)."""
