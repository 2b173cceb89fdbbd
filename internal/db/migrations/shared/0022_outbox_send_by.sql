-- A message that is no use late: a reminder of tomorrow's session sent
-- after retries at midnight, or on the day, would mislead the person it is
-- for. send_by is when it stops being worth sending (NULL: always worth
-- it); the worker marks a message it claims after then failed, unsent,
-- with the reason.
ALTER TABLE outbox ADD COLUMN send_by BIGINT
