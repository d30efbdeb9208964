# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Make ``partner_kit`` importable, and provide the stand-in Odoo."""

import pathlib
import sys

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2]))

from partner_kit.client import IntegrationClient  # noqa: E402
from partner_kit.retry import RetryPolicy  # noqa: E402
from stand_in import SECRET, SOURCE, TOKEN, StandInOdoo  # noqa: E402

# Retries in milliseconds: the tests assert the delays, not wait for them.
FAST_RETRY = RetryPolicy(max_attempts=3, base_delay=0.01, max_delay=0.05)


@pytest.fixture
def odoo():
    server = StandInOdoo().start()
    yield server
    server.stop()


@pytest.fixture
def client(odoo):
    return IntegrationClient(
        odoo.url, TOKEN, SECRET, SOURCE, timeout=5, retry=FAST_RETRY
    )
