# Cases: many ssh logins through the real sshd, LOAD_LOGINS (200) of them from the 20 users
# carrel-test-l01..l20, LOAD_BATCH (10) at once: every login is held until the whole batch is
# in, "carrel ps" is checked against what the logins report, then all log out and ps must
# show none of them. Once with session = "login" (10 users a batch, a session each), once
# with session = "user" (5 users a batch, two logins each sharing one session).
# shellcheck shell=bash disable=SC2016 # $... in single quotes runs in the login's shell
# shellcheck disable=SC2153 # T, ADMIN, ... come from harness.sh

CASES+=(
	logins_in_batches_each_get_a_session_of_their_own
	logins_in_batches_share_one_session_per_user
)

# load_start NAME USER: an ssh login in the background that prints its session, "ready",
# and waits for release_login NAME (harness.sh); unlike hold_login it does not wait.
load_start() {
	local name=$1 user=$2 dir=$T/held/$1 fd
	mkdir -p "$dir" && rm -f "$dir/in" && mkfifo "$dir/in" || return 1
	(
		for fd in "${HELD_FD[@]}"; do
			eval "exec $fd>&-"
		done
		ssh_as "$user" 'echo "session=$CARREL_SESSION"; echo ready; read -r _; echo released'
	) <"$dir/in" >"$dir/out" 2>"$dir/err" &
	echo $! >"$dir/pid"
	exec {fd}>"$dir/in"
	HELD_FD[$name]=$fd
}

all_ready_or_gone() {
	local name
	for name in "$@"; do
		login_ready_or_gone "$name" || return 1
	done
}

# The sessions "carrel ps" lists for the load users: "ID USER" a line, sorted.
load_ps() {
	carrel ps 2>&1 | awk '$2 ~ /^carrel-test-l[0-9][0-9]$/ { print $1 " " $2 }' | sort
}

# The load users' sessions by their records (whatever ps says), "ID USER" a line.
load_records() {
	local f
	for f in "$SESSIONS"/*/session; do
		[ -f "$f" ] || continue
		sed -n 's/^user=\(carrel-test-l[0-9][0-9]\)$/\1/p' "$f" |
			sed "s|^|$(basename "$(dirname "$f")") |"
	done | sort
}

no_load_sessions() {
	[ -z "$(load_records)" ] && [ -z "$(load_ps)" ]
}

# What the load users can leave on the host, one thing a line.
load_leftovers() {
	local user uid
	load_records | sed 's/^/record /'
	for user in "${LOAD_USERS[@]}"; do
		uid=$(id -u "$user")
		find /sys/fs/cgroup -mindepth 2 -maxdepth 3 -type d -path "*/carrel/user-$uid" 2>/dev/null |
			sed 's/^/cgroup /'
		processes_of "$user" | sed "s/^/process of $user: /"
	done
	find /var/lib/carrel/sessions -mindepth 1 -maxdepth 1 2>/dev/null | sed 's/^/store /'
}

no_load_leftovers() {
	[ -z "$(load_leftovers)" ]
}

# load_batch MODE N: batch N of logins; returns 1 (having failed) when something is wrong.
load_batch() {
	local mode=$1 batch=$2 k user name names=() expected="" expected_n status out id bad=0
	for ((k = 0; k < LOAD_BATCH; k++)); do
		if [ "$mode" = login ]; then
			user=${LOAD_USERS[$(((batch * LOAD_BATCH + k) % 20))]}
		else
			user=${LOAD_USERS[$(((batch * LOAD_BATCH / 2 + k / 2) % 20))]}
		fi
		name=b$batch-$k-$user
		names+=("$name")
		load_start "$name" "$user" || { fail "cannot start login $name"; return 1; }
	done
	wait_until 120 all_ready_or_gone "${names[@]}"
	for name in "${names[@]}"; do
		out=$(held_output "$name")
		id=$(value_of session "$out")
		user=${name#*-*-}
		if ! grep -q '^ready$' <<<"$out" || [[ ! $id =~ ^[0-9a-f]{12}$ ]]; then
			fail_with_text "batch $batch ($mode): login $name did not get in:" "$out"
			bad=1
		fi
		expected+="$id $user"$'\n'
	done
	expected=$(sort -u <<<"$expected" | sed '/^$/d')
	if [ "$bad" = 0 ]; then
		out=$(load_ps)
		expect_eq "batch $batch ($mode): carrel ps with the batch in" "$out" "$expected" || bad=1
		[ "$mode" = login ] && expected_n=$LOAD_BATCH || expected_n=$((LOAD_BATCH / 2))
		expect_eq "batch $batch ($mode): sessions in carrel ps" "$(wc -l <<<"$out")" \
			"$expected_n" || bad=1
	fi
	for name in "${names[@]}"; do
		release_login "$name"
		status=$?
		[ "$status" = 0 ] || {
			fail_with_text "batch $batch ($mode): login $name ended with status $status:" \
				"$(held_output "$name")"
			bad=1
		}
	done
	if ! wait_until 60 no_load_sessions; then
		fail_with_text "batch $batch ($mode): sessions left 60 s after the logouts (records; ps):" \
			"$(load_records; echo ---; load_ps)"
		bad=1
	fi
	return "$bad"
}

# load_logins MODE: the whole case.
load_logins() {
	local mode=$1 batch batches start mounts_before mounts_after left
	batches=$(((LOAD_LOGINS + LOAD_BATCH - 1) / LOAD_BATCH))
	with_login_policy "${LOAD_USERS[*]}" "session = \"$mode\";" || return
	expect_eq "load sessions before" "$(load_records)" "" || return
	mounts_before=$(cat /proc/self/mountinfo)
	start=$SECONDS
	for ((batch = 0; batch < batches; batch++)); do
		load_batch "$mode" "$batch" || {
			note "stopped after batch $batch of $batches ($mode): it failed"
			break
		}
	done
	note "$((batch * LOAD_BATCH)) logins with session = \"$mode\" in $batches batches of $LOAD_BATCH: $((SECONDS - start)) s"
	wait_until 30 no_load_leftovers
	left=$(load_leftovers)
	[ -z "$left" ] || fail_with_text "left on the host after every logout:" "$left"
	expect_eq "load sessions in carrel ps at the end" "$(load_ps)" ""
	mounts_after=$(cat /proc/self/mountinfo)
	[ "$mounts_before" = "$mounts_after" ] ||
		fail "the mounts of the test's namespace changed:" \
			"$(indent "$(diff <(echo "$mounts_before") <(echo "$mounts_after"))")"
}

logins_in_batches_each_get_a_session_of_their_own() {
	load_logins login
}

logins_in_batches_share_one_session_per_user() {
	load_logins user
}
