-- The shop schema for MySQL 8 and MariaDB 10.6+: the tables, columns and indexes of
-- the reference data set with MySQL's types, and the same index names as
-- schema.sqlite.sql and schema.postgres.sql.
--
-- Layout: the CREATE TABLE statements, then a line that reads exactly
--     -- indexes
-- then the CREATE INDEX statements. A bulk loader runs the part above that line,
-- fills the tables, and only then runs the part below it (then ANALYZE TABLE).
-- Running the whole file at once gives the same schema.
--
-- Text columns that are indexed or compared are VARCHAR (MySQL indexes TEXT only by
-- a prefix); the default collation (utf8mb4_general_ci on MariaDB,
-- utf8mb4_0900_ai_ci on MySQL 8) is case- and accent-insensitive, and folio's
-- cursors break its ties by id. Timestamps are DATETIME(6) in UTC (sqlx sets the
-- session's time zone to UTC).

CREATE TABLE users (
    id          BIGINT       NOT NULL AUTO_INCREMENT PRIMARY KEY,
    name        VARCHAR(255) NOT NULL,
    email       VARCHAR(255) NOT NULL UNIQUE,
    created_at  DATETIME(6)  NOT NULL
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

CREATE TABLE products (
    id          BIGINT       NOT NULL AUTO_INCREMENT PRIMARY KEY,
    name        VARCHAR(255) NOT NULL,
    category    VARCHAR(64)  NOT NULL,        -- one of about 20 categories
    price_cents BIGINT       NOT NULL,
    rating      DOUBLE       NULL,            -- NULL for about 10% of rows
    created_at  DATETIME(6)  NOT NULL,
    description TEXT         NOT NULL         -- about 500 bytes: the heavy column, loaded only on demand
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

CREATE TABLE orders (
    id          BIGINT       NOT NULL AUTO_INCREMENT PRIMARY KEY,
    user_id     BIGINT       NOT NULL,
    status      VARCHAR(16)  NOT NULL,        -- pending | paid | shipped | delivered | cancelled
    total_cents BIGINT       NOT NULL,
    created_at  DATETIME(6)  NOT NULL,
    CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

-- indexes
-- Indexes that serve the API's orderings and filters (every ordering ends in id).
CREATE INDEX products_created_at_id   ON products (created_at, id);
CREATE INDEX products_price_id        ON products (price_cents, id);
CREATE INDEX products_rating_id       ON products (rating, id);
CREATE INDEX products_category_id     ON products (category, id);
CREATE INDEX products_category_price  ON products (category, price_cents, id);
CREATE INDEX orders_user_created_id   ON orders (user_id, created_at, id);
CREATE INDEX users_created_at_id      ON users (created_at, id);
-- Added by the index audit (`folio-shop audit`, docs/audit.md): without them these
-- orderings sort every filtered row on every page, cursor pages included.
CREATE INDEX products_name_id               ON products (name, id);
CREATE INDEX products_category_name_id      ON products (category, name, id);
CREATE INDEX products_category_rating_id    ON products (category, rating, id);
CREATE INDEX products_category_created_at_id ON products (category, created_at, id);
CREATE INDEX users_name_id                  ON users (name, id);
CREATE INDEX orders_user_id_id              ON orders (user_id, id);
CREATE INDEX orders_user_total_id           ON orders (user_id, total_cents, id);
