from khoso.cli import run

run()
