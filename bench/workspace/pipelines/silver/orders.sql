-- @description: One row per order, cleaned; the latest version of an order wins
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
QUALIFY row_number() OVER (PARTITION BY order_id ORDER BY updated_at DESC, _ingested_at DESC) = 1
