DROP TABLE grant_reports;
DROP TABLE payments;
DROP TABLE payment_batches;
DROP TABLE grants;
DROP TABLE bank_account_changes;
DROP TABLE bank_accounts;
ALTER TABLE rounds DROP COLUMN advance_share;
