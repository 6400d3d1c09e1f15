-- @description: silver.orders of the bench workspace, deduplicated with a join on the latest updated_at instead of QUALIFY row_number(), which DuckDB 1.4.4 cannot finish within a 1 GiB limit on this data (bench/README.md)
-- @materialized: incremental
-- @unique_key: order_id
-- @partition_by: order_month
SELECT
    order_id,
    customer_id,
    ordered_at,
    CAST(ordered_at AS DATE) AS order_date,
    CAST(date_trunc('month', ordered_at) AS DATE) AS order_month,
    lower(trim(product)) AS product,
    upper(country) AS country,
    quantity,
    unit_price,
    CAST(quantity * unit_price AS DECIMAL(12,2)) AS amount,
    status,
    updated_at,
    _ingested_at
FROM {{ ref('bronze.orders') }}
WHERE quantity > 0
{% if is_incremental() %}
  AND _ingested_at > {{ watermark('_ingested_at') }}
{% endif %}
  AND (order_id, updated_at) IN (
    SELECT order_id, max(updated_at)
    FROM {{ ref('bronze.orders') }}
    WHERE quantity > 0
{% if is_incremental() %}
      AND _ingested_at > {{ watermark('_ingested_at') }}
{% endif %}
    GROUP BY order_id)
