-- A batch keeps what it pays: per payment the payee's IBAN, the holder's name and the
-- remittance text as they were when the batch was made, and the SEPA file made then, served
-- as stored. A later change of a bank account changes neither the file nor the letters.
CREATE TABLE batch_transfers (
    batch_id TEXT NOT NULL REFERENCES payment_batches (id),
    payment_id TEXT NOT NULL REFERENCES payments (id),
    iban TEXT NOT NULL,
    holder TEXT NOT NULL,
    remittance TEXT NOT NULL,
    PRIMARY KEY (batch_id, payment_id)
);
CREATE INDEX batch_transfers_payment ON batch_transfers (payment_id);

-- Batches made before this change get their file on their first download after it.
ALTER TABLE payment_batches ADD COLUMN sepa_file TEXT;
