"""Dispatch ``python -m grader <command>`` to the module of that command."""

import argparse
import sys

from grader import autograde, course, feedback, release


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m grader", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    for module in (release, course, autograde, feedback):
        module.add_arguments(commands)
    args = parser.parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
