"""Where the tests find their data: the repository, tests/data, and ../shared beside it."""

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
TEST_DATA = REPO / "tests" / "data"
SHARED = REPO.parent / "shared"
SHARED_FIXTURES = SHARED / "fixtures" / "eutils"
