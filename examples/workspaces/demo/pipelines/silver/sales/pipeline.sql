-- Cleaned sales: one row per sale_id, the latest version wins (late
-- corrections in a later file replace the first version).
SELECT
    sale_id,
    sold_at,
    CAST(sold_at AS DATE) AS _date,
    {{ clean_text('product') }} AS product,
    {{ clean_text('shop') }} AS shop,
    quantity,
    unit_price,
    CAST(quantity * unit_price AS DECIMAL(10,2)) AS amount,
    _ingested_at
FROM {{ ref('bronze.sales') }}
WHERE quantity > 0
{% if is_incremental() %}
  AND _ingested_at > {{ watermark('_ingested_at') }}
{% endif %}
QUALIFY row_number() OVER (PARTITION BY sale_id ORDER BY _ingested_at DESC, sold_at DESC) = 1
