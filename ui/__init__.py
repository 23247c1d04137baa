"""The desktop front end (PySide6): windows, dialogs and Qt models.

It calls `branchdesk.services` on a worker thread and is the only package in which
PySide6 appears. It comes to life with the counter-workbench issue.
"""
