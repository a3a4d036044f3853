-- People who sign in to the web app: invited by an admin, who get a one-time link to set a password (stored as an
-- ASP.NET Core Identity hash). The link's token is kept only as a SHA-256 hash. Repeated wrong passwords lock the
-- account for a while. A programme lead is tied to programme areas, as a programme-lead API key is.
CREATE TABLE app_user (
  id                       INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
  email                    TEXT NOT NULL UNIQUE CHECK (email = lower(email) AND length(email) > 2),
  name                     TEXT NOT NULL CHECK (length(trim(name)) > 0),
  role                     TEXT NOT NULL CHECK (role IN ('admin', 'finance', 'programme-lead', 'viewer')),
  password_hash            TEXT NULL,
  failed_sign_ins          INTEGER NOT NULL DEFAULT 0,
  locked_until             TEXT NULL,
  set_password_token_hash  TEXT NULL,
  set_password_expires_at  TEXT NULL,
  version                  INTEGER NOT NULL DEFAULT 1,
  created_at               TEXT NOT NULL,
  created_by               TEXT NOT NULL,
  updated_at               TEXT NOT NULL
);
CREATE UNIQUE INDEX ux_app_user_set_password_token ON app_user (set_password_token_hash) WHERE set_password_token_hash IS NOT NULL;
CREATE TABLE app_user_programme_area (
  user_id            INTEGER NOT NULL REFERENCES app_user (id),
  programme_area_id  INTEGER NOT NULL REFERENCES programme_area (id),
  PRIMARY KEY (user_id, programme_area_id)
);
