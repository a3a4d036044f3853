-- People who sign in to the web app: invited by an admin, who get a one-time link to set a password (stored as an
-- ASP.NET Core Identity hash). The link's token is kept only as a SHA-256 hash. Repeated wrong passwords lock the
-- account for a while. A programme lead is tied to programme areas, as a programme-lead API key is.
CREATE TABLE app_user (
  id                       bigint IDENTITY(1,1) NOT NULL PRIMARY KEY,
  email                    nvarchar(320) NOT NULL UNIQUE CHECK (email = lower(email) AND len(email) > 2),
  name                     nvarchar(200) NOT NULL CHECK (len(ltrim(rtrim(name))) > 0),
  role                     nvarchar(30) NOT NULL CHECK (role IN ('admin', 'finance', 'programme-lead', 'viewer')),
  password_hash            nvarchar(400) NULL,
  failed_sign_ins          int NOT NULL DEFAULT 0,
  locked_until             datetime2(7) NULL,
  set_password_token_hash  nvarchar(64) NULL,
  set_password_expires_at  datetime2(7) NULL,
  version                  int NOT NULL DEFAULT 1,
  created_at               datetime2(7) NOT NULL,
  created_by               nvarchar(300) NOT NULL,
  updated_at               datetime2(7) NOT NULL
);
CREATE UNIQUE INDEX ux_app_user_set_password_token ON app_user (set_password_token_hash) WHERE set_password_token_hash IS NOT NULL;
CREATE TABLE app_user_programme_area (
  user_id            bigint NOT NULL REFERENCES app_user (id),
  programme_area_id  bigint NOT NULL REFERENCES programme_area (id),
  PRIMARY KEY (user_id, programme_area_id)
);
