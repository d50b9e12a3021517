"""The errors cckg raises. The CLI turns each into one line and a non-zero exit."""
from __future__ import annotations


class CckgError(Exception):
    """Base class of every error cckg raises on purpose."""

    exit_code = 1

    def lines(self) -> list[str]:
        """What to tell the user, one line per problem."""
        return [str(self)]


class InputError(CckgError):
    """A document cannot be read: missing, empty, binary or undecodable.

    Args:
        path: the file (or folder) at fault.
        problem: what is wrong with it, in a few words.
    """

    exit_code = 2

    def __init__(self, path: object, problem: str) -> None:
        self.path = str(path)
        self.problem = problem
        super().__init__(f"{self.path}: {problem}")


class RejectedInput(InputError):
    """Several documents cannot be read: a strict build, or one with no good document left.

    Args:
        errors: the error of each path or file, in the order met.
    """

    def __init__(self, errors: list[InputError]) -> None:
        self.errors = list(errors)
        CckgError.__init__(self, "; ".join(map(str, self.errors)))
        self.path = self.errors[0].path if self.errors else ""
        self.problem = str(self)

    def lines(self) -> list[str]:
        return [str(err) for err in self.errors]


class StoreError(CckgError):
    """The graph store is missing, locked or unreadable."""

    exit_code = 3


class QueryError(CckgError):
    """A SPARQL query is malformed or cannot be run."""

    exit_code = 4


class ExecutorError(CckgError):
    """Extraction could not run where it was sent: a Dask scheduler that cannot be reached or
    has no workers, or a worker process that died (killed for memory, say)."""

    exit_code = 5
