# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging

from odoo import api, models
from odoo.tools import SQL

from ..locks import job_lock_free

_logger = logging.getLogger(__name__)

# The integration jobs that hold their liveness lock while they run.
INTEGRATION_JOB_METHODS = ("_job_process_events", "_job_process_lane", "_job_dispatch")
# A started job is looked at after this many seconds (its lock is taken at
# once when it starts).
STARTED_GRACE_SECONDS = 60


class QueueJob(models.Model):
    """Integration jobs interrupted by the death of their worker.

    A worker killed while running a job (SIGKILL, time or memory limit)
    leaves the job 'started' for ever: queue_job cannot tell it from a long
    job. The integration jobs hold an advisory lock while they run (see
    ``locks.hold_job_lock``), which PostgreSQL releases with the dead
    worker's connection; a started integration job whose lock is free is
    requeued. Its events and deliveries count the interrupted attempt
    themselves, so a job that kills its worker each time ends, its poison
    event or delivery dead.
    """

    _inherit = "queue.job"

    @api.model
    def _cron_requeue_interrupted_integration_jobs(self):
        self.env.cr.execute(
            SQL(
                """
                SELECT id, uuid FROM queue_job
                WHERE state = 'started' AND method_name IN %s
                  AND date_started < now() at time zone 'UTC'
                      - make_interval(secs => %s)
                """,
                INTEGRATION_JOB_METHODS,
                STARTED_GRACE_SECONDS,
            )
        )
        dead = [
            job_id
            for job_id, job_uuid in self.env.cr.fetchall()
            if job_lock_free(self.env.cr, job_uuid)
        ]
        if dead:
            _logger.warning(
                "Requeuing %s integration job(s) whose worker died", len(dead)
            )
            # Not requeue(): recent queue_job releases requeue only failed,
            # done or cancelled jobs (they requeue dead started jobs in their
            # runner, through queue.job.lock; older releases never do).
            self.browse(dead)._change_job_state("pending")
        return len(dead)
