{# Shared SQL snippets for the demo's pipelines. #}
{% macro clean_text(column) %}lower(trim({{ column }})){% endmacro %}
