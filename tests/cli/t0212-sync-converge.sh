#!/bin/sh
test_description='property: random edits in N clones, synced in random order, converge with nothing lost'
. "$(dirname "$0")/lib.sh"

# FB_SYNC_RUNS seeds (default 4), each with 3 or 4 clones and 6 rounds of edits
runs=${FB_SYNC_RUNS:-4}

cat >converge.py <<-\EOF
import os, random, re, subprocess, sys

seed, clones, rounds = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
rng = random.Random(seed)
FB = os.environ["FIELDBOOK"]
names = ["c%d" % i for i in range(clones)]
phones, people, scalars = {}, set(), {}   # what was written, to find again
settled = set()   # records whose conflicts were resolved: an edit there may be gone
counts = {"edits": 0, "syncs": 0, "conflicts": 0, "renumbered": 0}

def run(*args, ok=(0,)):
    p = subprocess.run(args, capture_output=True, text=True)
    if p.returncode not in ok:
        sys.exit("%s: exit %d\n%s%s" % (" ".join(args), p.returncode, p.stdout, p.stderr))
    return p

def fb(clone, *args, ok=(0,)):
    return run(FB, "-C", clone, *args, ok=ok)

def contact(clone, n):
    return os.path.join(clone, "records/contacts/c-%04d.yaml" % n)

def edit_scalar(clone, field, value):
    n = rng.randint(1, 8)
    path = contact(clone, n)
    text = open(path, encoding="utf-8").read()
    if not re.search("^%s: " % field, text, re.M):
        return False
    text = re.sub("^%s: .*$" % field, "%s: %s" % (field, value), text, count=1, flags=re.M)
    open(path, "w", encoding="utf-8").write(text)
    scalars.setdefault((n, field), set()).add(str(value))
    return True

def append_phone(clone):
    n = rng.randint(1, 8)
    path = contact(clone, n)
    lines = open(path, encoding="utf-8").read().split("\n")
    if "phones:" not in lines:
        return False
    i = lines.index("phones:") + 1
    while i < len(lines) and lines[i].startswith("  - "):
        i += 1
    phone = "0915%07d" % rng.randrange(10**7)
    if phone in phones:
        return False
    lines.insert(i, '  - "%s"' % phone)
    open(path, "w", encoding="utf-8").write("\n".join(lines))
    phones[phone] = "contacts/c-%04d" % n
    return True

def new_contact(clone):
    name = "نفر %d-%d" % (seed, len(people))
    fb(clone, "new", "contacts", "--no-edit", "--set", "name=" + name, "--set",
       "role=party-member", "--set", "county=kerman", "--set", "status=active")
    people.add(name)
    return True

def one_edit(clone):
    k = rng.randrange(4)
    if k == 0:
        return edit_scalar(clone, "influence", rng.randint(1, 5))
    if k == 1:
        return edit_scalar(clone, "notes", "یادداشت %d" % rng.randrange(10**6))
    if k == 2:
        return append_phone(clone)
    return new_contact(clone)

def sync(clone):
    counts["syncs"] += 1
    p = fb(clone, "sync", ok=(0, 1))
    counts["renumbered"] += p.stdout.count("renumbered ")
    while p.returncode == 1:
        conflicts = re.findall(r"CONFLICT \(fields\) in (\S+):", p.stderr)
        if not conflicts:
            sys.exit("sync refused without a conflict:\n" + p.stdout + p.stderr)
        for rec in conflicts:
            counts["conflicts"] += 1
            settled.add(rec)
            fb(clone, "resolve", rec, rng.choice(["--ours", "--theirs"]))
        counts["syncs"] += 1
        p = fb(clone, "sync", ok=(0, 1))

for c in names:
    run("git", "clone", "-q", "server.git", c)
    run("git", "-C", c, "config", "user.name", c)
    run("git", "-C", c, "config", "user.email", c + "@example.org")
    fb(c, "hook", "install")
for r in range(rounds):
    for c in names:
        made = 0
        for _ in range(rng.randint(1, 3)):
            made += one_edit(c)
        if made:
            counts["edits"] += made
            p = fb(c, "commit", "-m", "%s round %d" % (c, r), ok=(0, 1))
            if p.returncode and "nothing to commit" not in p.stderr:
                sys.exit("commit refused:\n" + p.stderr)
    for c in rng.sample(names, len(names)):
        sync(c)
# everyone takes everything, twice: one history
for _ in range(2):
    for c in names:
        sync(c)
trees = {run("git", "-C", c, "rev-parse", "HEAD^{tree}").stdout.strip() for c in names}
server = run("git", "-C", "server.git", "rev-parse", "main^{tree}").stdout.strip()
assert trees == {server}, (trees, server)
fb(names[0], "validate")
texts = ""
for root, _, files in os.walk(os.path.join(names[0], "records/contacts")):
    for f in files:
        texts += open(os.path.join(root, f), encoding="utf-8").read()
# an appended phone is kept unless its record's conflict was settled against it
lost = [p for p in phones if p not in texts and phones[p] not in settled]
lost += [n for n in people if n not in texts]
assert not lost, lost
for (n, field), values in scalars.items():
    now = re.search("^%s: (.*)$" % field, open(contact(names[0], n), encoding="utf-8").read(), re.M)
    assert now and now.group(1) in values, (n, field, now and now.group(1), values)
assert not re.search("^(<<<<<<<|=======|>>>>>>>)", texts, re.M)
print("seed %d: %d clones, %d rounds, %d edits, %d syncs, %d conflicts resolved, %d renumbered"
      % (seed, clones, rounds, counts["edits"], counts["syncs"], counts["conflicts"],
         counts["renumbered"]))
EOF

test_expect_success 'setup: the office server' '
	fb_demo seed && git clone -q --bare seed server.git
'

seed=1
while test $seed -le $runs; do
	n=$((3 + seed % 2))
	test_expect_success "seed $seed: $n clones, 6 rounds, synced in random order, converge" '
		rm -rf server.git c0 c1 c2 c3 && git clone -q --bare seed server.git &&
		python3 converge.py '$seed' '$n' 6 >result
	'
	echo "# $(cat result 2>/dev/null)"
	seed=$((seed + 1))
done

test_done
