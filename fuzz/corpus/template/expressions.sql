{# every operator and filter #}
{% set xs = [1, 'a', [none], 2.5, 1e3, True, false,] %}
{{ xs }} {{ xs | length }}
{{ 'day_' ~ 1 }} {{ -7 // 2 }} {{ -7 % 3 }} {{ 4 / 2 }} {{ 1.5e-3 * 2 }} {{ 3 - 1 }}
{{ 1 == 1.0 and 'a' < 'b' or not [] }} {{ 'b' in 'abc' }} {{ 2 not in [1] }}
{{ ' A ' | trim | lower }} {{ 'x' | upper }} {{ ['a','b'] | join(', ') }} {{ ['a'] | join }}
{{ undefined_name | default('dflt') }} {{ '' | default('e', true) }} {{ 'a.b' | replace('.', '_') }}
{{ var('days') }} {{ var('nope', 3) }} {{ env_var('RAT_ENV') }} {{ env_var('NOPE', 'x') }}
{{ this }} {{ run_started_at }} {{ landing_files }} {{ this | default('scratch') }}
{% for x in [1,2,3] %}{{ loop.index }}{{ loop.index0 }}{{ loop.revindex }}{{ loop.revindex0 }}{{ loop.first }}{{ loop.last }}{{ loop.length }}{% set y = x %}{% endfor %}
{% if var('days') == '7' %}a{% elif 1 %}b{% else %}c{% endif %}
{{ '{{' }} '\d+' "\n\t\r\'\"" 'multi
line'
