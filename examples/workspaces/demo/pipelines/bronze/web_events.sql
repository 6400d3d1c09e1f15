-- @description: Raw page views from the web shop, newline-delimited JSON
-- @materialized: incremental
-- @landing: web_events
-- @owner: shop-data
SELECT event_id, ts, page, device, session, ms_on_page
FROM read_json({{ landing_files }},
    format = 'newline_delimited',
    columns = {
        'event_id': 'VARCHAR', 'ts': 'TIMESTAMP', 'page': 'VARCHAR',
        'device': 'VARCHAR', 'session': 'VARCHAR', 'ms_on_page': 'INTEGER'
    })
