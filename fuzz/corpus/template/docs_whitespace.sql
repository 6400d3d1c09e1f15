SELECT
{%- for c in ['id', 'amount'] %}
  {{ c }}{% if not loop.last %},{% endif %}
{%- endfor %}
FROM t
