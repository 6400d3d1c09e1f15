/*
 * bench/raw_duckdb.c - the lower bound for `make bench`: the pipelines' SQL
 * run by a plain program against libduckdb (its C API only), writing Parquet.
 *
 *   raw_duckdb PLAN OUT_DIR
 *
 * PLAN is written by bench/run.py from the record of a `rat run` of the bench
 * workspace (its compiled SQL), one directive per line:
 *
 *   set SQL                   a statement run first (memory_limit, threads)
 *   row_group_size N          rows per Parquet row group (rat: the profile's chunk_size_rows)
 *   ingested_at TIMESTAMP     the value bronze's _ingested_at gets
 *   copy_options TEXT         more COPY options, e.g. "RETURN_STATS" (default: none)
 *   step KEY PART INGEST FILE build layer.table KEY from the SELECT in FILE;
 *                             PART: a partition column, or - ; INGEST: 1 to add
 *                             _ingested_at and _ingested_date as rat does for bronze
 *
 * Each step runs COPY (SELECT ...) TO OUT_DIR/<layer>/<table>/ as Parquet
 * (Hive-style folders, partition column kept in the files, as rat writes
 * them), then defines the view <layer>.<table> over the files written, so the
 * next step's SQL, which names "layer"."table", reads them. One in-memory
 * database, one connection, steps in the order given. No Iceberg metadata, no
 * catalog, no checks: only the engine's work.
 *
 * Prints one line per step, "STEP <key> <seconds> <rows written>", then
 * "TOTAL <seconds>" (time from before the database opens to after the last
 * step).
 */
#include <duckdb.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what, const char *detail)
{
	fprintf(stderr, "raw_duckdb: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
	exit(1);
}

/* A growable string. */
typedef struct str {
	char *p;
	size_t len, cap;
} str;

static void put(str *s, const char *text, size_t n)
{
	if (s->len + n + 1 > s->cap) {
		size_t cap = s->cap ? s->cap : 256;
		while (cap < s->len + n + 1)
			cap *= 2;
		if ((s->p = realloc(s->p, cap)) == NULL)
			die("out of memory", NULL);
		s->cap = cap;
	}
	memcpy(s->p + s->len, text, n);
	s->len += n;
	s->p[s->len] = '\0';
}

static void puts_(str *s, const char *text)
{
	put(s, text, strlen(text));
}

/* text as a SQL string literal */
static void put_literal(str *s, const char *text)
{
	puts_(s, "'");
	for (; *text; text++)
		put(s, *text == '\'' ? "''" : text, 1 + (*text == '\''));
	puts_(s, "'");
}

/* text as a quoted SQL identifier */
static void put_ident(str *s, const char *text)
{
	puts_(s, "\"");
	for (; *text; text++)
		put(s, *text == '"' ? "\"\"" : text, 1 + (*text == '"'));
	puts_(s, "\"");
}

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	str s = { NULL, 0, 0 };
	char buf[65536];
	size_t n;

	if (!f)
		die(path, strerror(errno));
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		put(&s, buf, n);
	fclose(f);
	if (!s.p)
		put(&s, "", 0);
	return s.p;
}

static void mkdirs(const char *path)
{
	char tmp[4096];
	size_t i, n = strlen(path);

	if (n >= sizeof(tmp))
		die("path too long", path);
	memcpy(tmp, path, n + 1);
	for (i = 1; i <= n; i++) {
		if (tmp[i] != '/' && tmp[i] != '\0')
			continue;
		tmp[i] = '\0';
		if (mkdir(tmp, 0755) != 0 && errno != EEXIST)
			die(tmp, strerror(errno));
		tmp[i] = path[i];
	}
}

/* Run sql; the first column of the first row of its result, as an integer (0 when none). */
static long long run(duckdb_connection con, const char *sql)
{
	duckdb_result result;
	long long value = 0;

	if (duckdb_query(con, sql, &result) != DuckDBSuccess) {
		fprintf(stderr, "raw_duckdb: failed SQL:\n%s\n", sql);
		die("query failed", duckdb_result_error(&result));
	}
	if (duckdb_column_count(&result) > 0 && duckdb_row_count(&result) > 0)
		value = (long long)duckdb_value_int64(&result, 0, 0);
	duckdb_destroy_result(&result);
	return value;
}

/* The rows COPY wrote: its one value, or with RETURN_STATS the sum of its "count" column. */
static long long copy_rows(duckdb_connection con, const char *sql)
{
	duckdb_result result;
	long long rows = 0;
	idx_t r, c, col = 0;

	if (duckdb_query(con, sql, &result) != DuckDBSuccess) {
		fprintf(stderr, "raw_duckdb: failed SQL:\n%s\n", sql);
		die("COPY failed", duckdb_result_error(&result));
	}
	for (c = 0; c < duckdb_column_count(&result); c++)
		if (strcmp(duckdb_column_name(&result, c), "count") == 0)
			col = c;
	for (r = 0; r < duckdb_row_count(&result); r++)
		rows += (long long)duckdb_value_int64(&result, col, r);
	duckdb_destroy_result(&result);
	return rows;
}

int main(int argc, char **argv)
{
	duckdb_database db;
	duckdb_connection con;
	duckdb_config config;
	char *plan, *line, *save = NULL;
	char ingested_at[64] = "2000-01-01 00:00:00+00", copy_options[1024] = "";
	long row_group_size = 0;
	double t0, total;

	if (argc != 3) {
		fprintf(stderr, "usage: raw_duckdb PLAN OUT_DIR\n");
		return 2;
	}
	plan = read_file(argv[1]);
	mkdirs(argv[2]);

	t0 = now_s();
	if (duckdb_create_config(&config) != DuckDBSuccess)
		die("duckdb_create_config", NULL);
	/* no extension downloads, as rat's sessions (Parquet is built in) */
	duckdb_set_config(config, "autoinstall_known_extensions", "false");
	duckdb_set_config(config, "autoload_known_extensions", "false");
	if (duckdb_open_ext(NULL, &db, config, NULL) != DuckDBSuccess)
		die("duckdb_open_ext", NULL);
	duckdb_destroy_config(&config);
	if (duckdb_connect(db, &con) != DuckDBSuccess)
		die("duckdb_connect", NULL);

	for (line = strtok_r(plan, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "set ", 4) == 0) {
			run(con, line + 4);
		} else if (strncmp(line, "row_group_size ", 15) == 0) {
			row_group_size = strtol(line + 15, NULL, 10);
		} else if (strncmp(line, "copy_options ", 13) == 0) {
			snprintf(copy_options, sizeof(copy_options), ", %s", line + 13);
		} else if (strncmp(line, "ingested_at ", 12) == 0) {
			snprintf(ingested_at, sizeof(ingested_at), "%s", line + 12);
		} else if (strncmp(line, "step ", 5) == 0) {
			char key[256], part[256], file[4096], layer[256], *dot;
			char dir[8192];
			int ingest = 0;
			str sql = { NULL, 0, 0 };
			char *select;
			double t;
			long long rows;

			if (sscanf(line + 5, "%255s %255s %d %4095s", key, part, &ingest, file) != 4 ||
			    (dot = strchr(key, '.')) == NULL)
				die("bad step line", line);
			snprintf(layer, sizeof(layer), "%.*s", (int)(dot - key), key);
			snprintf(dir, sizeof(dir), "%s/%s/%s", argv[2], layer, dot + 1);
			mkdirs(dir);
			select = read_file(file);

			t = now_s();
			puts_(&sql, "COPY (");
			if (ingest) {
				puts_(&sql, "SELECT *, TIMESTAMPTZ ");
				put_literal(&sql, ingested_at);
				puts_(&sql, " AS _ingested_at, CAST(TIMESTAMPTZ ");
				put_literal(&sql, ingested_at);
				puts_(&sql, " AS DATE) AS _ingested_date FROM (");
				puts_(&sql, select);
				puts_(&sql, "\n)");
			} else {
				puts_(&sql, select);
			}
			puts_(&sql, "\n) TO ");
			if (strcmp(part, "-") == 0) {
				str target = { NULL, 0, 0 };
				puts_(&target, dir);
				puts_(&target, "/data.parquet");
				put_literal(&sql, target.p);
				free(target.p);
				puts_(&sql, " (FORMAT parquet");
			} else {
				put_literal(&sql, dir);
				puts_(&sql, " (FORMAT parquet, PARTITION_BY (");
				put_ident(&sql, part);
				puts_(&sql, "), WRITE_PARTITION_COLUMNS true, OVERWRITE_OR_IGNORE true");
			}
			if (row_group_size > 0) {
				char n[64];
				snprintf(n, sizeof(n), ", ROW_GROUP_SIZE %ld", row_group_size);
				puts_(&sql, n);
			}
			puts_(&sql, copy_options);
			puts_(&sql, ")");
			rows = copy_rows(con, sql.p);

			/* the next steps read what this one wrote, as "layer"."table" */
			sql.len = 0;
			puts_(&sql, "CREATE SCHEMA IF NOT EXISTS ");
			put_ident(&sql, layer);
			puts_(&sql, "; CREATE OR REPLACE VIEW ");
			put_ident(&sql, layer);
			puts_(&sql, ".");
			put_ident(&sql, dot + 1);
			puts_(&sql, " AS SELECT * FROM read_parquet(");
			{
				str glob = { NULL, 0, 0 };
				puts_(&glob, dir);
				puts_(&glob, strcmp(part, "-") == 0 ? "/data.parquet" : "/**/*.parquet");
				put_literal(&sql, glob.p);
				free(glob.p);
			}
			puts_(&sql, ")");
			run(con, sql.p);
			printf("STEP %s %.3f %lld\n", key, now_s() - t, rows);
			fflush(stdout);
			free(sql.p);
			free(select);
		} else if (line[0] != '#' && line[0] != '\0') {
			die("unknown plan line", line);
		}
	}
	duckdb_disconnect(&con);
	duckdb_close(&db);
	total = now_s() - t0;
	printf("TOTAL %.3f\n", total);
	free(plan);
	return 0;
}
