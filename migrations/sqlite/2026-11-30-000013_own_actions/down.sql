ALTER TABLE plans DROP COLUMN own_action_of;
