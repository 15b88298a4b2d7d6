"""Reports for the director and the Ministry: progress against the 30 % / 80 % targets, cost, annual report."""
