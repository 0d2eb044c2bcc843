"""What the grader runs inside a student's kernel: call a function, or run a probe snippet.

Everything here runs under the student's control and is trusted for nothing: the grader decodes
each reply strictly (``seqlab.plain``) and decides pass or fail in its own process. A reply is a
plain-data token ``{"ok": ..., "value" | "error" + "message", "rngs": [states]}``.
"""

from seqlab import plain


def _namespace() -> dict:
    try:
        return get_ipython().user_ns  # noqa: F821  (defined inside IPython)
    except NameError:
        import __main__

        return vars(__main__)


def _reply(run, payload: str) -> str:
    try:
        (args, kwargs), rngs = plain.decode_with_rngs(payload)
        value = run(args, kwargs)
        return plain.encode({"ok": True, "value": value, "rngs": rngs})
    except BaseException as error:  # the student's exception, KeyboardInterrupt included
        reply = {"ok": False, "error": type(error).__name__, "message": str(error)[:500]}
        return plain.encode(reply)


def call(name: str, payload: str) -> str:
    """Call the student's ``name(*args, **kwargs)``; the reply carries its return value."""
    return _reply(lambda args, kwargs: _namespace()[name](*args, **kwargs), payload)


def probe(code: str, payload: str) -> str:
    """Run ``code`` in a copy of the student's namespace with ``kwargs`` bound; reply ``result``."""

    def run(args, kwargs):
        scope = dict(_namespace())
        scope.update(kwargs)
        exec(code, scope)
        return scope["result"]

    return _reply(run, payload)
