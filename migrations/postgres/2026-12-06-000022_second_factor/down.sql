ALTER TABLE sessions DROP COLUMN awaiting_code;
ALTER TABLE sessions DROP COLUMN second_factor;
DROP TABLE recovery_codes;
DROP TABLE totp_factors;
