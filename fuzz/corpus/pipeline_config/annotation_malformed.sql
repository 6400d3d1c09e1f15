-- @materialized incremental
SELECT 1
