"""Keep nbgrader's own, unsandboxed autograder off this course.

nbgrader's ``autograde`` (the command, and formgrader's *Autograde* button, which calls the same
code) runs a student's notebook in an ordinary kernel with the instructor's rights, and decides
the tests inside it, where the student's code can change what they see. A course folder made by
``python -m grader course`` sets ``c.Autograde.exporter_class`` to ``RefuseUnsandboxedAutograde``:
nbgrader builds its exporter before it touches the gradebook or a single file, so the refusal
comes first, and the message names the command that grades in the sandbox. Formgrader shows it
in its error dialog.
"""

from nbconvert.exporters import NotebookExporter
from nbgrader.converters.base import NbGraderException

MESSAGE = (
    "This course is graded in a sandbox, not by nbgrader's autograder (which would run the "
    "students' code with your rights). Grade from the course repository with:\n"
    "    python -m grader autograde {course}/submitted --course {course}\n"
    "Formgrader then shows the scores, and you grade the written answers here as usual."
)


class RefuseUnsandboxedAutograde(NotebookExporter):
    """An exporter that nbgrader's ``Autograde`` cannot build: it stops with ``MESSAGE``."""

    def __init__(self, *args, parent=None, **kwargs):
        course = getattr(getattr(parent, "coursedir", None), "root", "COURSE_DIR")
        message = MESSAGE.format(course=course)
        if parent is not None:
            parent.log.error(message)
        raise NbGraderException(message)
