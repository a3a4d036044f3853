-- ASP.NET Core Data Protection's key ring, shared by every instance on this database: a sign-in cookie or an
-- anti-forgery token issued by one instance is honoured by the others. Each row is one key's XML as Data
-- Protection writes it (keys are added, never changed; expired ones stay until removed by hand).
CREATE TABLE data_protection_key (
  id             INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
  friendly_name  TEXT NOT NULL UNIQUE,
  xml            TEXT NOT NULL,
  created_at     TEXT NOT NULL
);
