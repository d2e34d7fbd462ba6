ALTER TABLE reservations DROP COLUMN plan_id;
