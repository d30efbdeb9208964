-- A copy of the database (staging, tests) must not deliver to the partners
-- of the original: deactivate the outbound connectors, cancel their open
-- deliveries and the jobs that would send them. Re-activate a connector
-- only after pointing it to a test partner.
UPDATE integration_connector
   SET active = false,
       disabled_reason = 'Deactivated by the neutralization of this database copy.'
 WHERE active;

UPDATE integration_delivery
   SET state = 'cancelled', next_attempt_at = NULL,
       claimed_by = NULL, claimed_at = NULL
 WHERE state IN ('pending', 'sending', 'retrying');

UPDATE queue_job
   SET state = 'cancelled'
 WHERE channel = 'root.integration.outbound'
   AND state IN ('wait_dependencies', 'pending', 'enqueued', 'started');
