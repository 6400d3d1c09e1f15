-- @description: an incremental run reads only what bronze ingested after the watermark
-- @mode: incremental
-- @watermarks: {_ingested_at: "2024-03-01 12:00:00"}
-- @expect_exact_columns: [sale_id, sold_at, _date, product, shop, quantity, unit_price, amount, _ingested_at]
SELECT 2 AS sale_id, 3 AS quantity
