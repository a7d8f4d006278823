# tests/cli/lib-sync.sh: what the sync tests (t0210, t0211) share; source it after lib.sh.
# $C is the record the tests edit.

C=records/contacts/c-0001.yaml

# clone NAME [SERVER]: a clone of the server (default server.git) with an
# identity and the hooks and merge driver
clone() {
	git clone -q "${2:-server.git}" "$1" &&
	git -C "$1" config user.name "$1" && git -C "$1" config user.email "$1@example.org" &&
	(cd "$1" && fieldbook hook install >/dev/null)
}

# edit CLONE SED-SCRIPT: change $C in a clone and commit it with fieldbook
edit() {
	sed -i "$2" "$1/$C" && fieldbook -C "$1" commit -m "$1: $2" >/dev/null
}

# state CLONE: what must not move when sync refuses (HEAD, index, working tree, a merge)
state() {
	git -C "$1" rev-parse HEAD && git -C "$1" ls-files -s -u && git -C "$1" status --porcelain &&
	git -C "$1" rev-parse -q --verify MERGE_HEAD || true
}

# same_tree A B: both clones have the same HEAD tree
same_tree() {
	test "$(git -C "$1" rev-parse HEAD^{tree})" = "$(git -C "$2" rev-parse HEAD^{tree})"
}
