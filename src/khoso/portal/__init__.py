"""The public portal: the catalogue anyone may search and browse without logging in."""
