// Module Postgres: placeholder until its implementation lands.
