-- A programme-lead key is tied to one or more programme areas: it may write variance notes only for their grants.
CREATE TABLE api_key_programme_area (
  api_key_id         INTEGER NOT NULL REFERENCES api_key (id),
  programme_area_id  INTEGER NOT NULL REFERENCES programme_area (id),
  PRIMARY KEY (api_key_id, programme_area_id)
);
