"""`python -m envyard` is the same as the `envyard` command."""

from envyard.cli.main import main

main()
