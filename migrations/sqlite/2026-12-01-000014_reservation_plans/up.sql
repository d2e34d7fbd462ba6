-- The plan a reservation was turned into: the reservation keeps holding its money for that
-- plan until the plan is granted (then the grant takes its place) or the team releases it.
ALTER TABLE reservations ADD COLUMN plan_id TEXT REFERENCES plans (id);
