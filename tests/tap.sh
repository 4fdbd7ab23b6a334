# TAP helpers for the shell test suites: source it, call ok STATUS NAME for
# each check, and `exit $failed` at the end after printing the plan "1..$n".
n=0
failed=0

ok() { # ok CONDITION-STATUS NAME
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		failed=1
	fi
}

diag() { sed 's/^/# /' "$@" | tail -n 40; }
