-- splitlane schema, version 1: experiments, exposures, events and the bucket function.
--
-- Analysts and BI tools read these tables directly; the columns named in the
-- specification (§3) are a contract. Every other column has a default, so a backfill
-- can write the contract columns alone. Nothing here needs a lookup across units, so
-- exposures and events can later be distributed by unit_id (Citus).
--
-- The migrator runs this file in one transaction; IF NOT EXISTS and CREATE OR REPLACE
-- keep it harmless when run again by hand.

CREATE SCHEMA IF NOT EXISTS splitlane;

CREATE TABLE IF NOT EXISTS splitlane.schema_migrations (
    version    integer     PRIMARY KEY,
    name       text        NOT NULL,
    checksum   text        NOT NULL DEFAULT '',
    applied_at timestamptz NOT NULL DEFAULT now()
);

-- bucket(s): SHA-256 of the UTF-8 text, first four bytes as a big-endian unsigned
-- 32-bit integer, modulo 10000. The engine's assignment uses the same function, so
-- any assignment can be audited here, e.g. bucket('abc') = 2319.
CREATE OR REPLACE FUNCTION splitlane.bucket(s text) RETURNS integer
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$
    SELECT ((  (get_byte(h, 0)::bigint << 24)
             | (get_byte(h, 1)::bigint << 16)
             | (get_byte(h, 2)::bigint << 8)
             |  get_byte(h, 3)::bigint) % 10000)::integer
    FROM (SELECT sha256(convert_to(s, 'UTF8')) AS h) AS digest
$$;

COMMENT ON FUNCTION splitlane.bucket(text) IS
    'SHA-256 of the UTF-8 text, first 4 bytes big-endian unsigned, mod 10000';

-- Every definition that was synced, as JSON, with the digest of the parts that
-- decide assignment (salt, arms and weights in order, coverage, layer, eligibility).
CREATE TABLE IF NOT EXISTS splitlane.experiments (
    key        text        PRIMARY KEY,
    name       text        NOT NULL DEFAULT '',
    status     text        NOT NULL DEFAULT 'draft'
               CHECK (status IN ('draft', 'running', 'stopped')),
    definition jsonb       NOT NULL DEFAULT '{}'::jsonb,
    digest     text        NOT NULL DEFAULT '',
    synced_at  timestamptz NOT NULL DEFAULT now(),
    created_at timestamptz NOT NULL DEFAULT now()
);

-- One row per (experiment, unit): the first exposure wins and is never overwritten.
-- The primary key also serves every lookup of an experiment's exposures.
CREATE TABLE IF NOT EXISTS splitlane.exposures (
    experiment  text        NOT NULL,
    unit_id     text        NOT NULL,
    arm         text        NOT NULL,
    exposed_at  timestamptz NOT NULL DEFAULT now(),
    attributes  jsonb       NOT NULL DEFAULT '{}'::jsonb,
    source      text        NOT NULL DEFAULT 'unknown',
    recorded_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (experiment, unit_id)
);

-- Outcome events; re-ingesting an event with the same (unit_id, event_id) is a no-op.
CREATE TABLE IF NOT EXISTS splitlane.events (
    event_id    text             NOT NULL,
    unit_id     text             NOT NULL,
    event       text             NOT NULL,
    value       double precision NULL,
    occurred_at timestamptz      NOT NULL,
    ingested_at timestamptz      NOT NULL DEFAULT now(),
    PRIMARY KEY (unit_id, event_id)
);

-- Readouts join exposures to a unit's events of one kind within a time window.
CREATE INDEX IF NOT EXISTS events_unit_event_time
    ON splitlane.events (unit_id, event, occurred_at);
