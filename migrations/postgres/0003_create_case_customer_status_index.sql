-- A customer's cases in one status, newest first: without it, "solved cases of customer X" walked every
-- solved case of the organisation in date order (measured 450 ms at 345k cases).
CREATE INDEX case_customer_status ON support_case (customer_id, status, updated_at, id);
