DROP TABLE rounds;
DROP TABLE users;
DROP TABLE organisations;
