-- An organisation's own action, filed by the programme team for it (the municipality's own
-- actions): no applicant, no letters.
ALTER TABLE plans ADD COLUMN own_action_of TEXT;
