-- Delivery areas (issue 14): where the work happens. The 43 police force areas of England and Wales with their ONS
-- codes (PFA23CD/PFA23NM, ONS December 2023, Open Government Licence v3.0; shared/data/police-force-areas.csv), and
-- England and Wales as a whole (ONS K04000001) for national work. Reference data, like the cost categories.
CREATE TABLE delivery_area (
  code        nvarchar(20)  NOT NULL PRIMARY KEY,
  name        nvarchar(100) NOT NULL,
  country     nvarchar(40)  NOT NULL,
  sort_order  int NOT NULL
);
INSERT INTO delivery_area (code, name, country, sort_order) VALUES
  (N'E23000001', N'Metropolitan Police', N'England', 1),
  (N'E23000002', N'Cumbria', N'England', 2),
  (N'E23000003', N'Lancashire', N'England', 3),
  (N'E23000004', N'Merseyside', N'England', 4),
  (N'E23000005', N'Greater Manchester', N'England', 5),
  (N'E23000006', N'Cheshire', N'England', 6),
  (N'E23000007', N'Northumbria', N'England', 7),
  (N'E23000008', N'Durham', N'England', 8),
  (N'E23000009', N'North Yorkshire', N'England', 9),
  (N'E23000010', N'West Yorkshire', N'England', 10),
  (N'E23000011', N'South Yorkshire', N'England', 11),
  (N'E23000012', N'Humberside', N'England', 12),
  (N'E23000013', N'Cleveland', N'England', 13),
  (N'E23000014', N'West Midlands', N'England', 14),
  (N'E23000015', N'Staffordshire', N'England', 15),
  (N'E23000016', N'West Mercia', N'England', 16),
  (N'E23000017', N'Warwickshire', N'England', 17),
  (N'E23000018', N'Derbyshire', N'England', 18),
  (N'E23000019', N'Nottinghamshire', N'England', 19),
  (N'E23000020', N'Lincolnshire', N'England', 20),
  (N'E23000021', N'Leicestershire', N'England', 21),
  (N'E23000022', N'Northamptonshire', N'England', 22),
  (N'E23000023', N'Cambridgeshire', N'England', 23),
  (N'E23000024', N'Norfolk', N'England', 24),
  (N'E23000025', N'Suffolk', N'England', 25),
  (N'E23000026', N'Bedfordshire', N'England', 26),
  (N'E23000027', N'Hertfordshire', N'England', 27),
  (N'E23000028', N'Essex', N'England', 28),
  (N'E23000029', N'Thames Valley', N'England', 29),
  (N'E23000030', N'Hampshire', N'England', 30),
  (N'E23000031', N'Surrey', N'England', 31),
  (N'E23000032', N'Kent', N'England', 32),
  (N'E23000033', N'Sussex', N'England', 33),
  (N'E23000034', N'London, City of', N'England', 34),
  (N'E23000035', N'Devon & Cornwall', N'England', 35),
  (N'E23000036', N'Avon and Somerset', N'England', 36),
  (N'E23000037', N'Gloucestershire', N'England', 37),
  (N'E23000038', N'Wiltshire', N'England', 38),
  (N'E23000039', N'Dorset', N'England', 39),
  (N'W15000001', N'North Wales', N'Wales', 40),
  (N'W15000002', N'Gwent', N'Wales', 41),
  (N'W15000003', N'South Wales', N'Wales', 42),
  (N'W15000004', N'Dyfed-Powys', N'Wales', 43),
  (N'K04000001', N'England and Wales', N'England and Wales', 44);

-- A grant names the areas it works in; a partner agreement those its partner delivers in (among the grant's).
CREATE TABLE grant_area (
  grant_id   bigint NOT NULL REFERENCES grant_award (id) ON DELETE CASCADE,
  area_code  nvarchar(20) NOT NULL REFERENCES delivery_area (code),
  PRIMARY KEY (grant_id, area_code)
);
CREATE TABLE partner_agreement_area (
  agreement_id  bigint NOT NULL REFERENCES partner_agreement (id) ON DELETE CASCADE,
  area_code     nvarchar(20) NOT NULL REFERENCES delivery_area (code),
  PRIMARY KEY (agreement_id, area_code)
);
CREATE INDEX ix_partner_agreement_area_code ON partner_agreement_area (area_code);
-- Spend may name one area (by default its partner agreement's, when that names exactly one).
ALTER TABLE spend_transaction ADD area_code nvarchar(20) NULL REFERENCES delivery_area (code);
ALTER TABLE import_row ADD area_code nvarchar(20) NULL;
-- The kept totals gain the area ('' for none), so burn by area reads them as burn by partner does. Every transaction
-- so far has no area: the table is rebuilt from the transactions, as migration 0012 first filled it.
DROP TABLE spend_total;
CREATE TABLE spend_total (
  grant_id       bigint NOT NULL REFERENCES grant_award (id),
  category_code  nvarchar(40) NOT NULL,
  partner_id     bigint NOT NULL,
  area_code      nvarchar(20) NOT NULL,
  month_start    date NOT NULL,
  amount_pence   bigint NOT NULL,
  line_count     bigint NOT NULL,
  PRIMARY KEY (grant_id, category_code, partner_id, area_code, month_start)
);
CREATE INDEX ix_spend_total_month ON spend_total (month_start) INCLUDE (grant_id, partner_id, area_code, amount_pence);
INSERT INTO spend_total (grant_id, category_code, partner_id, area_code, month_start, amount_pence, line_count)
SELECT grant_id, category_code, COALESCE(partner_id, 0), COALESCE(area_code, N''), DATEFROMPARTS(YEAR(transaction_date), MONTH(transaction_date), 1), SUM(amount_pence), COUNT_BIG(*)
FROM spend_transaction WHERE voided_at IS NULL
GROUP BY grant_id, category_code, COALESCE(partner_id, 0), COALESCE(area_code, N''), DATEFROMPARTS(YEAR(transaction_date), MONTH(transaction_date), 1);
