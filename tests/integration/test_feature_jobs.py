"""The features' own jobs are registered from their plugins, with their schedules."""

from __future__ import annotations

import json


def test_feature_jobs_are_listed_with_their_schedules(kdc_run):
    result = kdc_run("jobs", "list", "--json")
    assert result.exit_code == 0, result.output
    listed = {item["name"]: item["schedule"] for item in json.loads(result.output)}
    assert listed["newsletter"] == "0 8 1 * *"
    assert listed["directory_reminders"] == "0 9 1 * *"
    # run by hand until kdc.toml gives them a schedule
    assert listed["directory_sync"] is None and listed["caldav_push"] is None


def test_caldav_push_job_without_a_caldav_section_fails_saying_so(kdc_run):
    result = kdc_run("jobs", "run", "caldav_push")
    assert result.exit_code == 1
    assert "caldav_push: failed" in result.output and "[plugins.caldav]" in result.output
