-- @description: Raw orders as they land (Parquet drops), each file ingested once
-- @materialized: incremental
-- @landing: orders
SELECT order_id, customer_id, ordered_at, product, country, quantity, unit_price, status, updated_at
FROM read_parquet({{ landing_files }})
