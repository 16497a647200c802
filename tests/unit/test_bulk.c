/*
 * test_bulk.c - bulk request bodies and the small shared helpers.
 */
#include "buf.h"
#include "bulk.h"
#include "check.h"
#include "dcstage.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void test_json_string(void)
{
	static const struct { const char *in; size_t n; const char *want; } cases[] = {
		{ "abc", 3, "\"abc\"" },
		{ "a\"b", 3, "\"a\\\"b\"" },
		{ "a\\b", 3, "\"a\\\\b\"" },
		{ "a\nb\tc\r\b\f", 8, "\"a\\nb\\tc\\r\\b\\f\"" },
		{ "\x01", 1, "\"\\u0001\"" },
		{ "\xc3\xa9t\xc3\xa9", 5, "\"\xc3\xa9t\xc3\xa9\"" },
		{ "", 0, "\"\"" },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		buf b = BUF_INIT;

		buf_json_string(&b, cases[i].in, cases[i].n);
		CHECK_STR(b.data, cases[i].want);
		buf_free(&b);
	}
}

/* The escape a byte needs by the JSON grammar, written out plainly. */
static void escape_byte(buf *b, unsigned char c)
{
	char u[8];

	if (c == '"' || c == '\\') {
		buf_putc(b, '\\');
		buf_putc(b, (char)c);
	} else if (c == '\n') {
		buf_puts(b, "\\n");
	} else if (c == '\t') {
		buf_puts(b, "\\t");
	} else if (c == '\r') {
		buf_puts(b, "\\r");
	} else if (c == '\b') {
		buf_puts(b, "\\b");
	} else if (c == '\f') {
		buf_puts(b, "\\f");
	} else if (c < 0x20) {
		snprintf(u, sizeof u, "\\u%04x", c);
		buf_puts(b, u);
	} else {
		buf_putc(b, (char)c);
	}
}

/* Every byte value at every place of strings of 1 to 19 bytes (words of
 * 8 are skipped whole when nothing in them needs an escape), also beside
 * bytes of 0x80 and up. */
static void test_json_string_sweep(void)
{
	char s[19];
	int bad = 0;

	for (size_t n = 1; n <= sizeof s; n++)
		for (size_t at = 0; at < n; at++)
			for (int c = 0; c < 256; c++) {
				buf got = BUF_INIT, want = BUF_INIT;

				for (size_t i = 0; i < n; i++)
					s[i] = (char)(i % 3 ? 'a' + i : 0xc3);
				s[at] = (char)c;
				buf_putc(&want, '"');
				for (size_t i = 0; i < n; i++)
					escape_byte(&want, (unsigned char)s[i]);
				buf_putc(&want, '"');
				buf_json_string(&got, s, n);
				if (strcmp(got.data, want.data) != 0 && bad++ < 3)
					CHECK_STR(got.data, want.data);
				buf_free(&got);
				buf_free(&want);
			}
	CHECK_INT(bad, 0);
}

static void test_actions(void)
{
	buf b = BUF_INIT;

	bulk_add_index(&b, "donorschoose", "abc", 3, "{\"x\":1}", 7, NULL, 0);
	bulk_add_delete(&b, "ix", "d\"1", 3);
	CHECK_STR(b.data,
		  "{\"index\":{\"_index\":\"donorschoose\",\"_id\":\"abc\"}}\n"
		  "{\"x\":1}\n"
		  "{\"delete\":{\"_index\":\"ix\",\"_id\":\"d\\\"1\"}}\n");
	buf_free(&b);
}

/* The project part's members follow the donation's; no part, no change. */
static void test_parts(void)
{
	static const struct {
		const char *doc, *part, *want;
	} cases[] = {
		{ "{\"a\":1}", "{\"b\":2,\"c\":[3]}", "{\"a\":1,\"b\":2,\"c\":[3]}\n" },
		{ "{\"a\":\"x}\"}", "{\"b\":\"{y\"}", "{\"a\":\"x}\",\"b\":\"{y\"}\n" },
		{ "{\"a\":1}", NULL, "{\"a\":1}\n" },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		buf b = BUF_INIT;
		const char *nl;

		bulk_add_index(&b, "i", "1", 1, cases[i].doc,
			       strlen(cases[i].doc), cases[i].part,
			       cases[i].part ? strlen(cases[i].part) : 0);
		nl = strchr(b.data, '\n');
		CHECK_STR(nl ? nl + 1 : NULL, cases[i].want);
		buf_free(&b);
	}
}

static void test_sizes(void)
{
	static const struct { const char *in; long long want; } cases[] = {
		{ "5MB", 5000000 }, { "5mib", 5242880 }, { "512k", 524288 },
		{ "100", 100 }, { "1GiB", 1073741824 }, { "x", -1 },
		{ "5 MB", -1 }, { "", -1 }, { "3TB", -1 },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		uint64_t v = 0;
		int rc = dc_parse_size(cases[i].in, &v);

		CHECK_INT(rc == 0 ? (long long)v : -1, cases[i].want);
	}
}

static void test_hash(void)
{
	/* Fingerprints must not change between runs or builds: reruns
	 * compare them with ones stored by earlier versions. */
	CHECK(dc_hash64("abc", 3, 0) == dc_hash64("abc", 3, 0));
	CHECK(dc_hash64("abc", 3, 0) != dc_hash64("abd", 3, 0));
	CHECK(dc_hash64("abc", 3, 0) != dc_hash64("abc", 3, 1));
	CHECK(dc_hash64("", 0, 0) != dc_hash64("\0", 1, 0));
	CHECK(dc_hash64("12345678", 8, 0) != dc_hash64("123456789", 9, 0));
}

static void test_buf(void)
{
	buf b = BUF_INIT;
	char *s;

	buf_printf(&b, "%d-%s", 42, "x");
	for (int i = 0; i < 1000; i++)
		buf_putc(&b, 'y');
	CHECK_INT(b.len, 4 + 1000);
	CHECK(b.data[b.len] == '\0');
	buf_reset(&b);
	CHECK_STR(b.data, "");
	buf_puts(&b, "z");
	s = buf_detach(&b);
	CHECK_STR(s, "z");
	CHECK(b.data == NULL && b.len == 0);
	free(s);
}

int main(void)
{
	test_json_string();
	test_json_string_sweep();
	test_actions();
	test_parts();
	test_sizes();
	test_hash();
	test_buf();
	return check_summary();
}
