"""The seqlab grader: release labs from solutions, autograde a class, write feedback.

Run from the repository root:  ``python -m grader {release,autograde,feedback} ...``.
One module per subcommand; ``course`` knows the layout and runs nbgrader in scratch folders.
"""
