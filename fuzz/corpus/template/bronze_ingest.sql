SELECT *, TIMESTAMPTZ '{{ run_started_at }}' AS _ingested_at
FROM read_csv({{ landing_files }}, header = true)
