-- @description: Page views with a known device, one row per event, time in seconds
-- @materialized: incremental
-- @unique_key: event_id
SELECT
    event_id,
    ts,
    CAST(ts AS DATE) AS _date,
    page,
    lower(device) AS device,
    session,
    ms_on_page / 1000.0 AS seconds_on_page,
    _ingested_at
FROM {{ ref('bronze.web_events') }}
WHERE device IN ('mobile', 'desktop', 'tablet')
{% if is_incremental() %}
  AND _ingested_at > {{ watermark('_ingested_at') }}
{% endif %}
