DROP TABLE message_notices;
DROP TABLE plan_messages;
