# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.tests import new_test_user, tagged

from .common import PlmCase, line


@tagged("post_install", "-at_install")
class TestLargeBom(PlmCase):
    """A BOM with more lines than a chunk is imported by queue jobs, one
    chunk each, its progress shown on the release; the BOM is used only once
    complete, so a revision applies whole or not at all."""

    def setUp(self):
        super().setUp()
        self.env["ir.config_parameter"].set_param("plm_bom_import.chunk_size", 3)
        references = [f"PLMT-L{index}" for index in range(8)]
        self.finished = self.items("PLMT-LF")
        self.components = self.items(*references)
        self.lines = [
            line(ref, index + 1, position=str(10 * (index + 1)))
            for index, ref in enumerate(references)
        ]

    def run_next_job(self):
        """Run the next due job alone, as queue_job's runner would."""
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT uuid FROM queue_job WHERE state = 'pending' "
            "ORDER BY priority, date_created, id LIMIT 1"
        )
        (job_uuid,) = self.env.cr.fetchone()
        self.env.cr.execute(
            "UPDATE queue_job SET state = 'enqueued' WHERE uuid = %s", [job_uuid]
        )
        response = self.url_open(
            f"/queue_job/runjob?db={self.env.cr.dbname}&job_uuid={job_uuid}",
            timeout=120,
        )
        self.assertEqual(response.status_code, 200, response.text)
        self.env.invalidate_all()

    def test_chunks_with_progress_then_applied_whole(self):
        event = self.bom_event("PLMT-LF", "A", self.lines)
        self.assertEqual(self.post(event).status_code, 202)
        self.run_next_job()
        release = self.releases("PLMT-LF")
        self.assertEqual(self.event_record(event).state, "processed")
        self.assertEqual(self.result(self.event_record(event))["status"], "importing")
        self.assertEqual(
            (release.state, release.lines_done, release.line_count), ("importing", 0, 8)
        )
        bom = release.bom_id
        self.assertFalse(bom.active)
        self.assertEqual(bom.plm_effectivity, "importing")
        progress = []
        while release.state == "importing":
            self.assertFalse(self.bom_at(self.finished), "never used unfinished")
            self.run_next_job()
            progress.append((release.lines_done, round(release.progress)))
        self.assertEqual(progress, [(3, 38), (6, 75), (8, 100)])
        self.assertEqual(release.state, "applied")
        self.assertTrue(bom.active)
        self.assertEqual(self.bom_at(self.finished), bom)
        self.assertEqual(len(bom.bom_line_ids), 8)
        self.assertEqual(
            bom.bom_line_ids.sorted("sequence").mapped("plm_position"),
            [str(10 * (i + 1)) for i in range(8)],
        )
        self.assertEqual(
            [d["status"] for d in self.applied_events("PLMT-LF")], ["applied"]
        )

    def test_next_revision_waits_for_the_import(self):
        first = self.bom_event("PLMT-LF", "A", self.lines)
        second = self.bom_event("PLMT-LF", "B", self.lines[:2])
        self.assertEqual(self.post(first).status_code, 202)
        self.run_next_job()
        self.assertEqual(self.post(second).status_code, 202)
        self.run_next_job()
        self.run_jobs()
        waiting = self.event_record(second)
        self.assertEqual(waiting.state, "failed")
        self.assertIn("still being imported", waiting.error)
        self.fast_forward()
        self.run_jobs()
        self.assertEqual(waiting.state, "processed", waiting.error)
        self.assertEqual(self.bom_at(self.finished).plm_revision, "B")
        self.assertEqual(
            self.releases("PLMT-LF").mapped("state"), ["applied", "applied"]
        )

    def test_cancelled_import_leaves_nothing(self):
        manager = new_test_user(self.env, "plmt_lmanager", "mrp.group_mrp_manager")
        self.assertEqual(
            self.post(self.bom_event("PLMT-LF", "A", self.lines)).status_code, 202
        )
        self.run_next_job()
        self.run_next_job()
        release = self.releases("PLMT-LF")
        bom = release.bom_id
        self.assertEqual(release.lines_done, 3)
        release.with_user(manager).action_cancel_import()
        self.assertEqual(release.state, "failed")
        self.assertFalse(bom.exists())
        self.run_jobs()
        self.assertEqual(release.state, "failed", "the next chunk does nothing")
        self.assertFalse(self.bom_at(self.finished))
        last = self.applied_events("PLMT-LF")[-1]
        self.assertEqual(last["status"], "rejected")
        self.assertIn("Import cancelled", last["reason"])
