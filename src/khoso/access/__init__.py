"""Access: grants of fonds to staff, and the rules that decide who sees what (deny by default)."""
