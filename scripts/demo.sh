#!/bin/bash
# make demo: a real sandboxed login, end to end, on this machine.
#
# Starts a throwaway sshd on 127.0.0.1 with a PAM service of its own that lists pam_carrel
# the documented way, logs a demo user in over ssh, and shows from inside the login that it
# runs in its own session on the built-in image "host" (the machine's own /, read-only
# underneath a throwaway layer). Everything runs in a private mount namespace: the
# machine's /etc/pam.d and sshd are never touched. Run on a terminal, it then gives you an
# interactive login into a sandbox; otherwise it exits after the proof.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
build=$repo/build
user=carrel-demo

if [ "$(id -u)" != 0 ]; then
	echo "make demo: needs root (it adds a user, runs sshd and builds sandboxes)" >&2
	exit 1
fi
# Private mounts for the PAM service directory we bind over /etc/pam.d.
if [ "${CARREL_DEMO_IN_NS:-}" != 1 ]; then
	export CARREL_DEMO_IN_NS=1
	exec unshare --mount --propagation private "$0" "$@"
fi

T=$(mktemp -d /tmp/carrel-demo.XXXXXX)
chmod 0755 "$T"
sshd_pid=
created_user=no
cleanup() {
	[ -n "$sshd_pid" ] && kill "$sshd_pid" 2>/dev/null && wait "$sshd_pid" 2>/dev/null
	[ "$created_user" = yes ] && userdel -r "$user" >/dev/null 2>&1
	rm -rf "$T"
}
trap cleanup EXIT

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

free_port() {
	local port
	for port in $(seq 2222 2299); do
		if [ -z "$(ss -Hltn "sport = :$port")" ]; then
			echo "$port"
			return
		fi
	done
	echo "make demo: no free port in 2222-2299" >&2
	return 1
}

make_user() {
	if ! id "$user" >/dev/null 2>&1; then
		useradd -m -s /bin/bash -c "carrel demo" "$user"
		created_user=yes
	fi
	ssh-keygen -q -t ed25519 -N '' -f "$T/id_demo"
	install -d -m 0700 -o "$user" -g "$user" "/home/$user/.ssh"
	install -m 0600 -o "$user" -g "$user" "$T/id_demo.pub" "/home/$user/.ssh/authorized_keys"
}

# The config a lab admin would write: this one user, everything else built in.
write_config() {
	cat >"$T/carrel.conf" <<CONF
# Sandbox the demo user's logins on the built-in image "host".
policies = (
  { users = [ "$user" ]; }
);
CONF
	chmod 0644 "$T/carrel.conf"
	"$build/carrel" check-config -c "$T/carrel.conf" >/dev/null
}

# The machine's own sshd stack, with pam_carrel added as README.md says: closeonly first,
# openonly last.
write_pam_service() {
	local args="config=$T/carrel.conf launcher=$build/carrel-launch"
	mkdir "$T/pam.d"
	cp -a /etc/pam.d/. "$T/pam.d/"
	awk -v first="session required $build/pam_carrel.so closeonly $args" '
		!done && ($1 == "session" || $0 ~ /^@include common-session/) { print first; done = 1 }
		{ print }' /etc/pam.d/sshd >"$T/pam.d/carrel-demo-sshd"
	echo "session required $build/pam_carrel.so openonly $args" >>"$T/pam.d/carrel-demo-sshd"
	mount --bind "$T/pam.d" /etc/pam.d
}

start_sshd() {
	port=$(free_port)
	ssh-keygen -q -t ed25519 -N '' -f "$T/host_key"
	cat >"$T/sshd_config" <<CONF
ListenAddress 127.0.0.1
Port $port
HostKey $T/host_key
PidFile $T/sshd.pid
UsePAM yes
PasswordAuthentication no
KbdInteractiveAuthentication no
AllowUsers $user
PrintMotd no
Subsystem sftp /usr/lib/openssh/sftp-server
CONF
	# sshd's PAM service is its program name: carrel-demo-sshd.
	ln -s /usr/sbin/sshd "$T/carrel-demo-sshd"
	mkdir -p /run/sshd
	"$T/carrel-demo-sshd" -D -f "$T/sshd_config" -E "$T/sshd.log" &
	sshd_pid=$!
	for _ in $(seq 100); do
		[ -n "$(ss -Hltn "sport = :$port")" ] && return
		sleep 0.1
	done
	echo "make demo: sshd did not start:" >&2
	cat "$T/sshd.log" >&2
	return 1
}

ssh_demo() {
	ssh -F /dev/null -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
		-o LogLevel=ERROR -o BatchMode=yes -i "$T/id_demo" -p "$port" "$user@127.0.0.1" "$@"
}

# What the user sees from inside, next to what the host sees.
prove() {
	say "On the host: $(hostname), mount namespace $(readlink /proc/self/ns/mnt)"
	say "ssh $user@127.0.0.1 -p $port (a real login through sshd and PAM)"
	coproc LOGIN {
		ssh_demo 'echo "hostname:          $(hostname)"
			echo "session:           $CARREL_SESSION"
			echo "mount namespace:   $(readlink /proc/self/ns/mnt)"
			echo "PID 1 inside:      $(tr -s "\0" " " </proc/1/cmdline)"
			echo "my shell PID:      $$"
			echo "processes I see:"; ps -eo pid,user,comm | sed "s/^/    /"
			echo "root filesystem:   $(findmnt -no FSTYPE,OPTIONS / | cut -c1-60)..."
			echo "home:              $(findmnt -no SOURCE,TARGET "$HOME")"
			echo READY; read -r _' 2>&1
	}
	local line id=
	while IFS= read -r line <&"${LOGIN[0]}"; do
		[ "$line" = READY ] && break
		[[ $line =~ ^session:\ +([0-9a-f]{12})$ ]] && id=${BASH_REMATCH[1]}
		echo "  $line"
	done
	say "carrel ps (on the host, while the login is open)"
	"$build/carrel" ps
	echo >&"${LOGIN[1]}"
	wait "$LOGIN_PID" || true
	say "After logout"
	# The session's init removes it once everything inside has ended.
	for _ in $(seq 150); do
		[ -e "/run/carrel/sessions/$id" ] || break
		sleep 0.1
	done
	"$build/carrel" ps
}

interactive() {
	say "Your turn: an interactive login into a sandbox (type 'exit' to end the demo)"
	ssh -F /dev/null -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
		-o LogLevel=ERROR -i "$T/id_demo" -p "$port" -t "$user@127.0.0.1" || true
}

make_user
write_config
write_pam_service
start_sshd
prove
if [ -t 0 ] && [ -t 1 ] && [ "${CARREL_DEMO_NONINTERACTIVE:-}" != 1 ]; then
	interactive
fi
say "Demo over: sshd stopped, demo user and files removed"
