DROP TABLE magic_links;
DROP TABLE outbox;
