"""A lab host running the real script moves its snapshot's moments with the collection time, so
it judges lag, expiry and drill age as the same host answering canned does."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from hvbpa.lab import demo_fleet_path, load_fleet
from hvbpa.lab.executed import at_collection
from hvbpa.lab.standin_host import NEVER_TESTED, describe


def test_moments_keep_their_distance_from_the_collection_time() -> None:
    host = load_fleet(demo_fleet_path()).host("HV-REP-01")
    snapshot = json.loads(host.snapshot_json())
    assert snapshot["collected_at"] == "2024-05-01T09:00:00Z"
    now = datetime(2026, 11, 25, 12, 0, 0, tzinfo=UTC)
    moved = json.dumps(at_collection(describe(snapshot), snapshot["collected_at"], now))
    original = json.dumps(describe(snapshot))
    # 2024-05-01T09:00 is now 2026-11-25T12:00: 2 years, 6 months... later by the same offset.
    assert '"last_replication_time": "2024-05-01T08:57:00Z"' in original
    assert '"last_replication_time": "2026-11-25T11:57:00Z"' in moved
    assert '"not_after": "2026-12-07T12:00:00Z"' in moved  # 12 days after collection, as before
    assert f'"last_test_failover_time": "{NEVER_TESTED}"' in moved, "never tested stays never tested"
    assert "2024-" not in moved


def test_a_snapshot_without_a_collection_time_is_left_alone() -> None:
    description = {"vms": [{"last_replication_time": "2024-05-01T08:57:00Z"}]}
    assert at_collection(description, None, datetime.now(UTC)) == description
    assert at_collection(description, "yesterday", datetime.now(UTC)) == description
