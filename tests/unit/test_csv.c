/*
 * test_csv.c - the CSV dialect reader: every dialect case, malformed
 * records and where reading resumes, max_record, and the same results
 * whatever sizes the read function returns.
 *
 * Each case renders the records it reads as one line each:
 *     <line> <raw> [field][field]... ! error
 * (a record without fields: "<line> <raw> ! error")
 * with LF, CR and backslash written as \n, \r and \\.
 */
#include "buf.h"
#include "check.h"
#include "csv.h"
#include "dcstage.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* An input in memory, handed out at most `step` bytes a time (0: all
 * that is asked for); the read fails once `fail_at` bytes are out. */
typedef struct src {
	const char *data;
	size_t len, off, step, fail_at;
} src;

static ptrdiff_t src_read(void *ctx, char *dst, size_t n)
{
	src *s = ctx;

	if (s->fail_at && s->off >= s->fail_at)
		return -1;
	if (s->step && n > s->step)
		n = s->step;
	if (n > s->len - s->off)
		n = s->len - s->off;
	if (s->fail_at && n > s->fail_at - s->off)
		n = s->fail_at - s->off;
	memcpy(dst, s->data + s->off, n);
	s->off += n;
	return (ptrdiff_t)n;
}

static const char *src_errmsg(void *ctx)
{
	(void)ctx;
	return "'mem.csv': the disk is on fire";
}

static void put_escaped(buf *b, const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '\n')
			buf_puts(b, "\\n");
		else if (p[i] == '\r')
			buf_puts(b, "\\r");
		else if (p[i] == '\\')
			buf_puts(b, "\\\\");
		else
			buf_putc(b, p[i]);
	}
}

static void render(buf *b, const csv_record *rec)
{
	if (b->len)
		buf_putc(b, '\n');
	buf_printf(b, "%llu <", (unsigned long long)rec->line);
	put_escaped(b, rec->raw, rec->raw_len);
	buf_puts(b, rec->nfields ? "> " : ">");
	for (size_t i = 0; i < rec->nfields; i++) {
		buf_putc(b, '[');
		put_escaped(b, rec->fields[i].ptr, rec->fields[i].len);
		buf_putc(b, ']');
	}
	if (rec->error)
		buf_printf(b, " ! %s", rec->error);
}

/* Read all of data; the rendered records, then "-- <rc>" if the reader
 * did not end with 0, and "-- <message>" after a read error. */
static char *read_all(const char *data, size_t len, size_t step,
		      size_t max_record, size_t fail_at, csv_errmsg_fn em)
{
	src s = { data, len, 0, step, fail_at };
	csv_reader *r = csv_open(src_read, em, &s, "mem.csv", max_record);
	csv_record rec;
	buf b = BUF_INIT;
	int rc;

	buf_puts(&b, ""); /* allocated and terminated even when empty */
	while ((rc = csv_next_record(r, &rec)) == 1)
		render(&b, &rec);
	if (rc != 0)
		buf_printf(&b, "\n-- %d %s", rc, csv_errmsg(r));
	CHECK_INT(csv_next_record(r, &rec), rc); /* the end stays the end */
	csv_close(r);
	return buf_detach(&b);
}

typedef struct tcase {
	const char *in;
	const char *want;
	size_t max_record; /* 0: the default */
} tcase;

static const tcase dialect[] = {
	{ "a,b,c\n", "1 <a,b,c> [a][b][c]", 0 },
	{ "a,b,c", "1 <a,b,c> [a][b][c]", 0 },
	{ "a,b\nc,d", "1 <a,b> [a][b]\n2 <c,d> [c][d]", 0 },
	{ "a,b\r\nc,d\r\n", "1 <a,b> [a][b]\n2 <c,d> [c][d]", 0 },
	{ "a,,b\n,\n", "1 <a,,b> [a][][b]\n2 <,> [][]", 0 },
	{ "a,", "1 <a,> [a][]", 0 },
	{ "\"\",x\n", "1 <\"\",x> [][x]", 0 },
	{ "x,\"\"\n", "1 <x,\"\"> [x][]", 0 },
	{ "\"\"\n", "1 <\"\"> []", 0 },
	{ "\"a,b\",c\n", "1 <\"a,b\",c> [a,b][c]", 0 },
	{ "\"a\\\"b\"\n", "1 <\"a\\\\\"b\"> [a\"b]", 0 },
	{ "\"a\"\"b\"\n", "1 <\"a\"\"b\"> [a\"b]", 0 },
	{ "\"a\\\\b\"\n", "1 <\"a\\\\\\\\b\"> [a\\\\b]", 0 },
	{ "\"a\\xb\\,\"\n", "1 <\"a\\\\xb\\\\,\"> [axb,]", 0 },
	{ "\"\\\"x\\\"\",\"\"\"y\"\"\"\n",
	  "1 <\"\\\\\"x\\\\\"\",\"\"\"y\"\"\"> [\"x\"][\"y\"]", 0 },
	{ "\"\"\"\"\n", "1 <\"\"\"\"> [\"]", 0 },
	{ "\"a\nb\",c\nd\n", "1 <\"a\\nb\",c> [a\\nb][c]\n3 <d> [d]", 0 },
	{ "\"a\r\nb\",c\r\nd\r\n",
	  "1 <\"a\\r\\nb\",c> [a\\r\\nb][c]\n3 <d> [d]", 0 },
	{ "x,\"1\n2\n\n3\"\ny\n",
	  "1 <x,\"1\\n2\\n\\n3\"> [x][1\\n2\\n\\n3]\n5 <y> [y]", 0 },
	{ "\"a\\\nb\"\nc\n", "1 <\"a\\\\\\nb\"> [a\\nb]\n3 <c> [c]", 0 },
	{ "a\rb,c\n", "1 <a\\rb,c> [a\\rb][c]", 0 },
	{ "a\\,b\\\n", "1 <a\\\\,b\\\\> [a\\\\][b\\\\]", 0 },
	{ " a , b \n", "1 < a , b > [ a ][ b ]", 0 },
	{ "a\r", "1 <a> [a]", 0 },
	{ "\"a\"\r", "1 <\"a\"> [a]", 0 },
	{ "\na\n\n\r\nb\n\n", "2 <a> [a]\n5 <b> [b]", 0 },
	{ "", "", 0 },
	{ "\n\n\r\n", "", 0 },
	{ "_projectid,teacher_acctid\n1,2\n",
	  "1 <_projectid,teacher_acctid> [_projectid][teacher_acctid]\n"
	  "2 <1,2> [1][2]", 0 },
	{ "\xc3\xa6\xe6\x97\xa5,\"Sm\xc3\xb8rum\"\n",
	  "1 <\xc3\xa6\xe6\x97\xa5,\"Sm\xc3\xb8rum\"> [\xc3\xa6\xe6\x97\xa5][Sm\xc3\xb8rum]",
	  0 },
	{ "a,\"b\"\r\n\"c\"\r\n", "1 <a,\"b\"> [a][b]\n2 <\"c\"> [c]", 0 },
};

static const tcase malformed[] = {
	/* a quote inside an unquoted field: the rest of the line is data */
	{ "x,ab\"c,d\ne\n",
	  "1 <x,ab\"c,d> [x][ab\"c,d] ! unexpected quote in unquoted field (field 2, column 5)\n"
	  "2 <e> [e]", 0 },
	{ "x,ab\"c,\"d\"\r\ne\n",
	  "1 <x,ab\"c,\"d\"> [x][ab\"c,\"d\"] ! unexpected quote in unquoted field (field 2, column 5)\n"
	  "2 <e> [e]", 0 },
	/* something after the closing quote */
	{ "\"ab\"c,d\ne\n",
	  "1 <\"ab\"c,d> [\"ab\"c,d] ! unexpected character after closing quote (field 1, column 5)\n"
	  "2 <e> [e]", 0 },
	{ "\"a\"\rb\n",
	  "1 <\"a\"\\rb> [\"a\"\\rb] ! unexpected character after closing quote (field 1, column 4)",
	  0 },
	{ "1,\"\"x\n",
	  "1 <1,\"\"x> [1][\"\"x] ! unexpected character after closing quote (field 2, column 5)",
	  0 },
	/* ... found on a later line of the record: it ends with that line */
	{ "\"a\nb\"x,y\nz\n",
	  "1 <\"a\\nb\"x,y> [\"a\\nb\"x,y] ! unexpected character after closing quote (field 1, line 2, column 3)\n"
	  "3 <z> [z]", 0 },
	{ "a,\"b\nc,\"d\",e\nf\n",
	  "1 <a,\"b\\nc,\"d\",e> [a][\"b\\nc,\"d\",e] ! unexpected character after closing quote (field 2, line 2, column 4)\n"
	  "3 <f> [f]", 0 },
	/* a quote still open at the end of the input */
	{ "a,\"bc", "1 <a,\"bc> [a][\"bc] ! unterminated quoted field (field 2, column 3)", 0 },
	{ "a,\"bc\\", "1 <a,\"bc\\\\> [a][\"bc\\\\] ! unterminated quoted field (field 2, column 3)", 0 },
	{ "a,\"b\"\"", "1 <a,\"b\"\"> [a][\"b\"\"] ! unterminated quoted field (field 2, column 3)", 0 },
	/* ... over several lines: cut to its first line, the rest read again */
	{ "0\na,\"b\nc,d\n\ne\n",
	  "1 <0> [0]\n"
	  "2 <a,\"b> ! unterminated quoted field (field 2, column 3)\n"
	  "3 <c,d> [c][d]\n5 <e> [e]", 0 },
	{ "\"x\ny\",\"b\nc\n",
	  "1 <\"x> ! unterminated quoted field (field 2, line 2, column 4)\n"
	  "2 <y\",\"b> [y\",\"b] ! unexpected quote in unquoted field (field 1, column 2)\n"
	  "3 <c> [c]", 0 },
	{ "0\na,\"b\r\nc,d\r\n",
	  "1 <0> [0]\n"
	  "2 <a,\"b> ! unterminated quoted field (field 2, column 3)\n"
	  "3 <c,d> [c][d]", 0 },
	/* longer than max_record: resume on the line after its start */
	{ "a,\"b\ncdefgh", /* 11 bytes, the input ends inside the quote */
	  "1 <a,\"b> ! record longer than 10 bytes\n2 <cdefgh> [cdefgh]", 10 },
	{ "a,\"b\r\ncdefgh\r\nx\n",
	  "1 <a,\"b> ! record longer than 10 bytes\n2 <cdefgh> [cdefgh]\n3 <x> [x]",
	  10 },
	{ "0123456789abc,x\nnext\n",
	  "1 <0123456789> ! record longer than 10 bytes\n2 <next> [next]", 10 },
	{ "0123456789\r\nab\n", "1 <0123456789> [0123456789]\n2 <ab> [ab]", 10 },
	{ "0123456789", "1 <0123456789> [0123456789]", 10 },
	{ "01234567890", "1 <0123456789> ! record longer than 10 bytes", 10 },
	{ "01234567890\n", "1 <0123456789> ! record longer than 10 bytes", 10 },
	{ "\"0123456789\"\n1\n",
	  "1 <\"012345678> ! record longer than 10 bytes\n2 <1> [1]", 10 },
	{ "a,\"stray\nb\nc\nd\ne\nf\ng\nh\ni\nj\nk\n",
	  "1 <a,\"stray> ! record longer than 10 bytes\n2 <b> [b]\n3 <c> [c]\n"
	  "4 <d> [d]\n5 <e> [e]\n6 <f> [f]\n7 <g> [g]\n8 <h> [h]\n"
	  "9 <i> [i]\n10 <j> [j]\n11 <k> [k]", 10 },
	{ "a,\"stray\nb\nc\nd\ne", /* ends inside the quote, too long */
	  "1 <a,\"stray> ! record longer than 10 bytes\n2 <b> [b]\n3 <c> [c]\n"
	  "4 <d> [d]\n5 <e> [e]", 10 },
	{ "x\n\"a\",\"bcdefghijklmnopqrstu\nok\n",
	  "1 <x> [x]\n2 <\"a\",\"bcdef> ! record longer than 10 bytes\n3 <ok> [ok]",
	  10 },
	{ "0123456789abcdefghijklmnopqrstuvwxyz0123456789\n\n,\n",
	  "1 <0123456789> ! record longer than 10 bytes\n3 <,> [][]", 10 },
};

static void run_cases(const tcase *cases, size_t n)
{
	static const size_t steps[] = { 0, 1, 2, 7 };

	for (size_t i = 0; i < n; i++) {
		for (size_t k = 0; k < sizeof steps / sizeof steps[0]; k++) {
			char *got = read_all(cases[i].in, strlen(cases[i].in),
					     steps[k], cases[i].max_record, 0,
					     src_errmsg);

			int before = check_failed;

			CHECK_STR(got, cases[i].want);
			if (check_failed != before)
				fprintf(stderr, "  (case %zu, step %zu)\n", i,
					steps[k]);
			free(got);
		}
	}
}

static void test_dialect(void)
{
	run_cases(dialect, sizeof dialect / sizeof dialect[0]);
	/* a small max_record means a small buffer: the same results */
	for (size_t i = 0; i < sizeof dialect / sizeof dialect[0]; i++) {
		char *got = read_all(dialect[i].in, strlen(dialect[i].in), 3,
				     40, 0, src_errmsg);

		CHECK_STR(got, dialect[i].want);
		free(got);
	}
}

static void test_malformed(void)
{
	run_cases(malformed, sizeof malformed / sizeof malformed[0]);
}

static void test_read_error(void)
{
	const char *in = "a,b\nc,d\ne,f\n";
	char *got;

	got = read_all(in, strlen(in), 0, 0, 6, src_errmsg);
	CHECK_STR(got, "1 <a,b> [a][b]\n-- -1 'mem.csv': the disk is on fire");
	free(got);
	got = read_all(in, strlen(in), 1, 0, 9, NULL);
	CHECK_STR(got, "1 <a,b> [a][b]\n2 <c,d> [c][d]\n-- -1 cannot read 'mem.csv'");
	free(got);
	got = read_all(in, strlen(in), 0, 0, 4, src_errmsg);
	CHECK_STR(got, "1 <a,b> [a][b]\n-- -1 'mem.csv': the disk is on fire");
	free(got);
	/* failing while the rest of a too long line is skipped */
	got = read_all("0123456789abcdefghij\nx\n", 22, 1, 10, 15, NULL);
	CHECK_STR(got, "1 <0123456789> ! record longer than 10 bytes\n"
		  "-- -1 cannot read 'mem.csv'");
	free(got);
	got = read_all(in, strlen(in), 0, 0, 0, NULL);
	CHECK_STR(got, "1 <a,b> [a][b]\n2 <c,d> [c][d]\n3 <e,f> [e][f]");
	free(got);
}

/* Many fields, and a reader closed early or never opened. */
static void test_many_fields(void)
{
	buf in = BUF_INIT, want = BUF_INIT;
	char *got;

	buf_puts(&want, "1 <");
	for (int i = 0; i < 300; i++)
		buf_printf(&in, "%s%d", i ? "," : "", i);
	buf_append(&want, in.data, in.len);
	buf_puts(&want, "> ");
	for (int i = 0; i < 300; i++)
		buf_printf(&want, "[%d]", i);
	buf_puts(&in, "\nnot read\n");
	buf_puts(&want, "\n2 <not read> [not read]");
	got = read_all(in.data, in.len, 0, 0, 0, NULL);
	CHECK_STR(got, want.data);
	free(got);
	csv_close(NULL);
	buf_free(&in);
	buf_free(&want);
}

/* ---- generated input: every field decodes to what was written ---- */

static uint64_t rng_state;

static uint64_t rnd(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15u);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return z ^ (z >> 31);
}

/* A random value: plain text, or with the bytes that need quoting. */
static void gen_value(buf *v)
{
	static const char plain[] = "abcdefghij0123456789 .-_\\\r";
	static const char tricky[] = "ab,\"\\\n\r x";
	size_t n = rnd() % 12;
	int kind = (int)(rnd() % 4);

	buf_reset(v);
	buf_puts(v, "");
	if (rnd() % 50 == 0)
		n = rnd() % 1500; /* now and then a long one */
	for (size_t i = 0; i < n; i++)
		buf_putc(v, kind == 0 ? tricky[rnd() % (sizeof tricky - 1)]
				      : plain[rnd() % (sizeof plain - 1)]);
}

static int needs_quotes(const buf *v)
{
	if (v->len && v->data[v->len - 1] == '\r')
		return 1; /* it would read as part of the line end */
	return strpbrk(v->data, ",\"\n") != NULL;
}

static void put_quoted(buf *out, const buf *v)
{
	buf_putc(out, '"');
	for (size_t i = 0; i < v->len; i++) {
		char c = v->data[i];

		if (c == '"')
			buf_puts(out, rnd() % 2 ? "\\\"" : "\"\"");
		else if (c == '\\')
			buf_puts(out, "\\\\");
		else if (c == 'x' && rnd() % 2)
			buf_puts(out, "\\x");
		else
			buf_putc(out, c);
	}
	buf_putc(out, '"');
}

static size_t count_lf(const char *p, size_t n)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		k += p[i] == '\n';
	return k;
}

/* Write nrec random records to out and what reading them must give to
 * want: "<line>:[field]...|" for each record. */
static void gen_input(buf *out, buf *want, size_t nrec)
{
	buf v = BUF_INIT;
	size_t line = 1;

	for (size_t r = 0; r < nrec; r++) {
		size_t nf = 1 + rnd() % 8, start;

		if (rnd() % 20 == 0) {
			buf_puts(out, rnd() % 2 ? "\n" : "\r\n");
			line++;
		}
		buf_printf(want, "%zu:", line);
		start = out->len;
		for (size_t f = 0; f < nf; f++) {
			gen_value(&v);
			if (f)
				buf_putc(out, ',');
			if (needs_quotes(&v) || rnd() % 4 == 0 ||
			    (nf == 1 && v.len == 0))
				put_quoted(out, &v);
			else
				buf_append(out, v.data, v.len);
			buf_putc(want, '[');
			buf_append(want, v.data, v.len);
			buf_putc(want, ']');
		}
		buf_putc(want, '|');
		buf_puts(out, rnd() % 3 ? "\n" : "\r\n");
		line += count_lf(out->data + start, out->len - start);
	}
	buf_free(&v);
}

static char *fields_of(const char *data, size_t len, size_t step,
		       size_t max_record, size_t *errors)
{
	src s = { data, len, 0, step, 0 };
	csv_reader *r = csv_open(src_read, src_errmsg, &s, "gen.csv",
				 max_record);
	csv_record rec;
	buf b = BUF_INIT;

	*errors = 0;
	buf_puts(&b, "");
	while (csv_next_record(r, &rec) == 1) {
		buf_printf(&b, "%llu:", (unsigned long long)rec.line);
		for (size_t i = 0; i < rec.nfields; i++) {
			buf_putc(&b, '[');
			buf_append(&b, rec.fields[i].ptr, rec.fields[i].len);
			buf_putc(&b, ']');
		}
		buf_putc(&b, '|');
		if (rec.error)
			(*errors)++;
	}
	csv_close(r);
	return buf_detach(&b);
}

static void test_generated(void)
{
	buf in = BUF_INIT, want = BUF_INIT;
	static const size_t steps[] = { 0, 1, 7, 4093 };
	static const size_t maxes[] = { 0, 30000, 26000 };

	rng_state = 42;
	gen_input(&in, &want, 20000);
	for (size_t m = 0; m < sizeof maxes / sizeof maxes[0]; m++) {
		for (size_t k = 0; k < sizeof steps / sizeof steps[0]; k++) {
			size_t errors;
			char *got = fields_of(in.data, in.len, steps[k],
					      maxes[m], &errors);

			CHECK_INT(errors, 0);
			if (strcmp(got, want.data))
				fprintf(stderr, "generated: max %zu, step %zu\n",
					maxes[m], steps[k]);
			CHECK(!strcmp(got, want.data));
			free(got);
		}
	}
	buf_free(&in);
	buf_free(&want);
}

/* A record longer than the 1 MiB buffer grows it, up to max_record. */
static void test_big_record(void)
{
	size_t big = (5u << 20) / 2, max = 3u << 20;
	buf in = BUF_INIT;
	static const size_t steps[] = { 0, 65536, 100003 };

	buf_puts(&in, "a,\"");
	for (size_t i = 0; i < big; i++)
		buf_putc(&in, i % 1000 == 999 ? '\n' : (i % 997 == 0 ? ',' : 'x'));
	buf_puts(&in, "\",b\nnext\n");
	buf_grow(&in, max);
	for (size_t i = 0; i < max + 5; i++)
		buf_putc(&in, 'y');
	buf_puts(&in, "\nlast");
	for (size_t k = 0; k < sizeof steps / sizeof steps[0]; k++) {
		src s = { in.data, in.len, 0, steps[k], 0 };
		csv_reader *r = csv_open(src_read, NULL, &s, "big.csv", max);
		csv_record rec;

		CHECK_INT(csv_next_record(r, &rec), 1);
		CHECK(rec.error == NULL);
		CHECK_INT(rec.nfields, 3);
		CHECK_INT(rec.fields[1].len, big);
		CHECK(!memcmp(rec.fields[1].ptr, in.data + 3, big));
		CHECK_INT(rec.raw_len, big + 6);
		CHECK_INT(csv_next_record(r, &rec), 1);
		CHECK_INT(rec.line, big / 1000 + 2);
		CHECK_INT(rec.fields[0].len, 4);
		CHECK_INT(csv_next_record(r, &rec), 1);
		CHECK_STR(rec.error, "record longer than 3145728 bytes");
		CHECK_INT(rec.raw_len, max);
		CHECK_INT(csv_next_record(r, &rec), 1);
		CHECK(rec.error == NULL);
		CHECK_INT(rec.line, big / 1000 + 4);
		CHECK(rec.nfields == 1 && rec.fields[0].len == 4 &&
		      !memcmp(rec.fields[0].ptr, "last", 4));
		CHECK_INT(csv_next_record(r, &rec), 0);
		csv_close(r);
	}
	buf_free(&in);
}

int main(void)
{
	test_dialect();
	test_malformed();
	test_read_error();
	test_many_fields();
	test_generated();
	test_big_record();
	return check_summary();
}
