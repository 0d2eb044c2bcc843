# nbgrader configuration for seqlab. The grader copies this file into each scratch course folder
# it builds, so `solutions/<unit>` plays nbgrader's `source/<unit>` and `labs/<unit>` its
# `release/<unit>`. `python -m grader autograde` does not read the Execute limits below: it runs
# submissions in its own sandbox with CPU-time limits (its --cell-cpu, --notebook-cpu and
# --wall-factor options); they apply only to nbgrader's own commands.
c = get_config()  # noqa: F821  (provided by traitlets when nbgrader loads this file)

c.CourseDirectory.course_id = "seqlab"
c.CourseDirectory.source_directory = "source"
c.CourseDirectory.release_directory = "release"
c.CourseDirectory.submitted_directory = "submitted"
c.CourseDirectory.autograded_directory = "autograded"
c.CourseDirectory.db_url = "sqlite:///gradebook.db"

# What a student sees in place of a reference answer. Only the function body is replaced, so the
# lab still runs top to bottom; calling an unfinished function raises NotImplementedError.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.enforce_metadata = True

# nbgrader's own per-cell limit (wall-clock seconds), for nbgrader's commands only.
c.Execute.timeout = 60
c.Execute.interrupt_on_timeout = True
c.Execute.allow_errors = True

c.Autograde.create_student = True
