"""`python -m bot.cli`: the same as the `learnbot` command."""

from bot.cli import main

main()
