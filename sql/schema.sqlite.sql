-- The shop schema for SQLite: the tables, columns and indexes of the reference data
-- set (shared/schema.sql), kept in the repository so that nothing reads ../shared at
-- run time. schema.postgres.sql is the same schema in PostgreSQL's types.
--
-- Layout: the CREATE TABLE statements, then a line that reads exactly
--     -- indexes
-- then the CREATE INDEX statements. A bulk loader runs the part above that line,
-- fills the tables, and only then runs the part below it (building an index once
-- over loaded rows is much faster than maintaining it row by row). Running the whole
-- file at once gives the same schema.
--
-- Timestamps: TEXT in RFC 3339 UTC with microseconds and a 'Z'
-- ('2024-05-01T12:34:56.123456Z'), so that text order is time order.

CREATE TABLE users (
    id          INTEGER PRIMARY KEY,
    name        TEXT    NOT NULL,
    email       TEXT    NOT NULL UNIQUE,
    created_at  TEXT    NOT NULL
);

CREATE TABLE products (
    id          INTEGER PRIMARY KEY,
    name        TEXT    NOT NULL,
    category    TEXT    NOT NULL,             -- one of about 20 categories
    price_cents INTEGER NOT NULL,
    rating      REAL,                         -- NULL for about 10% of rows
    created_at  TEXT    NOT NULL,
    description TEXT    NOT NULL              -- about 500 bytes: the heavy column, loaded only on demand
);

CREATE TABLE orders (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users(id),
    status      TEXT    NOT NULL,             -- pending | paid | shipped | delivered | cancelled
    total_cents INTEGER NOT NULL,
    created_at  TEXT    NOT NULL
);

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
