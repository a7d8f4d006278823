#!/bin/sh
test_description='sync over real transports on 127.0.0.1: git daemon, sshd, smart HTTP (lighttpd + git http-backend)'
. "$(dirname "$0")/lib.sh"
. "$FB_SRCDIR/tests/cli/lib-sync.sh"

# a free TCP port on 127.0.0.1
free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# wait_port PORT: until something listens there (5 s at most)
wait_port() {
	python3 - "$1" <<-\EOF
	import socket, sys, time
	for _ in range(100):
	    try:
	        socket.create_connection(("127.0.0.1", int(sys.argv[1])), 0.2).close()
	        sys.exit(0)
	    except OSError:
	        time.sleep(0.05)
	sys.exit(1)
	EOF
}

pids=""
stop_servers() {
	for p in $pids; do kill $p 2>/dev/null; done
	pids=""
}
trap stop_servers EXIT

test_expect_success 'setup: the office repository, served by git daemon' '
	fb_demo seed &&
	mkdir srv && git clone -q --bare seed srv/office.git &&
	(cd srv/office.git && fieldbook hook install >/dev/null) &&
	DPORT=$(free_port) && echo $DPORT >dport || return 1
	/usr/lib/git-core/git-daemon --listen=127.0.0.1 --port=$DPORT --reuseaddr \
		--base-path="$PWD/srv" --export-all --enable=receive-pack "$PWD/srv" \
		>daemon.log 2>&1 &
	pids="$pids $!" &&
	wait_port $DPORT
'
DPORT=$(cat dport 2>/dev/null)
GURL=git://127.0.0.1:$DPORT/office.git

test_expect_success 'git daemon: two clones sync different fields of one contact' '
	clone g1 $GURL && clone g2 $GURL &&
	edit g1 "s/^influence: 5/influence: 4  # g1/" && fieldbook -C g1 sync >out &&
	test_grep "^pushed 1 commit to origin/main$" out &&
	edit g2 "s/^status: active/status: inactive/" && fieldbook -C g2 sync >out &&
	test_grep "^merged field by field: contacts/c-0001$" out &&
	test_grep "^pushed 2 commits to origin/main$" out &&
	fieldbook -C g1 sync >out && same_tree g1 g2 &&
	test "$(git -C srv/office.git rev-parse main)" = "$(git -C g1 rev-parse HEAD)"
'

test_expect_success 'git daemon: the server hook refuses an invalid push, said with its reason' '
	sed -i "s/^role: .*/role: not-a-role/" g1/$C &&
	git -C g1 commit -qam "bad role" --no-verify &&
	test_expect_code 1 fieldbook -C g1 sync >out 2>err &&
	test_grep "refused the push of refs/heads/main" err &&
	test_grep "not-a-role" err &&
	git -C g1 reset -q --hard HEAD~1
'

test_expect_success 'the remote moved between fetch and push: sync fetches and tries again' '
	cat >srv/office.git/hooks/update <<-\EOF &&
	#!/bin/sh
	# the first push loses the race: someone else updates main meanwhile
	# (as receive-pack sees a concurrent push: the ref moved under it)
	test -e moved && exit 0
	touch moved
	old=$(git rev-parse refs/heads/main)
	export GIT_INDEX_FILE=$PWD/race.index
	git read-tree $old
	f=records/contacts/c-0003.yaml
	blob=$(git cat-file blob $old:$f | sed "s/^role: .*/role: party-member/" | git hash-object -w --stdin)
	git update-index --cacheinfo 100644,$blob,$f
	c=$(echo race | GIT_AUTHOR_NAME=r GIT_AUTHOR_EMAIL=r@x GIT_COMMITTER_NAME=r GIT_COMMITTER_EMAIL=r@x git commit-tree $(git write-tree) -p $old)
	git update-ref refs/heads/main $c $old
	EOF
	chmod +x srv/office.git/hooks/update &&
	edit g1 "s/^influence: .*/influence: 5/" &&
	fieldbook -C g1 sync >out 2>err &&
	test_path_is_file srv/office.git/moved &&
	test_grep "^pushed 2 commits to origin/main$" out &&
	test_grep "(the remote moved meanwhile: 2 rounds)" out &&
	git -C srv/office.git show main:records/contacts/c-0003.yaml >c3 && test_grep "^role: party-member$" c3 &&
	git -C srv/office.git show main:$C >c1 && test_grep "^influence: 5$" c1 &&
	rm srv/office.git/hooks/update
'

test_expect_success 'a network cut in the middle of a fetch: a clear error, nothing moves' '
	for i in $(seq 1 150); do
		f=g2/records/contacts/c-$((5000 + i)).yaml &&
		printf "id: c-%s\nname: نفر %s\nrole: party-member\ncounty: kerman\nstatus: active\nnotes: %s\n" \
			$((5000 + i)) $i "$(head -c 600 /dev/urandom | od -An -tx1 | tr -d " \n")" >$f || return 1
	done &&
	fieldbook -C g2 commit -m "150 contacts" >/dev/null && fieldbook -C g2 sync >out &&
	PPORT=$(free_port) || return 1
	python3 - $PPORT $DPORT >proxy.log 2>&1 <<-\EOF &
	# forwards to git daemon, and cuts the connection after 20000 bytes back
	import socket, sys, threading
	lis = socket.socket(); lis.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
	lis.bind(("127.0.0.1", int(sys.argv[1]))); lis.listen(4)
	def pipe(a, b, limit):
	    n = 0
	    try:
	        while True:
	            d = a.recv(4096)
	            if not d:
	                break
	            if limit and n + len(d) > limit:
	                b.sendall(d[:limit - n]); break
	            b.sendall(d); n += len(d)
	    except OSError:
	        pass
	    for s in (a, b):
	        try: s.shutdown(socket.SHUT_RDWR)
	        except OSError: pass
	while True:
	    c, _ = lis.accept()
	    s = socket.create_connection(("127.0.0.1", int(sys.argv[2])))
	    threading.Thread(target=pipe, args=(c, s, 0), daemon=True).start()
	    threading.Thread(target=pipe, args=(s, c, 20000), daemon=True).start()
	EOF
	pids="$pids $!" &&
	wait_port $PPORT &&
	state g1 >before &&
	test_expect_code 3 fieldbook -C g1 sync git://127.0.0.1:$PPORT/office.git >out 2>err &&
	test_grep "cannot fetch from git://127.0.0.1:$PPORT/office.git" err &&
	state g1 >after && test_cmp before after &&
	git -C g1 fsck --no-progress >fsck.out 2>&1 &&
	fieldbook -C g1 sync >out && test_grep "^took [0-9]* commits* from origin/main$" out &&
	test_path_is_file g1/records/contacts/c-5150.yaml
'

command -v script >/dev/null && test_set_prereq SCRIPT
test_expect_success SCRIPT 'progress on a terminal, none when stderr is a file' '
	edit g2 "s/^notes: .*/notes: progress/" && fieldbook -C g2 sync >out &&
	script -qec "$FIELDBOOK -C g1 sync" /dev/null >tty.out &&
	test_grep "receiving objects: [0-9]*/[0-9]*" tty.out &&
	edit g2 "s/^notes: .*/notes: no progress/" && fieldbook -C g2 sync >out &&
	fieldbook -C g1 sync >out 2>err &&
	test_must_fail grep -q "receiving objects" err out
'

test_expect_success 'the server gone: a one-line error, nothing moves' '
	state g1 >before &&
	test_expect_code 3 fieldbook -C g1 sync git://127.0.0.1:$(free_port)/office.git >out 2>err &&
	test_grep "cannot fetch from git://127.0.0.1:[0-9]*/office.git: .*" err &&
	test_line_count = 1 err &&
	state g1 >after && test_cmp before after
'

# ---- ssh -----------------------------------------------------------------------------------

# libgit2 1.5.1's ssh transport leaks about 170 bytes per connection inside
# git_remote_connect (valgrind: libgit2 and libssh2_userauth_list frames
# only), so under ASan the ssh syncs run without leak detection; every other
# check of ASan and UBSan stays on
ssh_fieldbook() {
	if test -n "${FB_SANITIZE:-}"; then
		ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0" fieldbook "$@"
	else
		fieldbook "$@"
	fi
}

test -x /usr/sbin/sshd && command -v ssh-keygen >/dev/null && test_set_prereq SSHD

test_expect_success SSHD 'setup: sshd on 127.0.0.1 with a key made here' '
	mkdir -p "$HOME/.ssh" && chmod 700 "$HOME/.ssh" &&
	ssh-keygen -q -t ed25519 -N "" -f hostkey &&
	ssh-keygen -q -t ed25519 -N "" -f "$HOME/.ssh/id_ed25519" &&
	cp "$HOME/.ssh/id_ed25519.pub" authorized_keys && chmod 600 authorized_keys &&
	SPORT=$(free_port) && echo $SPORT >sport &&
	cat >sshd_config <<-EOF &&
	Port $SPORT
	ListenAddress 127.0.0.1
	HostKey $PWD/hostkey
	PidFile $PWD/sshd.pid
	AuthorizedKeysFile $PWD/authorized_keys
	StrictModes no
	UsePAM no
	PasswordAuthentication no
	KbdInteractiveAuthentication no
	PubkeyAuthentication yes
	SetEnv PATH=$PATH
	EOF
	if test "$(id -u)" = 0; then mkdir -p /run/sshd; fi || return 1
	/usr/sbin/sshd -f "$PWD/sshd_config" -D -e >sshd.log 2>&1 &
	pids="$pids $!" &&
	wait_port $SPORT
'
SPORT=$(cat sport 2>/dev/null)
SURL=ssh://$(id -un)@127.0.0.1:$SPORT$PWD/srv/office.git

test_expect_success SSHD 'ssh: an unknown host is refused with its fingerprint and the line to accept it' '
	rm -f "$HOME/.ssh/known_hosts" && git clone -q --no-checkout $GURL s1 &&
	git -C s1 checkout -q main && git -C s1 remote set-url origin "$SURL" &&
	git -C s1 config user.name s1 && git -C s1 config user.email s1@x &&
	(cd s1 && fieldbook hook install >/dev/null) &&
	state s1 >before &&
	test_expect_code 3 ssh_fieldbook -C s1 sync >out 2>err &&
	fp=$(ssh-keygen -lf hostkey.pub | cut -d" " -f2) &&
	test_grep "the host key of 127.0.0.1 ($fp) is not in ~/.ssh/known_hosts" err &&
	test_grep "accept it with: echo .\[127.0.0.1\]:$SPORT ssh-ed25519 " err &&
	state s1 >after && test_cmp before after &&
	sed -n "s/.*accept it with: echo .\(.*\). >> ~\/.ssh\/known_hosts$/\1/p" err >line &&
	test "$(cut -d" " -f2- line)" = "$(cut -d" " -f1-2 hostkey.pub)" &&
	cat line >>"$HOME/.ssh/known_hosts"
'

test_expect_success SSHD 'ssh: with the host known and the key file, sync fetches, merges and pushes' '
	edit g1 "s/^notes: .*/notes: from g1 over git daemon/" && fieldbook -C g1 sync >out &&
	edit s1 "s/^influence: .*/influence: 3/" &&
	ssh_fieldbook -C s1 sync >out 2>err &&
	test_grep "^merged field by field: contacts/c-0001$" out &&
	test_grep "^pushed 2 commits to origin/main$" out &&
	fieldbook -C g1 sync >out && same_tree g1 s1
'

test_expect_success SSHD 'ssh: a key the server does not know: authentication refused, nothing moves' '
	ssh-keygen -q -t ed25519 -N "" -f stranger_key &&
	git -C s1 config fieldbook.sshKey "$PWD/stranger_key" &&
	mv "$HOME/.ssh/id_ed25519" "$HOME/.ssh/id_ed25519.away" &&
	state s1 >before &&
	test_expect_code 3 ssh_fieldbook -C s1 sync >out 2>err &&
	test_grep "authentication refused" err &&
	state s1 >after && test_cmp before after &&
	mv "$HOME/.ssh/id_ed25519.away" "$HOME/.ssh/id_ed25519" &&
	git -C s1 config --unset fieldbook.sshKey
'

# ---- smart HTTP ----------------------------------------------------------------------------

command -v lighttpd >/dev/null || test -x /usr/sbin/lighttpd && test_set_prereq HTTPD

test_expect_success HTTPD 'setup: lighttpd with basic auth in front of git http-backend' '
	HPORT=$(free_port) && echo $HPORT >hport &&
	echo "staff:secret" >users &&
	cat >lighttpd.conf <<-EOF &&
	server.document-root = "$PWD/srv"
	server.bind = "127.0.0.1"
	server.port = $HPORT
	server.errorlog = "$PWD/lighttpd.err"
	server.modules = ("mod_alias", "mod_auth", "mod_authn_file", "mod_cgi", "mod_setenv")
	alias.url = ("/git" => "/usr/lib/git-core/git-http-backend")
	\$HTTP["url"] =~ "^/git" {
		cgi.assign = ("" => "")
		setenv.add-environment = ("GIT_PROJECT_ROOT" => "$PWD/srv", "GIT_HTTP_EXPORT_ALL" => "1")
	}
	auth.backend = "plain"
	auth.backend.plain.userfile = "$PWD/users"
	auth.require = ("/git" => ("method" => "basic", "realm" => "office", "require" => "valid-user"))
	EOF
	true || return 1
	PATH=$PATH:/usr/sbin lighttpd -D -f lighttpd.conf >lighttpd.log 2>&1 &
	pids="$pids $!" &&
	wait_port $HPORT
'
HPORT=$(cat hport 2>/dev/null)
HURL=http://127.0.0.1:$HPORT/git/office.git

test_expect_success HTTPD 'http: credentials from a credential helper; fetch, merge, push' '
	printf "http://staff:secret@127.0.0.1:%s\n" $HPORT >creds &&
	git config --global credential.helper "store --file=$PWD/creds" &&
	git clone -q $HURL h1 &&
	git -C h1 config user.name h1 && git -C h1 config user.email h1@x &&
	(cd h1 && fieldbook hook install >/dev/null) &&
	edit g1 "s/^notes: .*/notes: from g1 again/" && fieldbook -C g1 sync >out &&
	edit h1 "s/^status: .*/status: active/" &&
	fieldbook -C h1 sync >out 2>err &&
	test_grep "^merged field by field: contacts/c-0001$" out &&
	test_grep "^pushed 2 commits to origin/main$" out &&
	fieldbook -C g1 sync >out && same_tree g1 h1
'

test_expect_success HTTPD 'http: a wrong password is refused, rejected from the helper, nothing moves' '
	printf "http://staff:wrong@127.0.0.1:%s\n" $HPORT >creds &&
	state h1 >before &&
	test_expect_code 3 fieldbook -C h1 sync >out 2>err &&
	test_grep "authentication refused" err &&
	test_grep "git.s credential helpers" err &&
	state h1 >after && test_cmp before after &&
	test_must_fail grep -q wrong creds &&
	test_must_fail fieldbook -C h1 sync "http://staff:hunter2@127.0.0.1:$HPORT/git/office.git" \
		>out 2>err &&
	test_grep "http://staff:\*\*\*@127.0.0.1:$HPORT/git/office.git" err &&
	test_must_fail grep -q hunter2 err out &&
	git config --global --unset credential.helper
'

test_expect_success 'the servers stop' '
	stop_servers
'

test_done
