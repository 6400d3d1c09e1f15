#!/bin/sh
# scripts/generate_landing.sh - the demo's raw data, the same on every machine.
#
#   scripts/generate_landing.sh [FIRST_DAY [DAYS]]     (default: 2024-03-01, 7 days)
#
# Writes, under the workspace's landing/ folder:
#   sales/sales_<day>.csv             ~500 coffee sales a day (CSV, header)
#   web_events/events_<day>.ndjson    ~450 page views a day (one JSON object per line)
# A pseudo-random generator (Park-Miller: exact in any awk) with a fixed seed
# per day makes the files byte-identical from run to run and machine to
# machine. Every day after 2024-03-01 also re-sends 5 sales of the day before
# with a corrected quantity: late corrections the silver layer merges by sale_id.
set -eu
here="$(cd "$(dirname "$0")/.." && pwd)"
first="${1:-2024-03-01}"
days="${2:-7}"
mkdir -p "$here/landing/sales" "$here/landing/web_events"

i=0
while [ "$i" -lt "$days" ]; do
	day="$(date -u -d "$first + $i day" +%F)"
	prev="$(date -u -d "$day - 1 day" +%F)"
	n="$(date -u -d "$day" +%s)"
	fix=1
	[ "$day" != 2024-03-01 ] || fix=0
	awk -v day="$day" -v prev="$prev" -v seed="$n" -v with_fix="$fix" '
	function rnd() { seed = (seed * 16807) % 2147483647; return seed / 2147483647 }
	BEGIN {
		split("espresso,latte,flat white,cappuccino,mocha", product, ",")
		split("2.50,4.20,3.90,3.80,4.60", price, ",")
		split("downtown,station,campus", shop, ",")
		daynum = int(seed / 86400)
		print "sale_id,sold_at,product,shop,quantity,unit_price"
		count = 480 + int(rnd() * 40)
		for (k = 0; k < count; k++) {
			p = 1 + int(rnd() * 5)
			s = 1 + int(rnd() * 3)
			q = 1 + int(rnd() * 3)
			secs = 6 * 3600 + int(rnd() * 14 * 3600)
			printf "%d,%s %02d:%02d:%02d,%s,%s,%d,%s\n", daynum * 1000 + k, day, secs / 3600,
				(secs % 3600) / 60, secs % 60, product[p], shop[s], q, price[p]
		}
		if (with_fix == 1)
			for (k = 0; k < 5; k++) {
				p = 1 + (k % 5)
				printf "%d,%s 12:00:00,%s,%s,%d,%s\n", (daynum - 1) * 1000 + k * 7, prev,
					product[p], shop[1 + k % 3], 4, price[p]
			}
	}' > "$here/landing/sales/sales_$day.csv"
	awk -v day="$day" -v seed="$((n + 7))" '
	function rnd() { seed = (seed * 16807) % 2147483647; return seed / 2147483647 }
	BEGIN {
		split("/,/menu,/menu/espresso,/menu/latte,/order,/checkout,/about", page, ",")
		split("mobile,desktop,tablet", device, ",")
		daynum = int(seed / 86400)
		count = 430 + int(rnd() * 40)
		for (k = 0; k < count; k++) {
			g = 1 + int(rnd() * 7)
			d = 1 + int(rnd() * 3)
			secs = int(rnd() * 86400)
			printf "{\"event_id\": \"%s-%04d\", \"ts\": \"%sT%02d:%02d:%02dZ\", \"page\": \"%s\", \"device\": \"%s\", \"session\": \"s%d\", \"ms_on_page\": %d}\n",
				day, k, day, secs / 3600, (secs % 3600) / 60, secs % 60, page[g], device[d],
				daynum * 100 + int(rnd() * 120), 500 + int(rnd() * 60000)
		}
	}' > "$here/landing/web_events/events_$day.ndjson"
	i=$((i + 1))
done
