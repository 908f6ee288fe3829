"""The errors litwatch raises on purpose.

    LitwatchError                 anything the CLI turns into one clear line and an exit code
    ├── ConfigError               a bad setting, named; raised at start
    ├── EutilsError               an E-utilities request failed (``retryable`` says if trying
    │   │                         again later may help; ``request`` names what was asked)
    │   ├── QueryError            NCBI refused the query itself (syntax, unknown field)
    │   └── HistoryExpiredError   the WebEnv/query_key session is gone; re-run esearch
    ├── ParseError                a PubMed XML document could not be read at all
    │   └── ImportFileError       a file to import holds no usable record or PMID
    ├── KnowledgeBaseError        a findings file is malformed (names the line and key)
    ├── StoreError                a database operation failed in a way the user can act on
    │   └── SearchQueryError      a local full-text query holds no word to search for
    └── DeliveryError             an email could not be delivered (``permanent`` says if
                                  retrying can never help)

One bad record is not an error of this tree: the parser counts and logs it and goes on.
"""

from __future__ import annotations


class LitwatchError(Exception):
    """Base of every error the CLI reports as one line."""

    exit_code = 1


class ConfigError(LitwatchError):
    """A setting has a bad value; the message names the setting."""

    exit_code = 2


class EutilsError(LitwatchError):
    """An E-utilities request failed."""

    def __init__(self, message: str, *, request: str = "", retryable: bool = False) -> None:
        super().__init__(f"{message} ({request})" if request else message)
        self.request = request
        self.retryable = retryable


class QueryError(EutilsError):
    """NCBI could not run the query as written."""


class HistoryExpiredError(EutilsError):
    """The history-server session (WebEnv) no longer exists."""

    def __init__(self, message: str = "history session expired", *, request: str = "") -> None:
        super().__init__(message, request=request, retryable=True)


class ParseError(LitwatchError):
    """A PubMed XML document could not be parsed at all."""


class ImportFileError(ParseError):
    """A file given to import (.nbib or a PMID list) holds nothing that can be used."""

    exit_code = 2


class KnowledgeBaseError(LitwatchError):
    """A knowledge-base (findings) file is malformed."""

    exit_code = 2


class StoreError(LitwatchError):
    """A database operation failed in a way the user can act on."""


class SearchQueryError(StoreError):
    """A local full-text query cannot be run as typed (no word in it, or far too many)."""

    exit_code = 2


class DeliveryError(LitwatchError):
    """An email could not be delivered."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent
