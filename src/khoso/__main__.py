from khoso.cli import main

main()
