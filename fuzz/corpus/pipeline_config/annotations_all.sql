-- plain comment first
--   @name: orders
-- @description: Orders, deduplicated
-- @owner: team <a@b.example> (#data)
-- @materialized: incremental
-- @unique_key: [order_id, "line"]
-- @partition_by: 'day', shop
-- @on_schema_change: append_new_columns
-- @landing: orders/eu-west.1

SELECT 1
-- @materialized: view (after the code: not an annotation)
