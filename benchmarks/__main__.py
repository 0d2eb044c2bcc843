"""``python -m benchmarks [NAME ...]``: run the named benchmarks (default: all) and print tables."""

import sys

from benchmarks import class_grading, grader_throughput, music_lstm, transformer

BENCHMARKS = {"grader": grader_throughput.main, "class": class_grading.main, "music": music_lstm.main,
              "transformer": transformer.main}


def main(argv: list[str]) -> int:
    names = argv or list(BENCHMARKS)
    for name in names:
        if name not in BENCHMARKS:
            print(f"unknown benchmark {name!r}; choose from {', '.join(BENCHMARKS)}", file=sys.stderr)
            return 2
        BENCHMARKS[name]()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
