-- ASP.NET Core Data Protection's key ring, shared by every instance on this database: a sign-in cookie or an
-- anti-forgery token issued by one instance is honoured by the others. Each row is one key's XML as Data
-- Protection writes it (keys are added, never changed; expired ones stay until removed by hand).
CREATE TABLE data_protection_key (
  id             bigint IDENTITY(1,1) NOT NULL PRIMARY KEY,
  friendly_name  nvarchar(200) NOT NULL UNIQUE,
  xml            nvarchar(max) NOT NULL,
  created_at     datetime2(7) NOT NULL
);
