"""The encrypted archive: volume format (`volume`), case records (`record`), the key
hierarchy (`keys`, `master`), moving cases into volumes (`store`), retention and
purges (`retention`, `custody`), verification (`verify`) and the recovery sheet.
The use cases the UI and CLI call are in `branchdesk.services.archiving`."""
