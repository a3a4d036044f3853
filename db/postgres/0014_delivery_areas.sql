-- Delivery areas (issue 14): where the work happens. The 43 police force areas of England and Wales with their ONS
-- codes (PFA23CD/PFA23NM, ONS December 2023, Open Government Licence v3.0; shared/data/police-force-areas.csv), and
-- England and Wales as a whole (ONS K04000001) for national work. Reference data, like the cost categories.
CREATE TABLE delivery_area (
  code        text    NOT NULL PRIMARY KEY,
  name        text    NOT NULL,
  country     text    NOT NULL,
  sort_order  integer NOT NULL
);
INSERT INTO delivery_area (code, name, country, sort_order) VALUES
  ('E23000001', 'Metropolitan Police', 'England', 1),
  ('E23000002', 'Cumbria', 'England', 2),
  ('E23000003', 'Lancashire', 'England', 3),
  ('E23000004', 'Merseyside', 'England', 4),
  ('E23000005', 'Greater Manchester', 'England', 5),
  ('E23000006', 'Cheshire', 'England', 6),
  ('E23000007', 'Northumbria', 'England', 7),
  ('E23000008', 'Durham', 'England', 8),
  ('E23000009', 'North Yorkshire', 'England', 9),
  ('E23000010', 'West Yorkshire', 'England', 10),
  ('E23000011', 'South Yorkshire', 'England', 11),
  ('E23000012', 'Humberside', 'England', 12),
  ('E23000013', 'Cleveland', 'England', 13),
  ('E23000014', 'West Midlands', 'England', 14),
  ('E23000015', 'Staffordshire', 'England', 15),
  ('E23000016', 'West Mercia', 'England', 16),
  ('E23000017', 'Warwickshire', 'England', 17),
  ('E23000018', 'Derbyshire', 'England', 18),
  ('E23000019', 'Nottinghamshire', 'England', 19),
  ('E23000020', 'Lincolnshire', 'England', 20),
  ('E23000021', 'Leicestershire', 'England', 21),
  ('E23000022', 'Northamptonshire', 'England', 22),
  ('E23000023', 'Cambridgeshire', 'England', 23),
  ('E23000024', 'Norfolk', 'England', 24),
  ('E23000025', 'Suffolk', 'England', 25),
  ('E23000026', 'Bedfordshire', 'England', 26),
  ('E23000027', 'Hertfordshire', 'England', 27),
  ('E23000028', 'Essex', 'England', 28),
  ('E23000029', 'Thames Valley', 'England', 29),
  ('E23000030', 'Hampshire', 'England', 30),
  ('E23000031', 'Surrey', 'England', 31),
  ('E23000032', 'Kent', 'England', 32),
  ('E23000033', 'Sussex', 'England', 33),
  ('E23000034', 'London, City of', 'England', 34),
  ('E23000035', 'Devon & Cornwall', 'England', 35),
  ('E23000036', 'Avon and Somerset', 'England', 36),
  ('E23000037', 'Gloucestershire', 'England', 37),
  ('E23000038', 'Wiltshire', 'England', 38),
  ('E23000039', 'Dorset', 'England', 39),
  ('W15000001', 'North Wales', 'Wales', 40),
  ('W15000002', 'Gwent', 'Wales', 41),
  ('W15000003', 'South Wales', 'Wales', 42),
  ('W15000004', 'Dyfed-Powys', 'Wales', 43),
  ('K04000001', 'England and Wales', 'England and Wales', 44);

-- A grant names the areas it works in; a partner agreement those its partner delivers in (among the grant's).
CREATE TABLE grant_area (
  grant_id   bigint NOT NULL REFERENCES grant_award (id) ON DELETE CASCADE,
  area_code  text   NOT NULL REFERENCES delivery_area (code),
  PRIMARY KEY (grant_id, area_code)
);
CREATE TABLE partner_agreement_area (
  agreement_id  bigint NOT NULL REFERENCES partner_agreement (id) ON DELETE CASCADE,
  area_code     text   NOT NULL REFERENCES delivery_area (code),
  PRIMARY KEY (agreement_id, area_code)
);
CREATE INDEX ix_partner_agreement_area_code ON partner_agreement_area (area_code);
-- Spend may name one area (by default its partner agreement's, when that names exactly one).
ALTER TABLE spend_transaction ADD COLUMN area_code text NULL REFERENCES delivery_area (code);
ALTER TABLE import_row ADD COLUMN area_code text NULL;
-- The kept totals gain the area ('' for none), so burn by area reads them as burn by partner does. Every transaction
-- so far has no area: the table is rebuilt from the transactions, as migration 0012 first filled it.
DROP TABLE spend_total;
CREATE TABLE spend_total (
  grant_id       bigint NOT NULL REFERENCES grant_award (id),
  category_code  text NOT NULL,
  partner_id     bigint NOT NULL,
  area_code      text NOT NULL,
  month_start    date NOT NULL,
  amount_pence   bigint NOT NULL,
  line_count     bigint NOT NULL,
  PRIMARY KEY (grant_id, category_code, partner_id, area_code, month_start)
);
CREATE INDEX ix_spend_total_month ON spend_total (month_start) INCLUDE (grant_id, partner_id, area_code, amount_pence);
INSERT INTO spend_total (grant_id, category_code, partner_id, area_code, month_start, amount_pence, line_count)
SELECT grant_id, category_code, COALESCE(partner_id, 0), COALESCE(area_code, ''), date_trunc('month', transaction_date)::date, SUM(amount_pence), COUNT(*)
FROM spend_transaction WHERE voided_at IS NULL
GROUP BY grant_id, category_code, COALESCE(partner_id, 0), COALESCE(area_code, ''), date_trunc('month', transaction_date)::date;
