/*
 * floor: the parse-only floor that `fieldbook validate` is measured against.
 *
 * `floor DIR` walks DIR (normally a repository's records/) recursively and,
 * for every record file -- a *.yaml name not starting with '.', the files
 * SPEC §1 calls records -- reads it with one read() into one reused buffer
 * and runs libyaml's event parser over it until STREAM-END, deleting each
 * event.  Nothing else: no tree, no typing, no schema, no git.  The time it
 * takes is the least any validator that reads the same files through libyaml
 * can take, so it is an honest floor only if it stays this lean: one
 * open/fstat/read/close per file, directories read through their fds
 * (openat), file types from readdir where the file system gives them.
 *
 * Output, one line on stdout:
 *   files N events N bytes N errors N seconds S
 * A file that does not parse is reported on stderr (FILE:LINE:COL, as
 * fieldbook reports) and counted; the walk goes on.  Exit 0, or 1 when a file
 * did not parse, 2 on usage, 3 on an I/O error.
 */
#define _DEFAULT_SOURCE /* d_type and DT_* in <dirent.h>: file types without a stat per entry */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <yaml.h>

struct floor_stats {
	size_t files, events, bytes, errors;
};

static unsigned char *buf;
static size_t buf_alloc;

static void die_io(const char *path, const char *what)
{
	fprintf(stderr, "floor: %s '%s': %s\n", what, path, strerror(errno));
	exit(3);
}

static bool is_record_name(const char *name)
{
	size_t n = strlen(name);

	return name[0] != '.' && n > 5 && !strcmp(name + n - 5, ".yaml");
}

/* Parse `len` bytes of `path` to STREAM-END. */
static void parse(const char *path, size_t len, struct floor_stats *st)
{
	yaml_parser_t p;
	yaml_event_t ev;
	bool done = false;

	if (!yaml_parser_initialize(&p)) {
		fprintf(stderr, "floor: out of memory\n");
		exit(3);
	}
	yaml_parser_set_encoding(&p, YAML_UTF8_ENCODING);
	yaml_parser_set_input_string(&p, buf, len);
	while (!done) {
		if (!yaml_parser_parse(&p, &ev)) {
			fprintf(stderr, "%s:%zu:%zu: error: %s\n", path, p.problem_mark.line + 1,
				p.problem_mark.column + 1, p.problem ? p.problem : "cannot parse");
			st->errors++;
			break;
		}
		done = ev.type == YAML_STREAM_END_EVENT;
		st->events++;
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&p);
}

static void read_and_parse(int dirfd, const char *name, const char *path, struct floor_stats *st)
{
	struct stat sb;
	size_t len = 0;
	int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		die_io(path, "cannot open");
	if (fstat(fd, &sb) < 0)
		die_io(path, "cannot stat");
	if ((size_t)sb.st_size + 1 > buf_alloc) {
		buf_alloc = ((size_t)sb.st_size + 1) * 2;
		free(buf);
		buf = malloc(buf_alloc);
		if (!buf) {
			fprintf(stderr, "floor: out of memory\n");
			exit(3);
		}
	}
	/* one read() in practice; loop only if the kernel returns less */
	while (len < (size_t)sb.st_size) {
		ssize_t r = read(fd, buf + len, buf_alloc - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			die_io(path, "cannot read");
		if (r == 0)
			break;
		len += (size_t)r;
	}
	close(fd);
	st->files++;
	st->bytes += len;
	parse(path, len, st);
}

static void walk(int dirfd, char *path, size_t plen, size_t cap, struct floor_stats *st)
{
	DIR *d = fdopendir(dirfd);
	struct dirent *de;

	if (!d)
		die_io(path, "cannot read directory");
	while ((errno = 0, de = readdir(d))) {
		const char *name = de->d_name;
		size_t n = strlen(name);
		bool dir = de->d_type == DT_DIR, reg = de->d_type == DT_REG;

		if (name[0] == '.')
			continue;
		if (plen + 1 + n + 1 > cap) {
			fprintf(stderr, "floor: path too long under '%s'\n", path);
			exit(3);
		}
		path[plen] = '/';
		memcpy(path + plen + 1, name, n + 1);
		if (de->d_type == DT_UNKNOWN || de->d_type == DT_LNK) {
			struct stat sb;
			if (fstatat(dirfd, name, &sb, AT_SYMLINK_NOFOLLOW) < 0)
				die_io(path, "cannot stat");
			dir = S_ISDIR(sb.st_mode);
			reg = S_ISREG(sb.st_mode);
		}
		if (dir) {
			int fd =
			    openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
			if (fd < 0)
				die_io(path, "cannot open directory");
			walk(fd, path, plen + 1 + n, cap, st);
		} else if (reg && is_record_name(name)) {
			read_and_parse(dirfd, name, path, st);
		}
		path[plen] = '\0';
	}
	if (errno)
		die_io(path, "cannot read directory");
	closedir(d);
}

int main(int argc, char **argv)
{
	struct floor_stats st = {0, 0, 0, 0};
	struct timespec t0, t1;
	char path[4096];
	size_t n;
	int fd;

	if (argc != 2 || argv[1][0] == '-') {
		fprintf(stderr, "usage: floor DIR\n");
		return argc == 2 && !strcmp(argv[1], "--help") ? 0 : 2;
	}
	n = strlen(argv[1]);
	while (n > 1 && argv[1][n - 1] == '/')
		n--;
	if (n >= sizeof(path)) {
		fprintf(stderr, "floor: path too long\n");
		return 2;
	}
	memcpy(path, argv[1], n);
	path[n] = '\0';
	clock_gettime(CLOCK_MONOTONIC, &t0);
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		die_io(path, "cannot open directory");
	walk(fd, path, n, sizeof(path), &st);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("files %zu events %zu bytes %zu errors %zu seconds %.3f\n", st.files, st.events,
	       st.bytes, st.errors,
	       (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	free(buf);
	return st.errors ? 1 : 0;
}
