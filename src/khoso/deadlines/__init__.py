"""Statutory deadlines in one place: transfers to the historical archive (3 years, NĐ 30), the annual
report before 15 December, reader requests (6 working days), replicas, fixity passes and media migrations
that are due. Shown on dashboards and sent by e-mail, counted in working days of the holiday calendar."""
