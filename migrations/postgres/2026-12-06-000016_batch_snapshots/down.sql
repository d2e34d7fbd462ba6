ALTER TABLE payment_batches DROP COLUMN sepa_file;
DROP TABLE batch_transfers;
