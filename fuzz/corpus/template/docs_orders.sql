-- pipelines/silver/orders.sql
SELECT * FROM {{ ref('bronze.sales') }}
{% if is_incremental() %} WHERE _ingested_at > {{ watermark('_ingested_at') }} {% endif %}
