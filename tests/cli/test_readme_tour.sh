#!/usr/bin/env bash
# tests/cli/test_readme_tour.sh - the README's tour runs top to bottom as
# written (tests/support/readme_tour.py), on sales exports of the kind the
# tour copies in.
source "$RAT_SOURCE_DIR/tests/cli/lib.sh"
unset RAT_HOME RAT_WORKSPACES # the tour finds its state as a reader's shell would

mkdir -p "$T_DIR/home/exports" "$T_DIR/lake"
printf 'sale_id,product,amount,sold_at\n1,Espresso,2.50,2024-03-01 08:00:00\n2,Latte,3.80,2024-03-01 09:30:00\n3,Espresso,2.50,2024-03-02 10:00:00\n' \
	> "$T_DIR/home/exports/sales.csv"
printf 'sale_id,product,amount,sold_at\n4,Mocha,4.10,2024-03-02 11:00:00\n5,Latte,3.80,2024-03-03 12:00:00\n' \
	> "$T_DIR/home/exports/sales_2024-03.csv"
printf 'sale_id,product,amount,sold_at\n6,Espresso,2.50,2024-04-01 08:00:00\n' \
	> "$T_DIR/home/exports/sales_2024-04.csv"
T_CHECKS=$((T_CHECKS + 1))
/usr/bin/python3 "$RAT_SOURCE_DIR/tests/support/readme_tour.py" --readme "$RAT_SOURCE_DIR/README.md" \
	--rat "$RAT_BIN" --scratch "$T_DIR/lake" --exports "$T_DIR/home/exports" ||
	fail "the README's tour does not run as written"
