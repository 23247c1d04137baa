"""Headquarters sync: the versioned wire protocol, the branch client that pushes
the outbox and pulls instructions, and the HQ server on PostgreSQL.

It imports `branchdesk`, never `ui`. It comes to life with the HQ sync issue; the
branch already writes every case event to its outbox for it.
"""
