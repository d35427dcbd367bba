"""The one error type users see for bad input: a field path, what is wrong, how to fix it.

The CLI prints ``error: <field>: <problem>; <fix>`` and exits with code 2.
"""


class SpecError(ValueError):
    """Bad input (spec, data file, arguments), raised before anything is written."""

    def __init__(self, field: str, problem: str, fix: str):
        self.field, self.problem, self.fix = field, problem, fix
        super().__init__(f"{field}: {problem}; {fix}")
