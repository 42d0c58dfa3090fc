"""What the twin keeps: the store, the fixture workspaces, the audit trail, signed file links."""
